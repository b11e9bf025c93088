//! CodeDeploy deployments of Lambda aliases as shiftdeck sees them, and what may be done to them.

use serde::{Deserialize, Serialize};
use std::time::Duration;

use super::schedule::{DeploymentConfig, Step};
use super::time::Timestamp;
use super::version::Version;

/// CodeDeploy's deployment statuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DeploymentStatus {
    Created,
    Queued,
    InProgress,
    Baking,
    Succeeded,
    Failed,
    Stopped,
    Ready,
}

impl DeploymentStatus {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "Created" => Self::Created,
            "Queued" => Self::Queued,
            "InProgress" => Self::InProgress,
            "Baking" => Self::Baking,
            "Succeeded" => Self::Succeeded,
            "Failed" => Self::Failed,
            "Stopped" => Self::Stopped,
            "Ready" => Self::Ready,
            _ => return None,
        })
    }

    /// Still moving (or about to move) traffic.
    pub fn is_active(self) -> bool {
        matches!(
            self,
            Self::Created | Self::Queued | Self::InProgress | Self::Baking | Self::Ready
        )
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Created => "Created",
            Self::Queued => "Queued",
            Self::InProgress => "InProgress",
            Self::Baking => "Baking",
            Self::Succeeded => "Succeeded",
            Self::Failed => "Failed",
            Self::Stopped => "Stopped",
            Self::Ready => "Ready",
        }
    }
}

/// The lifecycle events of a Lambda deployment, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LifecycleEvent {
    BeforeAllowTraffic,
    AllowTraffic,
    AfterAllowTraffic,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventStatus {
    Pending,
    InProgress,
    Succeeded,
    Failed,
    Skipped,
}

/// A Lambda version number together with the release version it was built from, where known
/// (from the version's description or tags).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LambdaVersion {
    pub number: String,
    pub release: Option<Version>,
}

impl LambdaVersion {
    pub fn label(&self) -> String {
        match &self.release {
            Some(r) => format!("{r} (#{})", self.number),
            None => format!("#{}", self.number),
        }
    }
}

/// How long CodeDeploy waits for a Lambda lifecycle hook to answer before it fails the hook
/// (and with it the deployment).
pub const HOOK_LIMIT: Duration = Duration::from_secs(3600);

/// A hook waiting for someone to answer `PutLifecycleEventHookExecutionStatus`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManualGate {
    pub event: LifecycleEvent,
    pub execution_id: String,
    pub waiting_since: Timestamp,
}

impl ManualGate {
    /// Time left at `now` before CodeDeploy's hook limit fails the deployment.
    pub fn time_left(&self, now: Timestamp) -> Duration {
        HOOK_LIMIT.saturating_sub(now.since(self.waiting_since))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rollback {
    /// Why: the alarm that fired, or the operator's reason.
    pub reason: String,
    pub at: Timestamp,
}

/// One CodeDeploy deployment of one deployment group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Shift {
    pub deployment_id: String,
    pub status: DeploymentStatus,
    pub config: DeploymentConfig,
    pub from: LambdaVersion,
    pub to: LambdaVersion,
    pub created_at: Timestamp,
    /// When AllowTraffic began, i.e. when the schedule's clock started.
    pub traffic_started_at: Option<Timestamp>,
    pub completed_at: Option<Timestamp>,
    /// Percent on `to`, as the deployment target reports it.
    pub target_percent: f64,
    pub events: Vec<(LifecycleEvent, EventStatus)>,
    pub gate: Option<ManualGate>,
    /// Set when CodeDeploy rolled this deployment back (automatically or by StopDeployment).
    pub rollback: Option<Rollback>,
    /// True for a deployment that shiftdeck created to return to a previous version.
    pub is_rollback_redeploy: bool,
}

impl Shift {
    /// Where the schedule stands at `now`: elapsed, next step and ETA, while traffic is moving.
    pub fn progress(&self, now: Timestamp) -> Option<Progress> {
        if self.status != DeploymentStatus::InProgress {
            return None;
        }
        let started = self.traffic_started_at?;
        let elapsed = now.since(started);
        Some(Progress {
            elapsed,
            next: self.config.next_step(elapsed),
            eta: self.config.eta(started),
            scheduled_percent: self.config.percent_at(elapsed),
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    pub elapsed: Duration,
    pub next: Option<Step>,
    pub eta: Timestamp,
    pub scheduled_percent: u8,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AlarmState {
    Ok,
    Alarm,
    InsufficientData,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Alarm {
    pub name: String,
    pub state: AlarmState,
    pub reason: String,
    /// e.g. `Errors > 1 for 1 datapoints within 1 minute`.
    pub threshold: String,
    pub updated_at: Timestamp,
}

/// The alias's routing when no deployment is moving it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AliasRouting {
    pub version: LambdaVersion,
    /// Another version with its share (0..=1), when the alias is split.
    pub additional: Option<(LambdaVersion, f64)>,
}

/// One deployment group: one function's alias, shifted by CodeDeploy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub group: String,
    pub function: String,
    pub alias: String,
    /// The deployment group's configured config name.
    pub config_name: String,
    pub auto_rollback_on_alarm: bool,
    /// The newest deployment, active or not.
    pub latest: Option<Shift>,
    /// The newest succeeded deployment before `latest`, if any: where a rollback returns to.
    pub previous_success: Option<Shift>,
    pub alias_routing: Option<AliasRouting>,
    pub alarms: Vec<Alarm>,
}

impl Target {
    pub fn active_shift(&self) -> Option<&Shift> {
        self.latest.as_ref().filter(|s| s.status.is_active())
    }

    pub fn alarm_firing(&self) -> Option<&Alarm> {
        self.alarms.iter().find(|a| a.state == AlarmState::Alarm)
    }

    /// The Lambda version serving (most of) the traffic now.
    pub fn serving(&self) -> Option<&LambdaVersion> {
        match &self.latest {
            Some(s) if s.status == DeploymentStatus::Succeeded => Some(&s.to),
            Some(s) => Some(&s.from),
            None => self.alias_routing.as_ref().map(|r| &r.version),
        }
    }
}

#[cfg(test)]
mod gate_tests {
    use super::*;

    #[test]
    fn a_manual_gate_has_an_hour_before_codedeploy_fails_it() {
        let gate = ManualGate {
            event: LifecycleEvent::BeforeAllowTraffic,
            execution_id: "e".into(),
            waiting_since: Timestamp(0),
        };
        assert_eq!(gate.time_left(Timestamp(95_000)), Duration::from_secs(3505));
        assert_eq!(gate.time_left(Timestamp(4_000_000)), Duration::ZERO);
    }
}

/// How a rollback of one target will be carried out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RollbackPlan {
    /// `StopDeployment` with auto-rollback: traffic returns to `to` at once.
    Stop {
        deployment_id: String,
        to: LambdaVersion,
    },
    /// A new `LambdaAllAtOnce` deployment back to the previous version.
    Redeploy(RedeployRequest),
}

/// A rollback after a finished shift: a new `LambdaAllAtOnce` deployment of `group` with an
/// AppSpec moving `alias` of `function` from `from` back to `to`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedeployRequest {
    pub group: String,
    pub function: String,
    pub alias: String,
    pub from: LambdaVersion,
    pub to: LambdaVersion,
    /// Run the group's lifecycle hooks (a manual gate would hold the rollback) or not.
    pub run_hooks: bool,
    /// Alarms still in ALARM would make CodeDeploy stop the rollback itself.
    pub ignore_alarms: bool,
}

/// Decides how `target` can be rolled back, or why it cannot.
pub fn rollback_plan(target: &Target) -> Result<RollbackPlan, String> {
    let Some(latest) = &target.latest else {
        return Err(format!(
            "{}: no deployment has run in this group, so there is nothing to return to",
            target.group
        ));
    };
    if latest.is_rollback_redeploy && latest.status.is_active() {
        return Err(format!(
            "{}: a rollback deployment ({}) is already running",
            target.group, latest.deployment_id
        ));
    }
    if latest.status.is_active() {
        return Ok(RollbackPlan::Stop {
            deployment_id: latest.deployment_id.clone(),
            to: latest.from.clone(),
        });
    }
    if latest.is_rollback_redeploy && latest.status == DeploymentStatus::Succeeded {
        // Its `from` is the version that was rolled away from: redeploying it would undo the
        // rollback. Moving on is a promotion.
        return Err(format!(
            "{}: the last deployment ({}) was already a rollback to {}; promote a version to move on",
            target.group,
            latest.deployment_id,
            latest.to.label()
        ));
    }
    match latest.status {
        DeploymentStatus::Succeeded => {
            if let (Some(before), Some(now)) = (&latest.from.release, &latest.to.release)
                && before > now
            {
                // Someone already went back (an older version was pinned and deployed):
                // returning to the version it replaced would be a roll forward.
                return Err(format!(
                    "{}: the last deployment ({}) already went back from {before} to {now}; returning to {before} would go forward, so promote it to move on",
                    target.group, latest.deployment_id
                ));
            }
            if latest.from == latest.to {
                return Err(format!(
                    "{}: the last deployment did not change the version",
                    target.group
                ));
            }
            Ok(RollbackPlan::Redeploy(RedeployRequest {
                group: target.group.clone(),
                function: target.function.clone(),
                alias: target.alias.clone(),
                from: latest.to.clone(),
                to: latest.from.clone(),
                // An emergency return runs no hooks: a manual gate would hold it for up to an
                // hour. The AppSpec is shiftdeck's own, so leaving them out is its choice.
                run_hooks: false,
                // With an alarm still firing, CodeDeploy would stop the rollback itself.
                ignore_alarms: target.alarm_firing().is_some(),
            }))
        }
        _ => Err(format!(
            "{}: the last deployment ({}) ended {} and traffic is already on {}",
            target.group,
            latest.deployment_id,
            latest.status.label(),
            latest.from.label()
        )),
    }
}

/// Things an operator may wish for that CodeDeploy cannot do for Lambda, with the reason, so the
/// UI can show them disabled instead of faking them.
pub const NOT_POSSIBLE: [(&str, &str); 2] = [
    (
        "skip the rest of the canary",
        "CodeDeploy has no call that shortens a Lambda traffic shift; ContinueDeployment applies only to blue/green waits on EC2 and ECS",
    ),
    (
        "pause a shift",
        "CodeDeploy cannot pause a Lambda deployment; it can only be stopped, which returns traffic to the old version",
    ),
];
