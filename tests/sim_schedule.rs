//! Every deployment config, watched minute by minute through the `Rollouts` port: the alias
//! follows the schedule exactly, and the deployment moves through CodeDeploy's statuses.

mod sim_common;

use shiftdeck::domain::rollout::{DeploymentStatus, EventStatus, LifecycleEvent};
use shiftdeck::domain::schedule::{CustomKind, DeploymentConfig, PREDEFINED};
use shiftdeck::sim::START_DELAY;
use sim_common::*;

/// Deploys `config` in dev/api and checks the weight one second after every minute.
fn follows_schedule(demo: &shiftdeck::sim::Demo, config: DeploymentConfig) {
    let before = target(demo, "dev", "api");
    let old = before.serving().unwrap().clone();
    let id = demo
        .control
        .start_deployment("dev", "api", &v("v1.3.0"), Some(config))
        .unwrap();

    let created = latest(demo, "dev", "api");
    assert_eq!(created.deployment_id, id);
    assert_eq!(created.status, DeploymentStatus::Created, "{config}");
    assert_eq!(created.from, old);
    assert_eq!(created.config, config);

    demo.control.advance(START_DELAY);
    let started = latest(demo, "dev", "api");
    // Without hooks, an all-at-once shift is over as soon as it starts.
    let expected = if config == DeploymentConfig::AllAtOnce {
        DeploymentStatus::Succeeded
    } else {
        DeploymentStatus::InProgress
    };
    assert_eq!(started.status, expected, "{config}");
    assert_eq!(
        started.events[0],
        (LifecycleEvent::BeforeAllowTraffic, EventStatus::Skipped)
    );
    let traffic_at = started.traffic_started_at.expect("traffic started");
    let new = started.to.number.clone();

    demo.control.advance(secs(1));
    let total = config.shift_duration().as_secs() / 60;
    for minute in 0..=total + 1 {
        let t = target(demo, "dev", "api");
        let shift = t.latest.clone().unwrap();
        let elapsed = demo.control.now().since(traffic_at);
        let expected = config.percent_at(elapsed);
        let observed = match shift.status {
            DeploymentStatus::Succeeded => 100.0,
            DeploymentStatus::InProgress => shift.target_percent,
            other => panic!("{config} at minute {minute}: {other:?}"),
        };
        assert_eq!(observed, f64::from(expected), "{config} at minute {minute}");
        assert_eq!(
            alias_percent_on(&t, &new),
            f64::from(expected),
            "{config} alias at minute {minute}"
        );
        demo.control.advance(minutes(1));
    }

    let done = target(demo, "dev", "api");
    let shift = done.latest.unwrap();
    assert_eq!(shift.status, DeploymentStatus::Succeeded, "{config}");
    assert_eq!(
        shift.completed_at,
        Some(traffic_at.plus(config.shift_duration()))
    );
    assert!(
        shift
            .events
            .iter()
            .all(|(_, s)| matches!(s, EventStatus::Succeeded | EventStatus::Skipped)),
        "{:?}",
        shift.events
    );
    assert_eq!(done.alias_routing.unwrap().version.number, new);
    assert_eq!(done.previous_success.map(|s| s.to), Some(old));
}

#[test]
fn every_predefined_config_moves_the_alias_minute_by_minute() {
    let demo = demo();
    settle_dev(&demo);
    for name in PREDEFINED {
        follows_schedule(&demo, DeploymentConfig::predefined(name).unwrap());
    }
}

#[test]
fn custom_configs_move_the_alias_minute_by_minute() {
    let demo = demo();
    settle_dev(&demo);
    for config in [
        DeploymentConfig::custom(CustomKind::TimeBasedCanary, 25, 4).unwrap(),
        DeploymentConfig::custom(CustomKind::TimeBasedLinear, 30, 2).unwrap(),
    ] {
        follows_schedule(&demo, config);
    }
}

#[test]
fn a_group_runs_one_deployment_at_a_time() {
    let demo = demo();
    let err = demo
        .control
        .start_deployment("dev", "api", &v("v1.3.0"), None)
        .unwrap_err();
    assert!(
        err.message.contains("already has an active deployment"),
        "{err:?}"
    );
}
