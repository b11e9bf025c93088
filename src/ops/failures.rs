//! A version that failed somewhere is not carried onward by accident: what happened to it,
//! where and when, from the deployments and alarms read.

use std::time::Duration;

use crate::domain::rollout::{DeploymentStatus, Target};
use crate::domain::time::Timestamp;
use crate::domain::version::Version;

use super::snapshot::Snapshot;

/// How long a failure counts against a version unless configured otherwise.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(72 * 3600);

/// One bad sign about a version in one environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub env: String,
    pub group: String,
    pub deployment_id: String,
    /// What happened, e.g. `rolled back: alarm dev-api-5xx-rate fired`.
    pub what: String,
    pub at: Timestamp,
}

impl Failure {
    pub fn line(&self, version: &Version) -> String {
        format!(
            "{version} {} in {} ({}, deployment {}) at {}",
            self.what,
            self.env,
            self.group,
            self.deployment_id,
            self.at.rfc3339()
        )
    }
}

/// Every failure of `version` within `window` before `snapshot.now`, in any environment.
pub fn failures_of(snapshot: &Snapshot, version: &Version, window: Duration) -> Vec<Failure> {
    let since = Timestamp(snapshot.now.millis() - window.as_millis() as i64);
    let mut found = Vec::new();
    for (env, read) in &snapshot.rollouts {
        let Ok(rollout) = read else { continue };
        for t in &rollout.targets {
            found.extend(
                failure_in(t, version)
                    .filter(|(_, at, _)| *at >= since)
                    .map(|(what, at, id)| Failure {
                        env: env.to_string(),
                        group: t.group.clone(),
                        deployment_id: id,
                        what,
                        at,
                    }),
            );
        }
    }
    found
}

/// What went wrong with `version` in `target`'s newest deployment, when anything did.
fn failure_in(t: &Target, version: &Version) -> Option<(String, Timestamp, String)> {
    let d = t.latest.as_ref()?;
    let id = d.deployment_id.clone();
    let when = d.completed_at.unwrap_or(d.created_at);
    if d.to.release.as_ref() == Some(version) {
        if let Some(rb) = &d.rollback {
            return Some((format!("was rolled back ({})", rb.reason), rb.at, id));
        }
        match d.status {
            DeploymentStatus::Failed => return Some(("failed".into(), when, id)),
            DeploymentStatus::Stopped => return Some(("was stopped".into(), when, id)),
            _ => {}
        }
        if let Some(alarm) = t.alarm_firing() {
            return Some((
                format!("fired the alarm {}", alarm.name),
                alarm.updated_at,
                id,
            ));
        }
    }
    // An operator's rollback after a finished shift: the version it left is the bad one.
    if d.is_rollback_redeploy && d.from.release.as_ref() == Some(version) {
        return Some(("was rolled back by an operator".into(), d.created_at, id));
    }
    None
}
