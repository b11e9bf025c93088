//! The traits the application depends on. The simulator, the git adapter and the AWS adapters
//! implement them; `app` only ever sees these.

use async_trait::async_trait;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::domain::audit::{ActionKind, AuditRecord};
use crate::domain::provenance::ServingCode;
use crate::domain::release::{IntegrityCheck, Release};
pub use crate::domain::rollout::RedeployRequest;
use crate::domain::rollout::Target;
use crate::domain::time::Timestamp;
use crate::domain::version::Version;
use crate::environment::Environment;

/// What went wrong at a port, in the user's words, with what to do about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct PortError {
    pub kind: ErrorKind,
    pub message: String,
    pub hint: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    NotFound,
    AccessDenied,
    /// The service asked us to slow down; the refresh backs off.
    Throttled,
    Timeout,
    /// Credentials are missing or expired.
    Credentials,
    /// The request conflicts with the current state (dirty tree, diverged branch, stale proposal).
    Conflict,
    /// A rule of shiftdeck refused the action.
    Refused,
    Invalid,
    Unavailable,
    /// A mutation was sent but no answer came: it may or may not have taken effect. Never
    /// retried blindly (`CreateDeployment` has no idempotency token); the state is read again.
    OutcomeUnknown,
    Other,
}

impl PortError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The message and, on its own line, the hint.
    pub fn full(&self) -> String {
        match &self.hint {
            Some(h) => format!("{}\n  hint: {h}", self.message),
            None => self.message.clone(),
        }
    }
}

pub type PortResult<T> = Result<T, PortError>;

/// A person as git knows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Identity {
    pub name: String,
    pub email: String,
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} <{}>", self.name, self.email)
    }
}

#[async_trait]
pub trait ReleaseRepo: Send + Sync {
    /// Every version in the repository with signature, integrity and yank status.
    async fn releases(&self) -> PortResult<ReleasesRead>;

    /// Downloads every artifact of `version`, hashes it and compares it with the signed
    /// manifest: the check on request for artifacts the listing could not check (S3 holds no
    /// full-object SHA-256 of a multipart upload). Later listings remember the result.
    async fn verify_by_download(&self, version: &Version) -> PortResult<IntegrityCheck>;
}

/// The pin of one environment at the tip of the deploy branch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PinnedVersion {
    pub env: String,
    /// The literal, or why it could not be read (no match, several matches, file missing).
    pub version: Result<Version, String>,
    pub line: Option<usize>,
    /// When the deploy branch got this pin (the commit that set it), if recent.
    pub pinned_at: Option<Timestamp>,
}

impl PinnedVersion {
    /// Whether this pin still waits for the pipeline to deploy it to `targets`, as of `now`
    /// (`domain::pipeline::waiting`); `None` for a pin that could not be read or dated.
    pub fn pipeline_wait(
        &self,
        targets: &[Target],
        now: Timestamp,
        warn_after: std::time::Duration,
    ) -> Option<crate::domain::pipeline::PipelineWait> {
        let version = self.version.as_ref().ok()?;
        crate::domain::pipeline::waiting(version, self.pinned_at?, targets, now, warn_after)
    }
}

/// A pin change pushed to a proposal branch, waiting for approval.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Proposal {
    pub env: String,
    pub branch: String,
    pub version: Version,
    pub proposer: Identity,
    pub commit: String,
    /// Whether the proposal's parent is still the tip of the deploy branch.
    pub current: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ForkStatus {
    pub branch: String,
    pub remote: String,
    /// Short id of the deploy branch tip the pins were read at: the remote's, as last fetched
    /// (a commit that was never pushed pins nothing).
    pub head: String,
    /// A pin file of a configured environment has uncommitted changes, so a pin is refused.
    pub dirty: bool,
    /// Every tracked file with uncommitted changes (work tree or index); other files than the
    /// pin files are allowed and left untouched.
    pub modified: Vec<String>,
    pub ahead: usize,
    pub behind: usize,
    pub pins: Vec<PinnedVersion>,
    pub proposals: Vec<Proposal>,
    /// Why the remote could not be fetched, when it could not; the rest is then from the last
    /// fetch.
    pub fetch_error: Option<String>,
    /// When the remote was last fetched successfully, by shiftdeck or by git itself.
    pub last_fetch: Option<Timestamp>,
    /// Commits the remote refused, each kept on a reference of its own; newest first.
    pub refused: Vec<RefusedPush>,
    /// Every change of a configured pin on the remote deploy branch, newest first (the last
    /// couple of hundred commits).
    pub history: Vec<PinEvent>,
    /// The freezes in force, from the remote's freeze ref; `Err` when it could not be read at
    /// all (then no pin or promotion is planned: a freeze might be missed).
    pub freezes: Result<FreezeList, String>,
}

/// One change of an environment's pin on the deploy branch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PinEvent {
    pub env: String,
    /// The literal before, `None` where the pin first appeared.
    pub from: Option<String>,
    pub to: String,
    pub commit: String,
    pub short: String,
    pub subject: String,
    pub author: Identity,
    /// The commit time.
    pub at: Timestamp,
    /// The `Shiftdeck-Action:` trailer (promote, rollback, …); `None` for a change made by hand.
    pub action: Option<String>,
    pub released_by: Option<String>,
    pub approved_by: Option<String>,
    /// Every trailer of the commit, in order.
    pub trailers: Vec<(String, String)>,
}

impl ForkStatus {
    /// The value `env` was pinned to before its current one, from the history: what a rollback
    /// of the current pin restores.
    pub fn previous_pin(&self, env: &str) -> Option<&str> {
        self.history
            .iter()
            .find(|e| e.env == env)
            .and_then(|e| e.from.as_deref())
    }
}

/// A pin commit the remote refused, kept so nothing is lost until it is retried or discarded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RefusedPush {
    /// The reference that keeps it, e.g. `refs/shiftdeck/refused/prod-20250301T101500Z`.
    pub reference: String,
    pub env: String,
    pub commit: String,
    /// The commit's subject, e.g. "Pin prod to v1.2.0".
    pub subject: String,
    pub at: Timestamp,
}

/// A pin change to make: rewrite `env`'s locator from `from` to `to`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PinChange {
    pub env: Environment,
    pub from: Option<Version>,
    pub to: Version,
    pub action: ActionKind,
    /// Free text for the commit body (a rollback's reason).
    pub reason: Option<String>,
    /// Push to a proposal branch instead of the deploy branch.
    pub as_proposal: bool,
    /// For a proposal: the commit of the pending proposal it replaces, as the person saw it when
    /// deciding (`None`: they saw none). Anything else on the proposal branch is not overwritten.
    pub replaces_proposal: Option<String>,
}

/// Proposals for an environment live on the branch `<prefix><env>` of the fork's remote.
pub const PROPOSAL_PREFIX: &str = "shiftdeck/proposal/";

/// What a pin change, approval or revert did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PinCommit {
    pub commit: String,
    /// The branch that was pushed (deploy branch or proposal branch).
    pub branch: String,
    pub remote: String,
    pub message: String,
    /// The commands equivalent to what was done, for the audit log.
    pub calls: Vec<String>,
}

/// The customer's fork. Blocking: callers run it off the event loop.
pub trait Fork: Send + Sync {
    fn identity(&self) -> PortResult<Identity>;
    fn status(&self, envs: &[Environment]) -> PortResult<ForkStatus>;
    /// The commit message that `pin` would write, for the confirm modal.
    fn commit_message(&self, change: &PinChange) -> PortResult<String>;
    fn pin(&self, change: &PinChange) -> PortResult<PinCommit>;
    /// Lands `env`'s proposal on the deploy branch with an `Approved-by:` trailer.
    fn approve(&self, env: &Environment, approver: &Identity) -> PortResult<PinCommit>;
    /// Turns down `env`'s proposal, the commit the person saw: its branch is deleted on the
    /// remote (refused when the proposal changed meanwhile). The reason goes to the audit log.
    fn reject(&self, env: &Environment, commit: &str, reason: &str) -> PortResult<PinCommit>;
    /// Ends every fetch or push running now, as soon as the network call lets it; the call
    /// returns a `Refused` error saying it was cancelled.
    fn cancel(&self) {}
    /// Deletes a refused push kept as `reference` (one of [`ForkStatus::refused`]).
    fn discard_refused(&self, reference: &str) -> PortResult<()> {
        Err(PortError::new(
            ErrorKind::NotFound,
            format!("{reference} is not kept here"),
        ))
    }
}

/// Everything CodeDeploy, Lambda and CloudWatch alarms say about one environment.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EnvRollout {
    pub env: String,
    pub targets: Vec<Target>,
    /// When the reads began (the request time, not the arrival time).
    pub read_at: Timestamp,
    /// Deployment groups that could not be read, each with its own error; the others are in
    /// `targets`.
    pub group_errors: Vec<GroupError>,
    /// The API calls this read made, by IAM action.
    pub api_calls: BTreeMap<String, u32>,
    /// The code of every Lambda version that receives traffic, for the provenance check.
    pub serving_code: Vec<ServingCode>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GroupError {
    pub group: String,
    pub error: PortError,
}

/// Who an environment's connection acts as, from STS GetCallerIdentity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AwsIdentity {
    pub account: String,
    pub arn: String,
}

/// One call a mutation made, with the request id AWS gave it, for the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApiCall {
    /// `service:Operation`, the IAM action.
    pub action: String,
    /// What it acted on and with which arguments, e.g. `d-ABC123 autoRollbackEnabled=true`.
    pub detail: String,
    pub request_id: Option<String>,
}

impl fmt::Display for ApiCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.action, self.detail)?;
        if let Some(id) = &self.request_id {
            write!(f, " (request {id})")?;
        }
        Ok(())
    }
}

impl EnvRollout {
    /// A read of `targets` that began at `read_at`, with no failed groups and no calls counted.
    pub fn new(env: impl Into<String>, targets: Vec<Target>, read_at: Timestamp) -> Self {
        Self {
            env: env.into(),
            targets,
            read_at,
            group_errors: Vec::new(),
            api_calls: BTreeMap::new(),
            serving_code: Vec::new(),
        }
    }

    /// Whether traffic is moving (or about to) in any of its groups.
    pub fn shifting(&self) -> bool {
        self.targets.iter().any(|t| t.active_shift().is_some())
    }
}

#[async_trait]
pub trait Rollouts: Send + Sync {
    async fn environment(&self, env: &Environment) -> PortResult<EnvRollout>;
    /// `StopDeployment` with `autoRollbackEnabled`.
    async fn stop(&self, env: &Environment, deployment_id: &str) -> PortResult<ApiCall>;
    /// A `LambdaAllAtOnce` deployment back to the previous version, after checking that the
    /// alias still points where the plan saw it; returns the call and the new deployment's id.
    async fn redeploy(
        &self,
        env: &Environment,
        request: &RedeployRequest,
    ) -> PortResult<(ApiCall, String)>;
    /// `PutLifecycleEventHookExecutionStatus` for a manual gate, after checking it still waits.
    async fn answer_gate(
        &self,
        env: &Environment,
        deployment_id: &str,
        execution_id: &str,
        succeeded: bool,
    ) -> PortResult<ApiCall>;
    /// Who `env`'s connection acts as, for the environment pane and the audit log.
    async fn caller(&self, env: &Environment) -> PortResult<AwsIdentity>;
}

/// Canary against baseline for one target.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VersionMetrics {
    pub function: String,
    pub version: String,
    /// Error rate in percent, one entry per minute of the window, oldest first; `None` for a
    /// minute without invocations or without a datapoint yet, so a gap never reads as 0 %.
    pub error_rate: Vec<Option<f64>>,
    /// p99 duration in milliseconds, one entry per minute of the window, oldest first; `None`
    /// where CloudWatch has no datapoint.
    pub p99_ms: Vec<Option<f64>>,
}

/// One function and the versions to compare.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetricTarget {
    pub function: String,
    pub versions: Vec<String>,
}

/// One listing of the release repository.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReleasesRead {
    pub releases: Vec<Release>,
    /// The API calls this read made, by IAM action (the vendor's bucket, in its own account).
    pub api_calls: BTreeMap<String, u32>,
}

/// A listing that counted no calls: the simulated repository's, and tests'.
impl From<Vec<Release>> for ReleasesRead {
    fn from(releases: Vec<Release>) -> Self {
        Self {
            releases,
            api_calls: BTreeMap::new(),
        }
    }
}

/// One read of the metrics of an environment's targets.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct MetricsRead {
    pub series: Vec<VersionMetrics>,
    /// The API calls this read made, by IAM action.
    pub api_calls: BTreeMap<String, u32>,
}

#[async_trait]
pub trait Metrics: Send + Sync {
    /// One `GetMetricData` call (or ⌈queries/500⌉) for all `targets` over the last `minutes`.
    async fn compare(
        &self,
        env: &Environment,
        targets: &[MetricTarget],
        minutes: u32,
    ) -> PortResult<MetricsRead>;
}

pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

/// The machine's clock, for everything but the simulated world.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_system(std::time::SystemTime::now())
    }
}

pub trait AuditLog: Send + Sync {
    /// Appends `record` to the local log and, where there is one, shares it with the team.
    /// `Err` only when the local log could not be written.
    fn append(&self, record: &AuditRecord) -> PortResult<Appended>;
    /// Every record of the local log, oldest first (the cockpit's command log reads them too).
    fn read_all(&self) -> PortResult<Vec<AuditRecord>>;
}

/// Controls only the simulated world offers (the demo's fault key).
pub trait SimControl: Send + Sync {
    /// Makes the canary of `env`'s running shift misbehave so that its alarms fire.
    fn inject_fault(&self, env: &str) -> PortResult<String>;
}

/// Every port the application uses.
#[derive(Clone)]
pub struct Ports {
    pub releases: Arc<dyn ReleaseRepo>,
    pub fork: Arc<dyn Fork>,
    pub rollouts: Arc<dyn Rollouts>,
    pub metrics: Arc<dyn Metrics>,
    pub clock: Arc<dyn Clock>,
    pub audit: Arc<dyn AuditLog>,
    /// The team's freezes, on the fork's remote.
    pub freezes: Arc<dyn Freezes>,
    pub sim: Option<Arc<dyn SimControl>>,
}

impl From<&ApiCall> for crate::domain::audit::AuditCall {
    fn from(c: &ApiCall) -> Self {
        Self {
            action: c.action.clone(),
            detail: c.detail.clone(),
            request_id: c.request_id.clone(),
        }
    }
}

/// What became of a record besides the local log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "team", rename_all = "snake_case")]
pub enum Appended {
    /// Only the local log keeps records (no team trail is configured).
    LocalOnly,
    /// The record, and every one queued before it, is on the fork's remote.
    Shared(TrailPush),
    /// The push failed; the record waits in the outbox and goes with the next push.
    Queued { pending: usize, error: PortError },
}

/// What a push of the team trail did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TrailPush {
    /// Records sent (the outbox included); 0 when the remote had them all already.
    pub sent: usize,
    /// The commit now at the tip of the trail.
    pub commit: Option<String>,
    pub calls: Vec<String>,
}

/// Everyone's records, as the fork's remote holds them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TeamRecords {
    /// Oldest first.
    pub records: Vec<AuditRecord>,
    /// Records of this clone not yet on the remote.
    pub pending: usize,
    /// Why the remote could not be fetched, when it could not; `records` is then from the
    /// last fetch.
    pub fetch_error: Option<String>,
    /// Files on the trail that are not records (written by hand), by path.
    pub unreadable: Vec<String>,
}

/// The team's audit trail: every record of every person, on a ref of the fork's remote that no
/// pipeline watches. Blocking: callers run it off the event loop.
pub trait TeamTrail: Send + Sync {
    /// Queues `record` in this clone's outbox, then sends the whole outbox. The record is safe
    /// once this returns, pushed or not: an `Err` means it is still queued.
    fn publish(&self, record: &AuditRecord) -> PortResult<TrailPush>;
    /// Sends whatever the outbox holds (records kept when a push failed).
    fn flush(&self) -> PortResult<TrailPush>;
    /// How many records wait in the outbox.
    fn pending(&self) -> PortResult<usize>;
    /// Fetches the trail and reads every record on it.
    fn team_records(&self) -> PortResult<TeamRecords>;
}

/// Every freeze in force, as the fork's remote holds them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FreezeList {
    pub freezes: Vec<crate::domain::freeze::Freeze>,
    /// Why the remote could not be fetched, when it could not; `freezes` is then from the last
    /// fetch, which may be stale.
    pub fetch_error: Option<String>,
}

impl FreezeList {
    pub fn of(&self, env: &str) -> Option<&crate::domain::freeze::Freeze> {
        self.freezes.iter().find(|f| f.env == env)
    }
}

/// Freezes, kept on a ref of the fork's remote beside the branches, so the whole team sees them
/// and no pipeline is triggered. Blocking: callers run it off the event loop.
pub trait Freezes: Send + Sync {
    /// Fetches the freeze ref and reads it.
    fn freezes(&self) -> PortResult<FreezeList>;
    /// Records `freeze` on the remote. Refused (`ErrorKind::Refused`) when the environment is
    /// frozen already; a colleague's concurrent freeze of another environment is kept.
    /// The result's `branch` is the ref written.
    fn freeze(&self, freeze: &crate::domain::freeze::Freeze) -> PortResult<PinCommit>;
    /// Lifts `env`'s freeze as `by`. Refused when it is not frozen.
    fn unfreeze(&self, env: &str, by: &Identity) -> PortResult<PinCommit>;
}
