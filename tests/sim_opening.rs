//! What the user finds on starting the demo: a shift under way in dev, staging and prod idle, a
//! colleague's proposal for prod, a fork whose `shiftdeck.toml` describes it all; and the same
//! seed gives the same world.

mod sim_common;

use shiftdeck::config::Config;
use shiftdeck::domain::rollout::DeploymentStatus;
use shiftdeck::ports::MetricTarget;
use shiftdeck::sim::{colleague, operator};
use sim_common::*;

#[test]
fn dev_is_mid_shift_from_v1_2_1_to_v1_3_0() {
    let demo = demo();
    for t in rollout(&demo, "dev").targets {
        let shift = t.active_shift().expect("dev is shifting");
        assert_eq!(shift.status, DeploymentStatus::InProgress);
        assert_eq!(shift.from.release, Some(v("v1.2.1")));
        assert_eq!(shift.to.release, Some(v("v1.3.0")));
        assert!(
            shift.target_percent > 0.0 && shift.target_percent < 100.0,
            "{shift:?}"
        );
        assert!(shift.progress(demo.control.now()).is_some());
        assert_eq!(
            t.previous_success.as_ref().unwrap().to.release,
            Some(v("v1.2.1"))
        );
        assert_eq!(t.alarms.len(), 2);
        assert!(t.alarm_firing().is_none(), "{:?}", t.alarms);
    }
}

#[test]
fn staging_and_prod_are_idle_with_prod_awaiting_approval() {
    let demo = demo();
    for (env, release) in [("staging", "v1.2.1"), ("prod", "v1.2.0")] {
        for t in rollout(&demo, env).targets {
            assert!(t.active_shift().is_none(), "{env}: {t:?}");
            assert_eq!(t.serving().unwrap().release, Some(v(release)), "{env}");
        }
    }
    let status = demo.ports.fork.status(&demo.environments).unwrap();
    assert!(!status.dirty);
    assert_eq!((status.ahead, status.behind), (0, 0));
    let pins: Vec<_> = status
        .pins
        .iter()
        .map(|p| (p.env.as_str(), p.version.clone().unwrap()))
        .collect();
    assert_eq!(
        pins,
        [
            ("dev", v("v1.3.0")),
            ("staging", v("v1.2.1")),
            ("prod", v("v1.2.0"))
        ]
    );
    let [proposal] = status.proposals.as_slice() else {
        panic!("one proposal: {:?}", status.proposals);
    };
    assert_eq!(proposal.env, "prod");
    assert_eq!(proposal.version, v("v1.2.1"));
    assert_eq!(proposal.proposer, colleague());
    assert!(proposal.current);
    assert_eq!(demo.ports.fork.identity().unwrap(), operator());
}

#[test]
fn the_forks_config_describes_the_simulated_environments() {
    let demo = demo();
    let path = demo.config_path();
    let config = Config::parse(&std::fs::read_to_string(&path).unwrap(), &path).unwrap();
    assert_eq!(config.environments, demo.environments);
    assert_eq!(
        config.release.trusted_keys(),
        vec![shiftdeck::sim::demo_public_key().to_string()]
    );
    let prod = env(&demo, "prod");
    assert!(prod.requires_approval && prod.protected);
}

#[test]
fn the_same_seed_gives_the_same_world() {
    let (a, b) = (demo(), demo());
    for d in [&a, &b] {
        d.control.advance(minutes(3));
    }
    assert_eq!(rollout(&a, "dev"), rollout(&b, "dev"));
    let shift = latest(&a, "dev", "api");
    let targets = [MetricTarget {
        function: target(&a, "dev", "api").function,
        versions: vec![shift.from.number, shift.to.number],
    }];
    let compare = |d: &shiftdeck::sim::Demo| {
        let read =
            futures::executor::block_on(d.ports.metrics.compare(&env(d, "dev"), &targets, 15));
        read.unwrap().series
    };
    let (ma, mb) = (compare(&a), compare(&b));
    assert_eq!(ma, mb);
    assert_eq!(ma.len(), 2);
    let (baseline, canary) = (&ma[0], &ma[1]);
    // One entry per minute of the window; the canary has data only since it took traffic,
    // and the minutes before are gaps, not zeros.
    assert_eq!(baseline.error_rate.len(), 15);
    assert_eq!(canary.error_rate.len(), 15);
    assert!(
        baseline.error_rate.iter().all(Option::is_some),
        "{baseline:?}"
    );
    let served = canary.error_rate.iter().flatten().count();
    assert!(served > 0 && served < 15, "{canary:?}");
    assert!(
        canary.error_rate[0].is_none() && canary.p99_ms[0].is_none(),
        "{canary:?}"
    );
    for series in [baseline, canary] {
        assert!(
            series.error_rate.iter().flatten().all(|e| *e < 1.0),
            "{series:?}"
        );
        assert!(
            series.p99_ms.iter().flatten().all(|p| *p < 800.0),
            "{series:?}"
        );
    }
    let identity = futures::executor::block_on(a.ports.rollouts.caller(&a.environments[0]));
    assert_eq!(
        identity.map(|i| i.arn).as_deref(),
        Ok("arn:aws:sts::111122223333:assumed-role/ShiftdeckOperator/demo-operator")
    );
}
