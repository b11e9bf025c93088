//! Between a pushed pin and its deployment: the customer's pipeline builds and deploys the pin,
//! and until a deployment of that version appears the environment waits for it.

use std::time::Duration;

use super::rollout::Target;
use super::time::Timestamp;
use super::version::Version;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PipelineWait {
    pub version: Version,
    pub pushed_at: Timestamp,
    /// No deployment appeared within the configured time: the pipeline may have failed.
    pub overdue: bool,
}

/// Whether `targets` still wait for the pipeline to deploy `pin`, pushed at `pushed_at`: no
/// deployment of it was created since, and not every group serves it already.
pub fn waiting(
    pin: &Version,
    pushed_at: Timestamp,
    targets: &[Target],
    now: Timestamp,
    warn_after: Duration,
) -> Option<PipelineWait> {
    if targets.is_empty() {
        return None;
    }
    // A deployment of the pin that runs now, or was created after the push, is the pipeline's
    // answer. The deployment's clock (AWS, or the simulator's) and the commit's (the pusher's
    // machine) are not the same clock, so a running one counts whenever it was created, and a
    // finished one if it ended after the push: a canary that failed and rolled back is that
    // answer, not a pipeline that never started. One that ended before the push answered an
    // earlier pin of the same version.
    let started = targets.iter().any(|t| {
        t.latest.as_ref().is_some_and(|s| {
            s.to.release.as_ref() == Some(pin)
                && (s.status.is_active()
                    || s.created_at >= pushed_at
                    || s.completed_at.is_some_and(|done| done >= pushed_at))
        })
    });
    let serving = targets
        .iter()
        .all(|t| t.serving().and_then(|v| v.release.as_ref()) == Some(pin));
    if started || serving {
        return None;
    }
    Some(PipelineWait {
        version: pin.clone(),
        pushed_at,
        overdue: now.since(pushed_at) >= warn_after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::rollout::{AliasRouting, DeploymentStatus, LambdaVersion, Shift};
    use crate::domain::schedule::DeploymentConfig;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn idle_on(release: &str) -> Target {
        Target {
            group: "api".into(),
            function: "f".into(),
            alias: "Prod".into(),
            config_name: "CodeDeployDefault.LambdaAllAtOnce".into(),
            auto_rollback_on_alarm: true,
            latest: None,
            previous_success: None,
            alias_routing: Some(AliasRouting {
                version: LambdaVersion {
                    number: "3".into(),
                    release: Some(v(release)),
                },
                additional: None,
            }),
            alarms: vec![],
        }
    }

    #[test]
    fn a_pushed_pin_waits_until_a_deployment_appears_and_is_overdue_after_the_limit() {
        let pushed = Timestamp(1_000_000);
        let limit = Duration::from_secs(15 * 60);
        let targets = [idle_on("v1.2.0")];
        let wait = waiting(
            &v("v1.3.0"),
            pushed,
            &targets,
            pushed.plus(Duration::from_secs(120)),
            limit,
        )
        .unwrap();
        assert!(!wait.overdue);
        let late = waiting(&v("v1.3.0"), pushed, &targets, pushed.plus(limit), limit).unwrap();
        assert!(late.overdue);
        // Once every group serves the pin there is nothing to wait for.
        assert_eq!(waiting(&v("v1.2.0"), pushed, &targets, pushed, limit), None);
    }

    #[test]
    fn a_deployment_created_or_ended_after_the_push_ends_the_wait_and_an_older_one_does_not() {
        let pushed = Timestamp(1_000_000);
        let limit = Duration::from_secs(900);
        let shift_at = |created_at| {
            let mut t = idle_on("v1.2.0");
            t.latest = Some(Shift {
                deployment_id: "d-1".into(),
                status: DeploymentStatus::InProgress,
                config: DeploymentConfig::AllAtOnce,
                from: LambdaVersion {
                    number: "3".into(),
                    release: Some(v("v1.2.0")),
                },
                to: LambdaVersion {
                    number: "4".into(),
                    release: Some(v("v1.3.0")),
                },
                created_at,
                traffic_started_at: None,
                completed_at: None,
                target_percent: 0.0,
                events: vec![],
                gate: None,
                rollback: None,
                is_rollback_redeploy: false,
            });
            t
        };
        let now = pushed.plus(Duration::from_secs(60));
        assert_eq!(
            waiting(
                &v("v1.3.0"),
                pushed,
                &[shift_at(pushed.plus(Duration::from_secs(30)))],
                now,
                limit
            ),
            None
        );
        // A running shift of the pin ends the wait even if its clock says it began earlier.
        assert_eq!(
            waiting(&v("v1.3.0"), pushed, &[shift_at(Timestamp(1))], now, limit),
            None
        );
        let failed = |completed_at| {
            let mut t = shift_at(Timestamp(1));
            if let Some(s) = t.latest.as_mut() {
                s.status = DeploymentStatus::Failed;
                s.completed_at = completed_at;
            }
            t
        };
        // Failed and rolled back after the push, by a clock that dated its start earlier: the
        // pipeline did deploy the pin.
        let after_push = failed(Some(pushed.plus(Duration::from_secs(20))));
        assert_eq!(
            waiting(&v("v1.3.0"), pushed, &[after_push], now, limit),
            None
        );
        // Ended before the push, or with no end known: an earlier pin's deployment.
        let before_push = failed(Some(Timestamp(2)));
        assert!(waiting(&v("v1.3.0"), pushed, &[before_push], now, limit).is_some());
        assert!(waiting(&v("v1.3.0"), pushed, &[failed(None)], now, limit).is_some());
    }
}
