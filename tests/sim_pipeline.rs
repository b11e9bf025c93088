//! Promotions through the real git adapter: a pushed pin reaches the bare origin, the pipeline
//! notices it and deploys after its build; prod goes through a proposal, an approval by someone
//! else, and a manual gate.

mod sim_common;

use futures::executor::block_on;
use shiftdeck::domain::audit::ActionKind;
use shiftdeck::domain::rollout::{DeploymentStatus, EventStatus, LifecycleEvent, ManualGate};
use shiftdeck::git::GitFork;
use shiftdeck::ports::{ErrorKind, Fork, PinChange};
use shiftdeck::sim::{BUILD_TIME, Demo, HOOK_TIMEOUT, START_DELAY, colleague, operator};
use sim_common::*;

fn promote(demo: &Demo, env_name: &str, from: &str, to: &str, as_proposal: bool) -> PinChange {
    PinChange {
        env: env(demo, env_name),
        from: Some(v(from)),
        to: v(to),
        action: ActionKind::Promote,
        reason: None,
        as_proposal,
        replaces_proposal: None,
    }
}

/// Waits out the pipeline's build and CodeDeploy's start, checking nothing starts early.
fn through_pipeline(demo: &Demo, env_name: &str, previous: &str) {
    demo.control.advance(BUILD_TIME - secs(1));
    assert_eq!(
        latest(demo, env_name, "api").deployment_id,
        previous,
        "nothing deploys before the build is done"
    );
    demo.control.advance(secs(1));
}

fn waiting_gate(demo: &Demo, group: &str) -> ManualGate {
    let shift = latest(demo, "prod", group);
    assert_eq!(shift.status, DeploymentStatus::InProgress, "{shift:#?}");
    assert_eq!(
        shift.events[0],
        (LifecycleEvent::BeforeAllowTraffic, EventStatus::InProgress)
    );
    assert_eq!(shift.target_percent, 0.0);
    shift.gate.expect("waits at the manual gate")
}

#[test]
fn promote_dev_to_staging_pushes_a_commit_and_deploys_after_the_build() {
    let demo = demo();
    let origin = demo.control.origin_path();
    let previous = latest(&demo, "staging", "api").deployment_id;
    let pushed_at = demo.control.now();

    let commit = demo
        .ports
        .fork
        .pin(&promote(&demo, "staging", "v1.2.1", "v1.3.0", false))
        .unwrap();
    assert_eq!(git(&origin, &["rev-parse", "main"]).trim(), commit.commit);
    let message = git(&origin, &["log", "-1", "--format=%B", "main"]);
    assert!(message.contains("Shiftdeck-Action: promote"), "{message}");
    assert!(git(&origin, &["show", "main:lib/config.ts"]).contains("stagingVersion = \"v1.3.0\";"));
    git(&origin, &["fsck", "--strict", "--no-progress"]);

    through_pipeline(&demo, "staging", &previous);
    for t in rollout(&demo, "staging").targets {
        let shift = t.latest.unwrap();
        assert_ne!(shift.deployment_id, previous);
        assert_eq!(shift.created_at, pushed_at.plus(BUILD_TIME));
        assert_eq!(shift.status, DeploymentStatus::Created);
        assert_eq!(shift.from.release, Some(v("v1.2.1")));
        assert_eq!(shift.to.release, Some(v("v1.3.0")));
        assert_eq!(shift.config.label(), "Canary10Percent5Minutes");
    }
    // Staging's smoke test runs for 30 s before the canary gets its 10 %.
    demo.control.advance(START_DELAY + secs(29));
    assert_eq!(latest(&demo, "staging", "api").target_percent, 0.0);
    demo.control.advance(secs(1));
    let shift = latest(&demo, "staging", "worker");
    assert_eq!(
        shift.events[0],
        (LifecycleEvent::BeforeAllowTraffic, EventStatus::Succeeded)
    );
    assert_eq!(shift.target_percent, 10.0);
    demo.control.advance(minutes(5));
    assert_eq!(
        latest(&demo, "staging", "worker").status,
        DeploymentStatus::Succeeded
    );
}

#[test]
fn approving_the_colleagues_proposal_deploys_prod_through_the_manual_gate() {
    let demo = demo();
    let origin = demo.control.origin_path();
    let prod = env(&demo, "prod");
    let previous = latest(&demo, "prod", "api").deployment_id;

    let landed = demo.ports.fork.approve(&prod, &operator()).unwrap();
    let message = git(&origin, &["log", "-1", "--format=%an <%ae>%n%B", "main"]);
    assert!(
        message.starts_with("Dana Reyes <dana@acme.example>"),
        "{message}"
    );
    assert!(
        message.contains("Approved-by: Demo Operator <operator@demo.invalid>"),
        "{message}"
    );
    assert_eq!(git(&origin, &["rev-parse", "main"]).trim(), landed.commit);
    assert!(git(&origin, &["show", "main:cdk.json"]).contains("\"prodVersion\": \"v1.2.1\""));

    through_pipeline(&demo, "prod", &previous);
    demo.control.advance(START_DELAY);
    let gates: Vec<ManualGate> = ["api", "worker"].map(|g| waiting_gate(&demo, g)).to_vec();
    assert_ne!(gates[0].execution_id, gates[1].execution_id);

    // The gate holds traffic on the old version for as long as nobody answers.
    demo.control.advance(minutes(20));
    let api = target(&demo, "prod", "api");
    assert_eq!(api.serving().unwrap().release, Some(v("v1.2.0")));
    assert_eq!(waiting_gate(&demo, "api"), gates[0]);

    let shift = latest(&demo, "prod", "api");
    let wrong = block_on(demo.ports.rollouts.answer_gate(
        &prod,
        &shift.deployment_id,
        &gates[1].execution_id,
        true,
    ))
    .unwrap_err();
    assert_eq!(wrong.kind, ErrorKind::Conflict);
    block_on(demo.ports.rollouts.answer_gate(
        &prod,
        &shift.deployment_id,
        &gates[0].execution_id,
        true,
    ))
    .unwrap();
    let opened = latest(&demo, "prod", "api");
    assert_eq!(opened.gate, None);
    assert_eq!(opened.traffic_started_at, Some(demo.control.now()));
    assert_eq!(opened.target_percent, 10.0);
    assert_eq!(
        opened.events[0],
        (LifecycleEvent::BeforeAllowTraffic, EventStatus::Succeeded)
    );

    // Linear 10 % a minute, then the one-minute post-traffic check.
    demo.control.advance(minutes(9));
    let shifted = latest(&demo, "prod", "api");
    assert_eq!(shifted.status, DeploymentStatus::InProgress);
    assert_eq!(
        shifted.events[2],
        (LifecycleEvent::AfterAllowTraffic, EventStatus::InProgress)
    );
    demo.control.advance(minutes(1));
    let api = target(&demo, "prod", "api");
    assert_eq!(
        api.latest.as_ref().unwrap().status,
        DeploymentStatus::Succeeded
    );
    assert_eq!(api.serving().unwrap().release, Some(v("v1.2.1")));
    // The worker's gate was never answered: it still waits.
    waiting_gate(&demo, "worker");
}

#[test]
fn a_proposal_needs_a_second_person_and_lands_when_they_approve() {
    let demo = demo();
    let prod = env(&demo, "prod");
    let previous = latest(&demo, "prod", "api").deployment_id;
    let origin = demo.control.origin_path();
    // The operator replaces Dana's pending proposal, having seen it.
    let danas = git(&origin, &["rev-parse", "shiftdeck/proposal/prod"]);
    let proposed = demo
        .ports
        .fork
        .pin(&PinChange {
            replaces_proposal: Some(danas.trim().to_string()),
            ..promote(&demo, "prod", "v1.2.0", "v1.3.0", true)
        })
        .unwrap();
    assert_eq!(proposed.branch, "shiftdeck/proposal/prod");
    assert_eq!(
        git(&origin, &["rev-parse", "shiftdeck/proposal/prod"]).trim(),
        proposed.commit
    );
    assert!(git(&origin, &["show", "main:cdk.json"]).contains("\"prodVersion\": \"v1.2.0\""));

    let own = demo.ports.fork.approve(&prod, &operator()).unwrap_err();
    assert_eq!(own.kind, ErrorKind::Refused);
    demo.control.advance(minutes(5));
    assert_eq!(latest(&demo, "prod", "api").deployment_id, previous);

    let dana = GitFork::open(&demo.fork_path, "origin", "main")
        .unwrap()
        .with_identity(colleague());
    let approve_at = demo.control.now();
    dana.approve(&prod, &colleague()).unwrap();
    assert!(
        git(&origin, &["log", "-1", "--format=%B", "main"])
            .contains("Approved-by: Dana Reyes <dana@acme.example>")
    );
    through_pipeline(&demo, "prod", &previous);
    demo.control.advance(START_DELAY);
    let gate = waiting_gate(&demo, "api");
    assert_eq!(
        gate.waiting_since,
        approve_at.plus(BUILD_TIME + START_DELAY)
    );
    let shift = latest(&demo, "prod", "api");
    assert_eq!(shift.to.release, Some(v("v1.3.0")));
    block_on(demo.ports.rollouts.answer_gate(
        &prod,
        &shift.deployment_id,
        &gate.execution_id,
        true,
    ))
    .unwrap();
    assert_eq!(latest(&demo, "prod", "api").target_percent, 10.0);
}

#[test]
fn a_gate_answered_failed_or_left_an_hour_fails_without_moving_traffic() {
    let demo = demo();
    let prod = env(&demo, "prod");
    demo.ports.fork.approve(&prod, &operator()).unwrap();
    demo.control.advance(BUILD_TIME + START_DELAY);
    let gate = waiting_gate(&demo, "api");
    let shift = latest(&demo, "prod", "api");
    block_on(demo.ports.rollouts.answer_gate(
        &prod,
        &shift.deployment_id,
        &gate.execution_id,
        false,
    ))
    .unwrap();
    let failed = target(&demo, "prod", "api");
    let shift = failed.latest.clone().unwrap();
    assert_eq!(shift.status, DeploymentStatus::Failed);
    assert_eq!(shift.rollback, None, "no traffic had moved");
    assert_eq!(
        shift.events[0],
        (LifecycleEvent::BeforeAllowTraffic, EventStatus::Failed)
    );
    assert_eq!(failed.serving().unwrap().release, Some(v("v1.2.0")));

    demo.control.advance(HOOK_TIMEOUT);
    let timed_out = latest(&demo, "prod", "worker");
    assert_eq!(timed_out.status, DeploymentStatus::Failed);
    assert_eq!(timed_out.gate, None);
    assert_eq!(
        timed_out.completed_at,
        Some(gate.waiting_since.plus(HOOK_TIMEOUT))
    );
}

#[test]
fn reverting_the_pin_after_a_stop_deploys_nothing() {
    let demo = demo();
    let dev = env(&demo, "dev");
    let stopped = latest(&demo, "dev", "api").deployment_id;
    for t in rollout(&demo, "dev").targets {
        let id = t.latest.unwrap().deployment_id;
        block_on(demo.ports.rollouts.stop(&dev, &id)).unwrap();
    }
    demo.ports
        .fork
        .pin(&PinChange {
            env: dev.clone(),
            from: Some(v("v1.3.0")),
            to: v("v1.2.1"),
            action: ActionKind::Rollback,
            reason: Some("error rate".into()),
            as_proposal: false,
            replaces_proposal: None,
        })
        .unwrap();
    demo.control.advance(minutes(5));
    let t = target(&demo, "dev", "api");
    assert_eq!(t.latest.as_ref().unwrap().deployment_id, stopped);
    assert_eq!(t.serving().unwrap().release, Some(v("v1.2.1")));
}
