//! Rollbacks: an alarm firing mid-shift, StopDeployment by the operator, a redeploy after a
//! finished shift, and what CodeDeploy refuses.

mod sim_common;

use futures::executor::block_on;
use shiftdeck::domain::rollout::{
    AlarmState, DeploymentStatus, RollbackPlan, Target, rollback_plan,
};
use shiftdeck::domain::schedule::DeploymentConfig;
use shiftdeck::ports::{ErrorKind, MetricTarget};
use shiftdeck::sim::{Demo, MISBEHAVING_RELEASE};
use sim_common::*;

/// Advances a minute at a time until `group`'s deployment ended, at most `limit` minutes.
fn until_ended(demo: &Demo, group: &str, limit: u64) -> Target {
    for _ in 0..limit {
        demo.control.advance(minutes(1));
        let t = target(demo, "dev", group);
        if t.active_shift().is_none() {
            return t;
        }
    }
    panic!(
        "still running after {limit} minutes: {:#?}",
        target(demo, "dev", group)
    );
}

fn assert_back_on_old(t: &Target, status: DeploymentStatus) {
    let shift = t.latest.as_ref().unwrap();
    assert_eq!(shift.status, status, "{shift:#?}");
    assert_eq!(shift.target_percent, 0.0);
    let routing = t.alias_routing.as_ref().unwrap();
    assert_eq!(routing.version, shift.from, "alias back on the old version");
    assert_eq!(routing.additional, None, "100% on the old version");
    assert_eq!(t.serving(), Some(&shift.from));
}

#[test]
fn an_alarm_on_the_misbehaving_release_rolls_the_alias_back() {
    let demo = demo();
    settle_dev(&demo);
    demo.control
        .start_deployment("dev", "api", &v(MISBEHAVING_RELEASE), None)
        .unwrap();
    demo.control.advance(secs(10));
    assert!(target(&demo, "dev", "api").latest.unwrap().target_percent > 0.0);

    let t = until_ended(&demo, "api", 2);
    assert_back_on_old(&t, DeploymentStatus::Failed);
    let rollback = t.latest.as_ref().unwrap().rollback.clone().unwrap();
    assert!(
        rollback
            .reason
            .starts_with("alarm dev-api-5xx-rate fired: Threshold Crossed"),
        "{rollback:?}"
    );
    let firing = t.alarm_firing().expect("an alarm fires");
    assert_eq!(firing.name, "dev-api-5xx-rate");
    assert!(t.alarms.iter().all(|a| a.state == AlarmState::Alarm));
    // The other group was not touched.
    assert!(target(&demo, "dev", "worker").latest.unwrap().status == DeploymentStatus::Succeeded);

    // With the canary gone, the alarms see the healthy baseline again.
    demo.control.advance(minutes(2));
    let t = target(&demo, "dev", "api");
    assert!(
        t.alarms.iter().all(|a| a.state == AlarmState::Ok),
        "{:?}",
        t.alarms
    );
}

#[test]
fn the_canary_of_the_misbehaving_release_shows_in_the_metrics() {
    let demo = demo();
    settle_dev(&demo);
    let id = demo
        .control
        .start_deployment(
            "dev",
            "api",
            &v(MISBEHAVING_RELEASE),
            Some(DeploymentConfig::Canary {
                percent: 10,
                interval_minutes: 30,
            }),
        )
        .unwrap();
    until_ended(&demo, "api", 2);
    let shift = latest(&demo, "dev", "api");
    assert_eq!(shift.deployment_id, id);
    let metrics = block_on(demo.ports.metrics.compare(
        &env(&demo, "dev"),
        &[MetricTarget {
            function: "ltbase-dev-api".into(),
            versions: vec![shift.from.number.clone(), shift.to.number.clone()],
        }],
        15,
    ))
    .unwrap()
    .series;
    let (baseline, canary) = (&metrics[0], &metrics[1]);
    // Minutes without traffic are gaps (None); every minute with data tells the story.
    assert!(
        baseline.error_rate.iter().flatten().all(|e| *e < 1.0),
        "{baseline:?}"
    );
    assert!(
        canary.error_rate.iter().flatten().next().is_some(),
        "{canary:?}"
    );
    assert!(
        canary.error_rate.iter().flatten().all(|e| *e > 5.0),
        "{canary:?}"
    );
    assert!(
        canary.p99_ms.iter().flatten().all(|p| *p > 1000.0),
        "{canary:?}"
    );
}

#[test]
fn an_injected_fault_fires_the_alarms_and_rolls_back_within_two_minutes() {
    let demo = demo();
    assert_eq!(
        demo.ports
            .sim
            .as_ref()
            .unwrap()
            .inject_fault("staging")
            .unwrap_err()
            .kind,
        ErrorKind::Conflict,
        "nothing shifts in staging"
    );
    settle_dev(&demo);
    demo.control
        .start_deployment(
            "dev",
            "worker",
            &v("v1.3.0"),
            Some(DeploymentConfig::Canary {
                percent: 10,
                interval_minutes: 30,
            }),
        )
        .unwrap();
    demo.control.advance(minutes(3));
    let healthy = target(&demo, "dev", "worker");
    assert_eq!(healthy.latest.unwrap().status, DeploymentStatus::InProgress);
    assert!(healthy.alarms.iter().all(|a| a.state == AlarmState::Ok));

    let said = demo
        .ports
        .sim
        .as_ref()
        .unwrap()
        .inject_fault("dev")
        .unwrap();
    assert!(said.contains("ltbase-dev-worker"), "{said}");
    let t = until_ended(&demo, "worker", 2);
    assert_back_on_old(&t, DeploymentStatus::Failed);
    let reason = t.latest.unwrap().rollback.unwrap().reason;
    assert!(reason.starts_with("alarm dev-worker-"), "{reason}");
}

#[test]
fn stop_mid_shift_returns_all_traffic_to_the_old_version() {
    let demo = demo();
    let dev = env(&demo, "dev");
    let running = latest(&demo, "dev", "api");
    assert_eq!(running.status, DeploymentStatus::InProgress);
    let Ok(RollbackPlan::Stop { deployment_id, to }) = rollback_plan(&target(&demo, "dev", "api"))
    else {
        panic!("a shift in progress is stopped");
    };
    block_on(demo.ports.rollouts.stop(&dev, &deployment_id)).unwrap();

    let t = target(&demo, "dev", "api");
    assert_back_on_old(&t, DeploymentStatus::Stopped);
    assert_eq!(t.serving(), Some(&to));
    let rollback = t.latest.as_ref().unwrap().rollback.clone().unwrap();
    assert_eq!(rollback.reason, "stopped by operator");
    assert_eq!(rollback.at, demo.control.now());
    // Time passing changes nothing.
    demo.control.advance(minutes(15));
    assert_back_on_old(&target(&demo, "dev", "api"), DeploymentStatus::Stopped);

    let again = block_on(demo.ports.rollouts.stop(&dev, &deployment_id)).unwrap_err();
    assert_eq!(again.kind, ErrorKind::Conflict);
    assert!(
        again.message.contains("already ended (Stopped)"),
        "{again:?}"
    );
    let unknown = block_on(demo.ports.rollouts.stop(&dev, "d-NOSUCHONE")).unwrap_err();
    assert_eq!(unknown.kind, ErrorKind::NotFound);
}

#[test]
fn a_finished_shift_is_rolled_back_by_an_all_at_once_redeploy() {
    let demo = demo();
    settle_dev(&demo);
    let t = target(&demo, "dev", "api");
    let Ok(RollbackPlan::Redeploy(request)) = rollback_plan(&t) else {
        panic!("a finished shift is redeployed");
    };
    let to = request.to.clone();
    assert_eq!(to.release, Some(v("v1.2.1")));
    assert!(!request.run_hooks && !request.ignore_alarms, "{request:?}");
    let dev = env(&demo, "dev");
    let (call, id) = block_on(demo.ports.rollouts.redeploy(&dev, &request)).unwrap();
    assert_eq!(call.action, "codedeploy:CreateDeployment");

    let shift = latest(&demo, "dev", "api");
    assert_eq!(shift.deployment_id, id);
    assert!(shift.is_rollback_redeploy);
    assert_eq!(shift.config, DeploymentConfig::AllAtOnce);
    assert_eq!(
        rollback_plan(&target(&demo, "dev", "api")).unwrap_err(),
        format!("api: a rollback deployment ({id}) is already running")
    );
    demo.control.advance(secs(6));
    let t = target(&demo, "dev", "api");
    assert_eq!(
        t.latest.as_ref().unwrap().status,
        DeploymentStatus::Succeeded
    );
    assert_eq!(t.serving(), Some(&to));
    assert_eq!(t.alias_routing.unwrap().version, to);

    // Redeploying from a version the alias no longer points at is refused.
    let stale = block_on(demo.ports.rollouts.redeploy(&dev, &request)).unwrap_err();
    assert_eq!(stale.kind, ErrorKind::Conflict);
    assert!(stale.message.contains("points at version"), "{stale:?}");
}

#[test]
fn answering_a_gate_that_does_not_wait_is_refused() {
    let demo = demo();
    let shift = latest(&demo, "dev", "api");
    let err = block_on(demo.ports.rollouts.answer_gate(
        &env(&demo, "dev"),
        &shift.deployment_id,
        "00000000-0000-4000-8000-000000000000",
        true,
    ))
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Conflict);
    assert!(
        err.message.contains("is not waiting at a lifecycle hook"),
        "{err:?}"
    );
}
