//! What the simulator tests share: a demo on a manual clock and short ways to look at it.

#![allow(dead_code)]

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use shiftdeck::domain::rollout::{Shift, Target};
use shiftdeck::domain::version::Version;
use shiftdeck::environment::Environment;
use shiftdeck::ports::EnvRollout;
use shiftdeck::sim::{ClockMode, Demo, SimOptions};

pub fn demo() -> Demo {
    Demo::start(SimOptions {
        seed: 7,
        clock: ClockMode::Manual,
        targets_per_env: 2,
    })
    .expect("the demo starts")
}

pub fn minutes(m: u64) -> Duration {
    Duration::from_secs(60 * m)
}

pub fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

pub fn v(s: &str) -> Version {
    Version::parse(s).unwrap()
}

pub fn env(demo: &Demo, name: &str) -> Environment {
    demo.environments
        .iter()
        .find(|e| e.name == name)
        .cloned()
        .unwrap()
}

pub fn rollout(demo: &Demo, name: &str) -> EnvRollout {
    futures::executor::block_on(demo.ports.rollouts.environment(&env(demo, name))).unwrap()
}

pub fn target(demo: &Demo, name: &str, group: &str) -> Target {
    rollout(demo, name)
        .targets
        .into_iter()
        .find(|t| t.group == group)
        .unwrap()
}

pub fn latest(demo: &Demo, name: &str, group: &str) -> Shift {
    target(demo, name, group).latest.expect("a deployment")
}

/// Lets dev's opening shift finish, so dev is idle.
pub fn settle_dev(demo: &Demo) {
    demo.control.advance(minutes(12));
    for t in rollout(demo, "dev").targets {
        assert!(t.active_shift().is_none(), "{t:#?}");
    }
}

/// Percent of traffic on the alias's additional version, or 100 when the new version has it
/// all, as `GetAlias` would show it.
pub fn alias_percent_on(target: &Target, number: &str) -> f64 {
    let routing = target.alias_routing.as_ref().expect("alias routing");
    if routing.version.number == number {
        return 100.0;
    }
    match &routing.additional {
        Some((v, w)) if v.number == number => w * 100.0,
        _ => 0.0,
    }
}

pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}
