//! The `Rollouts` port over CodeDeploy, Lambda and CloudWatch alarms, one connection per
//! environment.
//!
//! A refresh reads by how fast things change: the list of deployment groups (when not
//! configured) every few minutes; the groups themselves (last attempted deployment, alarms,
//! auto-rollback) and their deployments every refresh, batched; a running deployment's weights
//! from its deployment target, never from the alias; an idle alias at most once a minute; and
//! what never changes once read (a finished deployment, a deployment config, what a Lambda
//! version holds) once.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_codedeploy::primitives::DateTime;
use aws_sdk_codedeploy::types as cd;
use tokio::time::Instant;

use super::appspec::{self, AppSpec};
use super::connect::{Calls, Connection};
use crate::domain::provenance::ServingCode;
use crate::domain::rollout::{
    AliasRouting, DeploymentStatus, EventStatus, LambdaVersion, LifecycleEvent, ManualGate,
    Rollback, Shift, Target,
};
use crate::domain::schedule::{CustomKind, DeploymentConfig};
use crate::domain::time::Timestamp;
use crate::domain::version::Version;
use crate::environment::Environment;
use crate::ports::{
    ApiCall, AwsIdentity, Clock, EnvRollout, ErrorKind, GroupError, PortError, PortResult,
    RedeployRequest, Rollouts,
};

/// How long the list of an application's deployment groups is trusted.
const TOPOLOGY_TTL: Duration = Duration::from_secs(300);
/// How often an idle alias is read: it moves only with a deployment, or by hand.
const IDLE_ALIAS_TTL: Duration = Duration::from_secs(60);
/// API maxima.
const GROUPS_PER_CALL: usize = 100;
const DEPLOYMENTS_PER_CALL: usize = 25;
const TARGETS_PER_CALL: usize = 25;
/// Manual-gate tags on the hook function (docs/manual-gate.md).
const GATE_TAG: &str = "shiftdeck:gate:";
/// Rollback deployments say so in their description, so they are recognised when read back.
pub const ROLLBACK_DESCRIPTION: &str = "shiftdeck rollback";

/// One environment's clients over its connection, and what its reads keep.
pub struct EnvAws {
    pub conn: Arc<Connection>,
    codedeploy: aws_sdk_codedeploy::Client,
    lambda: aws_sdk_lambda::Client,
    cache: Mutex<Cache>,
}

#[derive(Default)]
struct Cache {
    groups: Option<(Instant, Vec<String>)>,
    /// The endpoint does not serve BatchGetDeploymentGroups (emulators): groups are read one
    /// by one without trying the batch on every refresh.
    no_batch_groups: bool,
    /// Finished deployments never change again.
    finished: HashMap<String, cd::DeploymentInfo>,
    configs: HashMap<String, DeploymentConfig>,
    /// (function, version number) → what the version holds.
    versions: HashMap<(String, String), VersionFacts>,
    /// (function, alias) → when it was read, the group's latest deployment then, and the
    /// routing: a new deployment (or a stop) since then makes the reading stale at once.
    aliases: HashMap<(String, String), (Instant, Option<String>, AliasRouting)>,
    /// Group → the function and alias it shifts, learnt from a deployment.
    functions: HashMap<String, AppSpec>,
    /// Deployment → its targets: a Lambda deployment's one target is fixed once listed, so a
    /// running shift is followed with one BatchGetDeploymentTargets a read instead of two calls.
    target_ids: HashMap<String, Vec<String>>,
}

#[derive(Clone, Debug)]
struct VersionFacts {
    release: Option<Version>,
    code_sha256: Option<String>,
}

impl EnvAws {
    pub fn new(conn: Arc<Connection>) -> Self {
        Self {
            codedeploy: aws_sdk_codedeploy::Client::new(&conn.sdk),
            lambda: aws_sdk_lambda::Client::new(&conn.sdk),
            conn,
            cache: Mutex::new(Cache::default()),
        }
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Every environment's AWS side.
pub struct AwsRollouts {
    envs: HashMap<String, Result<Arc<EnvAws>, PortError>>,
    clock: Arc<dyn Clock>,
}

impl AwsRollouts {
    /// `envs`: per environment name its clients, or why it has none (no region, bad profile):
    /// an environment without a connection fails alone.
    pub fn new(
        envs: HashMap<String, Result<Arc<EnvAws>, PortError>>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { envs, clock }
    }

    fn env(&self, env: &Environment) -> PortResult<&Arc<EnvAws>> {
        match self.envs.get(&env.name) {
            Some(Ok(e)) => Ok(e),
            Some(Err(e)) => Err(e.clone()),
            None => Err(PortError::new(
                ErrorKind::NotFound,
                format!("no AWS connection for environment {}", env.name),
            )),
        }
    }
}

#[async_trait]
impl Rollouts for AwsRollouts {
    async fn environment(&self, env: &Environment) -> PortResult<EnvRollout> {
        let read_at = self.clock.now();
        let aws = self.env(env)?;
        let calls = Calls::default();
        let (targets, group_errors) = read_environment(aws, env, &calls).await?;
        let serving_code = serving_code(aws, &targets);
        Ok(EnvRollout {
            env: env.name.clone(),
            targets,
            read_at,
            group_errors,
            api_calls: calls.take(),
            serving_code,
        })
    }

    async fn stop(&self, env: &Environment, deployment_id: &str) -> PortResult<ApiCall> {
        let aws = self.env(env)?;
        let calls = Calls::default();
        let out = aws
            .conn
            .call(
                &calls,
                aws.conn.site("codedeploy:StopDeployment", deployment_id),
                aws.codedeploy
                    .stop_deployment()
                    .deployment_id(deployment_id)
                    .auto_rollback_enabled(true)
                    .customize()
                    .config_override(sent_once())
                    .send(),
            )
            .await
            .map_err(outcome_unknown)?;
        Ok(ApiCall {
            action: "codedeploy:StopDeployment".into(),
            detail: format!(
                "{deployment_id} autoRollbackEnabled=true → {}",
                out.status().map(|s| s.as_str()).unwrap_or("?")
            ),
            request_id: request_id(&out),
        })
    }

    async fn redeploy(
        &self,
        env: &Environment,
        request: &RedeployRequest,
    ) -> PortResult<(ApiCall, String)> {
        let aws = self.env(env)?;
        let calls = Calls::default();
        // Just before the call: the alias must still point where the plan saw it, or the
        // rollback would move traffic from a version nobody looked at.
        let routing = get_alias(aws, &calls, &request.function, &request.alias).await?;
        if routing.version.number != request.from.number || routing.additional.is_some() {
            return Err(PortError::new(
                ErrorKind::Conflict,
                format!(
                    "alias {} of {} now points at {}{}, not {} as planned",
                    request.alias,
                    request.function,
                    routing.version.label(),
                    routing
                        .additional
                        .as_ref()
                        .map(|(v, w)| format!(" and {:.0}% {}", w * 100.0, v.label()))
                        .unwrap_or_default(),
                    request.from.label()
                ),
            )
            .with_hint("refresh to see where the alias points, then decide again"));
        }
        let hooks = if request.run_hooks {
            aws.cache()
                .functions
                .get(&request.group)
                .map(|s| s.hooks.clone())
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        let content = appspec::build(&AppSpec {
            function: request.function.clone(),
            alias: request.alias.clone(),
            current_version: request.from.number.clone(),
            target_version: request.to.number.clone(),
            hooks,
        });
        let revision = cd::RevisionLocation::builder()
            .revision_type(cd::RevisionLocationType::AppSpecContent)
            .app_spec_content(cd::AppSpecContent::builder().content(content).build())
            .build();
        let mut create = aws
            .codedeploy
            .create_deployment()
            .application_name(&env.application)
            .deployment_group_name(&request.group)
            .deployment_config_name("CodeDeployDefault.LambdaAllAtOnce")
            .description(format!(
                "{ROLLBACK_DESCRIPTION}: {} → {}",
                request.from.label(),
                request.to.label()
            ))
            .revision(revision);
        if request.ignore_alarms {
            create = create.override_alarm_configuration(
                cd::AlarmConfiguration::builder().enabled(false).build(),
            );
        }
        let out = aws
            .conn
            .call(
                &calls,
                aws.conn.site(
                    "codedeploy:CreateDeployment",
                    format!("{}/{}", env.application, request.group),
                ),
                create.customize().config_override(sent_once()).send(),
            )
            .await
            .map_err(outcome_unknown)?;
        let id = out.deployment_id().unwrap_or_default().to_string();
        Ok((
            ApiCall {
                action: "codedeploy:CreateDeployment".into(),
                detail: format!(
                    "{} LambdaAllAtOnce {} → {}{} ({id})",
                    request.group,
                    request.from.label(),
                    request.to.label(),
                    if request.ignore_alarms {
                        " alarms overridden"
                    } else {
                        ""
                    }
                ),
                request_id: request_id(&out),
            },
            id,
        ))
    }

    async fn answer_gate(
        &self,
        env: &Environment,
        deployment_id: &str,
        execution_id: &str,
        succeeded: bool,
    ) -> PortResult<ApiCall> {
        let aws = self.env(env)?;
        let calls = Calls::default();
        // The hook must still wait: an answer to a hook that timed out or was answered is
        // refused by CodeDeploy, and a deployment that moved on should be looked at again.
        let info = batch_get_deployments(aws, &calls, &[deployment_id.to_string()])
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| {
                PortError::new(
                    ErrorKind::NotFound,
                    format!("deployment {deployment_id} no longer exists"),
                )
            })?;
        let status = status_of(info.status());
        if status != Some(DeploymentStatus::InProgress) {
            return Err(PortError::new(
                ErrorKind::Conflict,
                format!(
                    "deployment {deployment_id} is {} now, no longer waiting at its gate",
                    status.map(|s| s.label()).unwrap_or("in an unknown state")
                ),
            )
            .with_hint("refresh and look again"));
        }
        let status = if succeeded {
            cd::LifecycleEventStatus::Succeeded
        } else {
            cd::LifecycleEventStatus::Failed
        };
        let out = aws
            .conn
            .call(
                &calls,
                aws.conn.site(
                    "codedeploy:PutLifecycleEventHookExecutionStatus",
                    deployment_id,
                ),
                aws.codedeploy
                    .put_lifecycle_event_hook_execution_status()
                    .deployment_id(deployment_id)
                    .lifecycle_event_hook_execution_id(execution_id)
                    .status(status.clone())
                    .customize()
                    .config_override(sent_once())
                    .send(),
            )
            .await
            .map_err(outcome_unknown)?;
        Ok(ApiCall {
            action: "codedeploy:PutLifecycleEventHookExecutionStatus".into(),
            detail: format!("{deployment_id} {}", status.as_str()),
            request_id: request_id(&out),
        })
    }

    async fn caller(&self, env: &Environment) -> PortResult<AwsIdentity> {
        self.env(env)?.conn.identity().await
    }
}

/// The code of every version that receives traffic, from what the refresh read.
fn serving_code(aws: &EnvAws, targets: &[Target]) -> Vec<ServingCode> {
    let cache = aws.cache();
    let mut out: Vec<ServingCode> = Vec::new();
    for t in targets {
        // The alias, where it was read, is what Lambda serves (a deployment that has not
        // started moves nothing yet); a moving shift's target says it otherwise.
        let receiving: Vec<&LambdaVersion> = match (t.active_shift(), &t.alias_routing) {
            (_, Some(r)) => std::iter::once(&r.version)
                .chain(r.additional.as_ref().map(|(v, _)| v))
                .collect(),
            (Some(s), None) => [
                (s.target_percent < 100.0).then_some(&s.from),
                (s.target_percent > 0.0).then_some(&s.to),
            ]
            .into_iter()
            .flatten()
            .collect(),
            (None, None) => Vec::new(),
        };
        for v in receiving {
            let key = (t.function.clone(), v.number.clone());
            let Some(sha) = cache.versions.get(&key).and_then(|f| f.code_sha256.clone()) else {
                continue;
            };
            if !out.iter().any(|c| c.function == key.0 && c.number == key.1) {
                out.push(ServingCode {
                    function: key.0,
                    number: key.1,
                    release: v.release.clone(),
                    code_sha256: sha,
                });
            }
        }
    }
    out
}

/// A mutation is sent once. The standard retry mode would send it again after a lost answer:
/// `CreateDeployment` has no idempotency token, so a retry can start a second rollback
/// deployment, and a retried stop or gate answer fails on the first one's success.
fn sent_once() -> aws_sdk_codedeploy::config::Builder {
    aws_sdk_codedeploy::config::Builder::default()
        .retry_config(aws_sdk_codedeploy::config::retry::RetryConfig::disabled())
}

/// A mutation that timed out may have happened: the caller must read the state again rather
/// than send it again.
fn outcome_unknown(e: PortError) -> PortError {
    if e.kind != ErrorKind::Timeout {
        return e;
    }
    PortError::new(
        ErrorKind::OutcomeUnknown,
        format!("{}: it may or may not have taken effect", e.message),
    )
    .with_hint("shiftdeck reads the state again; check it before acting again")
}

fn request_id(out: &impl aws_sdk_codedeploy::operation::RequestId) -> Option<String> {
    out.request_id().map(str::to_string)
}

/// One refresh of an environment: its targets, and the groups that failed on their own.
async fn read_environment(
    aws: &EnvAws,
    env: &Environment,
    calls: &Calls,
) -> PortResult<(Vec<Target>, Vec<GroupError>)> {
    let names = group_names(aws, env, calls).await?;
    let (infos, mut failed) = group_infos(aws, env, calls, &names).await?;
    let mut group_errors = Vec::new();

    // Which deployments each group needs: its latest, and the last success before it.
    let mut wanted: Vec<(String, Vec<String>)> = Vec::new();
    for name in &names {
        let Some(info) = infos.get(name) else {
            let error = failed
                .remove(name)
                .unwrap_or_else(|| missing_group(env, name, "not in the answer"));
            group_errors.push(GroupError {
                group: name.clone(),
                error,
            });
            continue;
        };
        let mut ids: Vec<String> = [
            info.last_attempted_deployment()
                .and_then(|d| d.deployment_id()),
            info.last_successful_deployment()
                .and_then(|d| d.deployment_id()),
        ]
        .into_iter()
        .flatten()
        .map(str::to_string)
        .collect();
        if ids.is_empty() {
            // Endpoints that do not fill in the last deployments (emulators) are asked for
            // the group's deployments instead. Only the first page: the current and the last
            // deployment are what is shown, and finished ones are cached, so a long history
            // is not paged through on every refresh.
            match list_deployments(aws, env, calls, name).await {
                Ok(listed) => ids = listed,
                Err(e) => {
                    group_errors.push(GroupError {
                        group: name.clone(),
                        error: e,
                    });
                    continue;
                }
            }
        }
        ids.dedup();
        wanted.push((name.clone(), ids));
    }
    let all: Vec<String> = wanted
        .iter()
        .flat_map(|(_, ids)| ids.iter().cloned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let deployments = deployments(aws, calls, &all).await?;

    let mut targets = Vec::new();
    for (name, ids) in wanted {
        let info = &infos[&name];
        let mut mine: Vec<&cd::DeploymentInfo> =
            ids.iter().filter_map(|id| deployments.get(id)).collect();
        mine.sort_by_key(|d| std::cmp::Reverse(millis(d.create_time())));
        match read_target(aws, env, calls, info, &mine).await {
            Ok(t) => targets.push(t),
            Err(error) => group_errors.push(GroupError { group: name, error }),
        }
    }
    let alarm_names: Vec<String> = infos
        .values()
        .flat_map(group_alarm_names)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if !alarm_names.is_empty() {
        match super::alarms::describe(&aws.conn, calls, &alarm_names).await {
            Ok(read) => {
                for t in &mut targets {
                    let names = infos
                        .get(&t.group)
                        .map(group_alarm_names)
                        .unwrap_or_default();
                    t.alarms = read
                        .alarms
                        .iter()
                        .filter(|a| names.contains(&a.name))
                        .cloned()
                        .collect();
                }
            }
            Err(error) => {
                for t in &targets {
                    group_errors.push(GroupError {
                        group: t.group.clone(),
                        error: error.clone(),
                    });
                }
            }
        }
    }
    Ok((targets, group_errors))
}

fn group_alarm_names(g: &cd::DeploymentGroupInfo) -> Vec<String> {
    match g.alarm_configuration() {
        Some(a) if a.enabled() => a
            .alarms()
            .iter()
            .filter_map(|a| a.name().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

async fn group_names(aws: &EnvAws, env: &Environment, calls: &Calls) -> PortResult<Vec<String>> {
    if !env.deployment_groups.is_empty() {
        return Ok(env.deployment_groups.clone());
    }
    if let Some((at, names)) = &aws.cache().groups
        && at.elapsed() < TOPOLOGY_TTL
    {
        return Ok(names.clone());
    }
    let mut names = Vec::new();
    let mut token = None;
    loop {
        let out = aws
            .conn
            .call(
                calls,
                aws.conn
                    .site("codedeploy:ListDeploymentGroups", &env.application),
                aws.codedeploy
                    .list_deployment_groups()
                    .application_name(&env.application)
                    .set_next_token(token.clone())
                    .send(),
            )
            .await?;
        names.extend(out.deployment_groups().iter().cloned());
        // An endpoint that answers with an empty or repeated token has no more pages.
        let next = out
            .next_token()
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        if next.is_some() && next == token {
            break;
        }
        token = next;
        if token.is_none() {
            break;
        }
    }
    names.sort();
    aws.cache().groups = Some((Instant::now(), names.clone()));
    Ok(names)
}

/// `request`, noting in `flag` whether it failed because the application does not exist: the
/// one answer that fails the whole environment rather than a group.
async fn noting_missing_application<T, E, R>(
    flag: &AtomicBool,
    request: impl std::future::Future<Output = Result<T, aws_sdk_codedeploy::error::SdkError<E, R>>>,
) -> Result<T, aws_sdk_codedeploy::error::SdkError<E, R>>
where
    E: aws_sdk_codedeploy::error::ProvideErrorMetadata,
{
    let r = request.await;
    if r.as_ref()
        .err()
        .and_then(|e| e.as_service_error())
        .and_then(|e| e.code())
        == Some("ApplicationDoesNotExistException")
    {
        flag.store(true, Ordering::Relaxed);
    }
    r
}

/// The groups' descriptions, and for each group that could not be read, why. An application
/// that does not exist fails the whole environment.
async fn group_infos(
    aws: &EnvAws,
    env: &Environment,
    calls: &Calls,
    names: &[String],
) -> PortResult<(
    HashMap<String, cd::DeploymentGroupInfo>,
    HashMap<String, PortError>,
)> {
    let mut infos = HashMap::new();
    let mut errors = HashMap::new();
    for chunk in names.chunks(GROUPS_PER_CALL) {
        if !aws.cache().no_batch_groups {
            let app_missing = AtomicBool::new(false);
            let request = aws
                .codedeploy
                .batch_get_deployment_groups()
                .application_name(&env.application)
                .set_deployment_group_names(Some(chunk.to_vec()))
                .send();
            let batch = aws
                .conn
                .call(
                    calls,
                    aws.conn
                        .site("codedeploy:BatchGetDeploymentGroups", &env.application),
                    noting_missing_application(&app_missing, request),
                )
                .await;
            match batch {
                Ok(out) => {
                    for g in out.deployment_groups_info() {
                        if let Some(n) = g.deployment_group_name() {
                            infos.insert(n.to_string(), g.clone());
                        }
                    }
                    // Names it does not know are left out of the answer and listed in its
                    // error message.
                    if let Some(said) = out.error_message().filter(|m| !m.is_empty()) {
                        for name in chunk.iter().filter(|n| !infos.contains_key(*n)) {
                            errors.insert(name.clone(), missing_group(env, name, said));
                        }
                    }
                    continue;
                }
                Err(_) if app_missing.load(Ordering::Relaxed) => {
                    return Err(missing_application(aws, env));
                }
                // An endpoint without the batch call (some emulators answer 500) is read one
                // group at a time, from now on without trying the batch again.
                Err(e) if e.kind == ErrorKind::Other => aws.cache().no_batch_groups = true,
                Err(e) => return Err(e),
            }
        }
        for name in chunk {
            let app_missing = AtomicBool::new(false);
            let request = aws
                .codedeploy
                .get_deployment_group()
                .application_name(&env.application)
                .deployment_group_name(name)
                .send();
            let out = aws
                .conn
                .call(
                    calls,
                    aws.conn.site(
                        "codedeploy:GetDeploymentGroup",
                        format!("{}/{name}", env.application),
                    ),
                    noting_missing_application(&app_missing, request),
                )
                .await;
            match out {
                Ok(out) => {
                    if let Some(g) = out.deployment_group_info() {
                        infos.insert(name.clone(), g.clone());
                    }
                }
                Err(_) if app_missing.load(Ordering::Relaxed) => {
                    return Err(missing_application(aws, env));
                }
                // One group's failure is that group's: the others are still read.
                Err(e) => {
                    errors.insert(name.clone(), e);
                }
            }
        }
    }
    Ok((infos, errors))
}

fn missing_group(env: &Environment, name: &str, said: &str) -> PortError {
    PortError::new(
        ErrorKind::NotFound,
        format!(
            "deployment group {name} does not exist in application {}: {said}",
            env.application
        ),
    )
    .with_hint("check deployment_groups in the configuration")
}

fn missing_application(aws: &EnvAws, env: &Environment) -> PortError {
    PortError::new(
        ErrorKind::NotFound,
        format!(
            "the CodeDeploy application {} does not exist{}",
            env.application,
            aws.conn
                .sdk
                .region()
                .map(|r| format!(" in {r}"))
                .unwrap_or_default()
        ),
    )
    .with_hint(format!(
        "check application (and region, profile) of environment {} in the configuration",
        env.name
    ))
}

async fn list_deployments(
    aws: &EnvAws,
    env: &Environment,
    calls: &Calls,
    group: &str,
) -> PortResult<Vec<String>> {
    let out = aws
        .conn
        .call(
            calls,
            aws.conn.site(
                "codedeploy:ListDeployments",
                format!("{}/{group}", env.application),
            ),
            aws.codedeploy
                .list_deployments()
                .application_name(&env.application)
                .deployment_group_name(group)
                .send(),
        )
        .await?;
    Ok(out.deployments().to_vec())
}

/// Deployments by id: finished ones from the cache, the rest with BatchGetDeployments.
async fn deployments(
    aws: &EnvAws,
    calls: &Calls,
    ids: &[String],
) -> PortResult<HashMap<String, cd::DeploymentInfo>> {
    let mut found = HashMap::new();
    let missing: Vec<String> = {
        let cache = aws.cache();
        ids.iter()
            .filter(|id| match cache.finished.get(*id) {
                Some(d) => {
                    found.insert((*id).clone(), d.clone());
                    false
                }
                None => true,
            })
            .cloned()
            .collect()
    };
    for d in batch_get_deployments(aws, calls, &missing).await? {
        let Some(id) = d.deployment_id().map(str::to_string) else {
            continue;
        };
        if status_of(d.status()).is_some_and(|s| !s.is_active()) {
            let mut cache = aws.cache();
            cache.finished.insert(id.clone(), d.clone());
            // Its targets are not followed any more.
            cache.target_ids.remove(&id);
        }
        found.insert(id, d);
    }
    Ok(found)
}

async fn batch_get_deployments(
    aws: &EnvAws,
    calls: &Calls,
    ids: &[String],
) -> PortResult<Vec<cd::DeploymentInfo>> {
    let mut all = Vec::new();
    for chunk in ids.chunks(DEPLOYMENTS_PER_CALL) {
        let out = aws
            .conn
            .call(
                calls,
                aws.conn
                    .site("codedeploy:BatchGetDeployments", chunk.join(",")),
                aws.codedeploy
                    .batch_get_deployments()
                    .set_deployment_ids(Some(chunk.to_vec()))
                    .send(),
            )
            .await?;
        all.extend(out.deployments_info().iter().cloned());
    }
    Ok(all)
}

/// The Lambda target of a running deployment: live weight and lifecycle events.
async fn lambda_target(
    aws: &EnvAws,
    calls: &Calls,
    deployment_id: &str,
) -> PortResult<Option<cd::LambdaTarget>> {
    let known = aws.cache().target_ids.get(deployment_id).cloned();
    let ids = match known {
        Some(ids) => ids,
        None => {
            let listed = aws
                .conn
                .call(
                    calls,
                    aws.conn
                        .site("codedeploy:ListDeploymentTargets", deployment_id),
                    aws.codedeploy
                        .list_deployment_targets()
                        .deployment_id(deployment_id)
                        .send(),
                )
                .await?;
            let ids: Vec<String> = listed
                .target_ids()
                .iter()
                .take(TARGETS_PER_CALL)
                .cloned()
                .collect();
            // A deployment only just created may not list its target yet: asked again next read.
            if !ids.is_empty() {
                aws.cache()
                    .target_ids
                    .insert(deployment_id.to_string(), ids.clone());
            }
            ids
        }
    };
    if ids.is_empty() {
        return Ok(None);
    }
    let out = aws
        .conn
        .call(
            calls,
            aws.conn
                .site("codedeploy:BatchGetDeploymentTargets", deployment_id),
            aws.codedeploy
                .batch_get_deployment_targets()
                .deployment_id(deployment_id)
                .set_target_ids(Some(ids))
                .send(),
        )
        .await?;
    Ok(out
        .deployment_targets()
        .iter()
        .find_map(|t| t.lambda_target().cloned()))
}

async fn read_target(
    aws: &EnvAws,
    env: &Environment,
    calls: &Calls,
    info: &cd::DeploymentGroupInfo,
    deployments: &[&cd::DeploymentInfo],
) -> PortResult<Target> {
    let group = info.deployment_group_name().unwrap_or_default().to_string();
    let config_name = info
        .deployment_config_name()
        .unwrap_or("CodeDeployDefault.LambdaAllAtOnce")
        .to_string();
    let auto_rollback_on_alarm = info.auto_rollback_configuration().is_some_and(|a| {
        a.enabled()
            && a.events()
                .contains(&cd::AutoRollbackEvent::DeploymentStopOnAlarm)
    });
    let latest = deployments.first().copied();
    let previous = latest.and_then(|l| {
        deployments.iter().skip(1).copied().find(|d| {
            status_of(d.status()) == Some(DeploymentStatus::Succeeded)
                && d.deployment_id() != l.deployment_id()
        })
    });

    // A deployment that moves traffic has a target with the live weight; its AppSpec or the
    // cache name the function where there is none. Before it starts (Created, Queued) it has no
    // target yet and the alias is still where it was.
    let moving = latest.is_some_and(|d| status_of(d.status()).is_some_and(moves_traffic));
    let live = match latest {
        Some(d) if moving => {
            lambda_target(aws, calls, d.deployment_id().unwrap_or_default()).await?
        }
        _ => None,
    };
    let spec = latest
        .and_then(spec_of)
        .or_else(|| aws.cache().functions.get(&group).cloned());
    let (function, alias) = match (&live, &spec) {
        (Some(t), _) if t.lambda_function_info().is_some() => {
            let f = t.lambda_function_info().expect("checked");
            (
                f.function_name().unwrap_or_default().to_string(),
                f.function_alias().unwrap_or(&env.alias).to_string(),
            )
        }
        (_, Some(s)) => (s.function.clone(), s.alias.clone()),
        _ => (String::new(), env.alias.clone()),
    };
    if let Some(s) = spec.clone() {
        aws.cache().functions.insert(group.clone(), s);
    }

    let mut target = Target {
        group: group.clone(),
        function: function.clone(),
        alias: alias.clone(),
        config_name: config_name.clone(),
        auto_rollback_on_alarm,
        latest: None,
        previous_success: None,
        alias_routing: None,
        alarms: Vec::new(),
    };
    if let Some(d) = latest {
        // The schedule of the shift on screen comes from its config: one that cannot be read
        // is this group's error, not a silent AllAtOnce with a wrong ETA.
        let name = d.deployment_config_name().unwrap_or(&config_name);
        let config = deployment_config(aws, calls, name).await?;
        target.latest = Some(shift_of(aws, calls, d, live.as_ref(), config, &function).await);
    }
    if let Some(d) = previous {
        // A finished shift's schedule is history: shown as AllAtOnce when unreadable.
        let config = match d.deployment_config_name() {
            Some(n) => deployment_config(aws, calls, n).await.ok(),
            None => None,
        };
        target.previous_success = Some(
            shift_of(
                aws,
                calls,
                d,
                None,
                config.unwrap_or(DeploymentConfig::AllAtOnce),
                &function,
            )
            .await,
        );
    }
    // The alias is read only while nothing moves it, and then slowly.
    if !function.is_empty() && !moving {
        let seen = latest.and_then(|d| d.deployment_id());
        target.alias_routing = Some(idle_alias(aws, calls, &function, &alias, seen).await?);
    }
    Ok(target)
}

/// CodeDeploy is moving (or holding) the alias's traffic: its deployment target says where.
fn moves_traffic(s: DeploymentStatus) -> bool {
    matches!(
        s,
        DeploymentStatus::InProgress | DeploymentStatus::Baking | DeploymentStatus::Ready
    )
}

fn spec_of(d: &cd::DeploymentInfo) -> Option<AppSpec> {
    let revision = d.revision()?;
    let content = revision
        .app_spec_content()
        .and_then(|c| c.content())
        .or_else(|| revision.string().and_then(|s| s.content()))?;
    appspec::parse(content)
}

async fn shift_of(
    aws: &EnvAws,
    calls: &Calls,
    d: &cd::DeploymentInfo,
    live: Option<&cd::LambdaTarget>,
    config: DeploymentConfig,
    function: &str,
) -> Shift {
    let status = status_of(d.status()).unwrap_or(DeploymentStatus::Created);
    let spec = spec_of(d);
    let info = live.and_then(|t| t.lambda_function_info());
    let from_number = info
        .and_then(|f| f.current_version())
        .map(str::to_string)
        .or_else(|| spec.as_ref().map(|s| s.current_version.clone()))
        .unwrap_or_default();
    let to_number = info
        .and_then(|f| f.target_version())
        .map(str::to_string)
        .or_else(|| spec.as_ref().map(|s| s.target_version.clone()))
        .unwrap_or_default();
    let from = lambda_version(aws, calls, function, &from_number).await;
    let to = lambda_version(aws, calls, function, &to_number).await;
    let events: Vec<(LifecycleEvent, EventStatus, Option<Timestamp>)> = live
        .map(|t| {
            t.lifecycle_events()
                .iter()
                .filter_map(|e| {
                    Some((
                        event_of(e.lifecycle_event_name()?)?,
                        event_status_of(e.status()),
                        e.start_time().map(to_timestamp),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    // The schedule's clock starts with AllowTraffic. While a BeforeAllowTraffic hook (a gate)
    // still runs, nothing has moved; only without events is the deployment's start the guess.
    let traffic_started_at = if events.is_empty() {
        d.start_time().map(to_timestamp)
    } else {
        events
            .iter()
            .find(|(e, _, _)| *e == LifecycleEvent::AllowTraffic)
            .and_then(|(_, _, t)| *t)
    };
    let target_percent = match (status, info) {
        (DeploymentStatus::Succeeded, _) => 100.0,
        (_, Some(f)) => percent_of_weight(f.target_version_weight()),
        _ => 0.0,
    };
    let gate = match (status, live) {
        (DeploymentStatus::InProgress, Some(_)) => gate_of(aws, calls, d, &spec, &events).await,
        _ => None,
    };
    let rollback = match status {
        DeploymentStatus::Stopped | DeploymentStatus::Failed => Some(Rollback {
            reason: d
                .rollback_info()
                .and_then(|r| r.rollback_message())
                .or_else(|| d.error_information().and_then(|e| e.message()))
                .unwrap_or(if status == DeploymentStatus::Stopped {
                    "stopped"
                } else {
                    "failed"
                })
                .to_string(),
            at: d.complete_time().map(to_timestamp).unwrap_or_else(|| {
                millis(d.create_time())
                    .map(Timestamp)
                    .unwrap_or(Timestamp(0))
            }),
        }),
        _ => None,
    };
    Shift {
        deployment_id: d.deployment_id().unwrap_or_default().to_string(),
        status,
        config,
        from,
        to,
        created_at: d.create_time().map(to_timestamp).unwrap_or(Timestamp(0)),
        traffic_started_at,
        completed_at: d.complete_time().map(to_timestamp),
        target_percent,
        events: events.iter().map(|(e, s, _)| (*e, *s)).collect(),
        gate,
        rollback,
        is_rollback_redeploy: d.creator() == Some(&cd::DeploymentCreator::CodeDeployRollback)
            || d.description()
                .is_some_and(|t| t.starts_with(ROLLBACK_DESCRIPTION)),
    }
}

/// A hook that waits: its event is in progress and its function carries the gate tag for this
/// deployment (docs/manual-gate.md).
async fn gate_of(
    aws: &EnvAws,
    calls: &Calls,
    d: &cd::DeploymentInfo,
    spec: &Option<AppSpec>,
    events: &[(LifecycleEvent, EventStatus, Option<Timestamp>)],
) -> Option<ManualGate> {
    let (event, _, since) = events
        .iter()
        .find(|(e, s, _)| *s == EventStatus::InProgress && *e != LifecycleEvent::AllowTraffic)?;
    let event_name = match event {
        LifecycleEvent::BeforeAllowTraffic => "BeforeAllowTraffic",
        _ => "AfterAllowTraffic",
    };
    let hook = spec
        .as_ref()?
        .hooks
        .iter()
        .find(|(e, _)| e == event_name)?
        .1
        .clone();
    // ListTags wants the function's ARN; an AppSpec may name the hook by ARN already.
    let arn = if hook.starts_with("arn:") {
        hook.clone()
    } else {
        let identity = aws.conn.identity().await.ok()?;
        let region = aws.conn.sdk.region()?.to_string();
        format!(
            "arn:aws:lambda:{region}:{}:function:{hook}",
            identity.account
        )
    };
    let tags = aws
        .conn
        .call(
            calls,
            aws.conn.site("lambda:ListTags", &hook),
            aws.lambda.list_tags().resource(&arn).send(),
        )
        .await
        .ok()?;
    let id = d.deployment_id()?;
    let tags: BTreeMap<String, String> = tags
        .tags()
        .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    let execution_id = gate_execution_id(&tags, id)?;
    Some(ManualGate {
        event: *event,
        execution_id,
        waiting_since: since.unwrap_or(Timestamp(0)),
    })
}

/// Joins `shiftdeck:gate:<id>`, `…:1`, `…:2`, … until a key is missing.
pub fn gate_execution_id(tags: &BTreeMap<String, String>, deployment_id: &str) -> Option<String> {
    let key = format!("{GATE_TAG}{deployment_id}");
    let mut id = tags.get(&key)?.clone();
    for part in 1.. {
        match tags.get(&format!("{key}:{part}")) {
            Some(rest) => id.push_str(rest),
            None => break,
        }
    }
    Some(id)
}

async fn idle_alias(
    aws: &EnvAws,
    calls: &Calls,
    function: &str,
    alias: &str,
    latest_deployment: Option<&str>,
) -> PortResult<AliasRouting> {
    let key = (function.to_string(), alias.to_string());
    if let Some((at, seen, routing)) = aws.cache().aliases.get(&key)
        && at.elapsed() < IDLE_ALIAS_TTL
        && seen.as_deref() == latest_deployment
    {
        return Ok(routing.clone());
    }
    let routing = get_alias(aws, calls, function, alias).await?;
    aws.cache().aliases.insert(
        key,
        (
            Instant::now(),
            latest_deployment.map(str::to_string),
            routing.clone(),
        ),
    );
    Ok(routing)
}

async fn get_alias(
    aws: &EnvAws,
    calls: &Calls,
    function: &str,
    alias: &str,
) -> PortResult<AliasRouting> {
    let out = aws
        .conn
        .call(
            calls,
            aws.conn
                .site("lambda:GetAlias", format!("{function}:{alias}")),
            aws.lambda
                .get_alias()
                .function_name(function)
                .name(alias)
                .send(),
        )
        .await?;
    let version = lambda_version(aws, calls, function, out.function_version().unwrap_or("")).await;
    let additional = match out
        .routing_config()
        .and_then(|r| r.additional_version_weights())
        .and_then(|w| w.iter().next())
    {
        Some((number, weight)) => {
            Some((lambda_version(aws, calls, function, number).await, *weight))
        }
        None => None,
    };
    Ok(AliasRouting {
        version,
        additional,
    })
}

/// A Lambda version with the release it was built from, read once (versions never change).
async fn lambda_version(
    aws: &EnvAws,
    calls: &Calls,
    function: &str,
    number: &str,
) -> LambdaVersion {
    let facts = version_facts(aws, calls, function, number).await;
    LambdaVersion {
        number: number.to_string(),
        release: facts.and_then(|f| f.release),
    }
}

async fn version_facts(
    aws: &EnvAws,
    calls: &Calls,
    function: &str,
    number: &str,
) -> Option<VersionFacts> {
    if function.is_empty() || number.is_empty() || number == "$LATEST" {
        return None;
    }
    let key = (function.to_string(), number.to_string());
    if let Some(f) = aws.cache().versions.get(&key) {
        return Some(f.clone());
    }
    // GetFunction rather than GetFunctionConfiguration: the same description and CodeSha256,
    // but under its own quota (100 requests/s) instead of the 15 requests/s the whole Lambda
    // control plane of the account shares with its deploy pipelines.
    let out = aws
        .conn
        .call(
            calls,
            aws.conn
                .site("lambda:GetFunction", format!("{function}:{number}")),
            aws.lambda
                .get_function()
                .function_name(function)
                .qualifier(number)
                .send(),
        )
        .await
        .ok()?;
    let config = out.configuration()?;
    let facts = VersionFacts {
        release: config.description().and_then(release_in_description),
        code_sha256: config.code_sha256().map(str::to_string),
    };
    aws.cache().versions.insert(key, facts.clone());
    Some(facts)
}

/// The first word of a version's description that reads as a release version (`v1.2.0`,
/// `release v1.2.0 (build 42)`, `1.2.0`).
pub fn release_in_description(text: &str) -> Option<Version> {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '=' | ':'))
        .filter(|w| {
            w.trim_start_matches('v')
                .starts_with(|c: char| c.is_ascii_digit())
        })
        .find_map(|w| Version::parse(w).ok().filter(|v| v.is_semver()))
}

/// A deployment config by name: predefined ones known, custom ones read once. A traffic
/// routing this adapter cannot model (a type newer than it) shows as AllAtOnce.
async fn deployment_config(
    aws: &EnvAws,
    calls: &Calls,
    name: &str,
) -> PortResult<DeploymentConfig> {
    if let Some(c) = DeploymentConfig::predefined(name) {
        return Ok(c);
    }
    if let Some(c) = aws.cache().configs.get(name) {
        return Ok(*c);
    }
    let out = aws
        .conn
        .call(
            calls,
            aws.conn.site("codedeploy:GetDeploymentConfig", name),
            aws.codedeploy
                .get_deployment_config()
                .deployment_config_name(name)
                .send(),
        )
        .await?;
    let config = config_of(&out).unwrap_or(DeploymentConfig::AllAtOnce);
    aws.cache().configs.insert(name.to_string(), config);
    Ok(config)
}

fn config_of(
    out: &aws_sdk_codedeploy::operation::get_deployment_config::GetDeploymentConfigOutput,
) -> Option<DeploymentConfig> {
    let routing = out.deployment_config_info()?.traffic_routing_config()?;
    match routing.r#type()? {
        cd::TrafficRoutingType::AllAtOnce => Some(DeploymentConfig::AllAtOnce),
        cd::TrafficRoutingType::TimeBasedCanary => routing.time_based_canary().and_then(|c| {
            DeploymentConfig::custom(
                CustomKind::TimeBasedCanary,
                u8::try_from(c.canary_percentage()).ok()?,
                u32::try_from(c.canary_interval()).ok()?,
            )
        }),
        cd::TrafficRoutingType::TimeBasedLinear => routing.time_based_linear().and_then(|c| {
            DeploymentConfig::custom(
                CustomKind::TimeBasedLinear,
                u8::try_from(c.linear_percentage()).ok()?,
                u32::try_from(c.linear_interval()).ok()?,
            )
        }),
        _ => None,
    }
}

fn status_of(s: Option<&cd::DeploymentStatus>) -> Option<DeploymentStatus> {
    DeploymentStatus::parse(s?.as_str())
}

fn event_of(name: &str) -> Option<LifecycleEvent> {
    Some(match name {
        "BeforeAllowTraffic" => LifecycleEvent::BeforeAllowTraffic,
        "AllowTraffic" => LifecycleEvent::AllowTraffic,
        "AfterAllowTraffic" => LifecycleEvent::AfterAllowTraffic,
        _ => return None,
    })
}

fn event_status_of(s: Option<&cd::LifecycleEventStatus>) -> EventStatus {
    match s {
        Some(cd::LifecycleEventStatus::InProgress) => EventStatus::InProgress,
        Some(cd::LifecycleEventStatus::Succeeded) => EventStatus::Succeeded,
        Some(cd::LifecycleEventStatus::Failed) => EventStatus::Failed,
        Some(cd::LifecycleEventStatus::Skipped) => EventStatus::Skipped,
        _ => EventStatus::Pending,
    }
}

fn to_timestamp(t: &DateTime) -> Timestamp {
    Timestamp(t.to_millis().unwrap_or(0))
}

fn millis(t: Option<&DateTime>) -> Option<i64> {
    t.and_then(|t| t.to_millis().ok())
}

/// The target version's share of traffic, in percent, from a deployment target's
/// `targetVersionWeight`. The API reference calls it a percentage, as Lambda's reference calls
/// an alias's `AdditionalVersionWeights`, which are fractions from 0 to 1; no emulator serves the
/// field, so both readings are accepted. Custom configurations move whole percents, so a
/// percentage is 0 or at least 1: above 1 it can only be a percentage, below 1 only a fraction.
/// Exactly 1 is read as a fraction (all traffic), which misreads only a custom 1% canary.
fn percent_of_weight(raw: f64) -> f64 {
    let percent = if raw > 1.0 { raw } else { raw * 100.0 };
    percent.clamp(0.0, 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_weight_reads_as_a_fraction_or_a_percentage() {
        assert_eq!(percent_of_weight(0.1), 10.0);
        assert_eq!(percent_of_weight(10.0), 10.0);
        assert_eq!(percent_of_weight(0.0), 0.0);
        assert_eq!(percent_of_weight(1.0), 100.0);
        assert_eq!(percent_of_weight(100.0), 100.0);
        assert_eq!(percent_of_weight(250.0), 100.0);
    }

    #[test]
    fn a_long_gate_id_is_joined_from_its_parts() {
        let mut tags = BTreeMap::new();
        tags.insert("shiftdeck:gate:d-ABC".to_string(), "a".repeat(256));
        tags.insert("shiftdeck:gate:d-ABC:1".to_string(), "b".repeat(40));
        tags.insert("shiftdeck:gate:d-OTHER".to_string(), "x".into());
        let id = gate_execution_id(&tags, "d-ABC").unwrap();
        assert_eq!(id.len(), 296);
        assert!(id.ends_with('b'));
        assert_eq!(gate_execution_id(&tags, "d-NONE"), None);
    }

    #[test]
    fn the_release_is_read_from_the_version_description() {
        let v = |s: &str| release_in_description(s).map(|v| v.as_str().to_string());
        assert_eq!(v("v1.2.0").as_deref(), Some("v1.2.0"));
        assert_eq!(
            v("release v1.3.0-rc.1 (build 42)").as_deref(),
            Some("v1.3.0-rc.1")
        );
        assert_eq!(v("ltbase=1.2.0").as_deref(), Some("1.2.0"));
        assert_eq!(v("built by the pipeline"), None);
        assert_eq!(v(""), None);
    }
}
