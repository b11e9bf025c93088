//! The cockpit's flows as a user drives them with keys, against the simulated world on a manual
//! clock: no terminal, real git underneath, deterministic.

use std::process::Command as Process;
use std::time::Duration;

use shiftdeck::app::action::Command;
use shiftdeck::app::headless::Headless;
use shiftdeck::app::runner::World;
use shiftdeck::app::state::{Modal, Pane, Settings, State};
use shiftdeck::domain::audit::{ActionKind, Outcome};
use shiftdeck::domain::rollout::DeploymentStatus;
use shiftdeck::sim::{ClockMode, Demo, SimOptions};
use shiftdeck::ui::{Keymap, Theme};

use ratatui::layout::Rect;

struct Cockpit {
    demo: Demo,
    app: Headless,
}

async fn cockpit(read_only: bool) -> Cockpit {
    cockpit_at(read_only, 120, 40).await
}

/// The cockpit as seen on a `width` × `height` terminal.
async fn cockpit_at(read_only: bool, width: u16, height: u16) -> Cockpit {
    let demo = Demo::start(SimOptions {
        seed: 7,
        clock: ClockMode::Manual,
        targets_per_env: 2,
    })
    .expect("the simulated world starts");
    let settings = Settings {
        environments: demo.environments.clone(),
        read_only,
        demo: true,
        refresh_active: Duration::from_secs(20),
        refresh_idle: Duration::from_secs(100),
        refresh_metrics: Duration::ZERO,
        pipeline_warning: Duration::from_secs(15 * 60),
        failure_window: shiftdeck::ops::failures::DEFAULT_WINDOW,
        clock_speed: 1.0,
        notify: Default::default(),
    };
    let state = State::new(settings, demo.ports.clock.now());
    let world = World::new(demo.ports.clone(), demo.environments.clone());
    let mut app = Headless::new(world, state);
    // The operator looks at the terminal: what fits there has been on screen.
    let (keymap, theme) = (Keymap::default(), Theme::load(None, false).unwrap());
    app.look = Some(Box::new(move |s: &State| {
        shiftdeck::ui::laid_out(s, &keymap, &theme, Rect::new(0, 0, width, height))
    }));
    app.start().await;
    Cockpit { demo, app }
}

impl Cockpit {
    async fn advance(&mut self, d: Duration) {
        self.demo.control.advance(d);
        self.app.refresh().await;
    }

    async fn select_env(&mut self, name: &str) {
        self.app.state.focus = Pane::Environments;
        for _ in 0..self.app.state.settings.environments.len() {
            self.app.press(Command::Up).await;
        }
        while self.app.state.env().unwrap().name != name {
            let before = self.app.state.selected_env;
            self.app.press(Command::Down).await;
            assert_ne!(before, self.app.state.selected_env, "no environment {name}");
        }
    }

    async fn select_version(&mut self, version: &str) {
        self.app.state.focus = Pane::Environments;
        self.app.press(Command::NextPane).await;
        assert_eq!(self.app.state.focus, Pane::Versions);
        for _ in 0..20 {
            self.app.press(Command::Up).await;
        }
        while self.app.state.selected_release().unwrap().version.as_str() != version {
            let before = self.app.state.selected_version;
            self.app.press(Command::Down).await;
            assert_ne!(
                before, self.app.state.selected_version,
                "no version {version}"
            );
        }
    }

    /// Presses `command`, checks that its confirm modal says each of `says` and none of
    /// `not`, confirms, and checks that the action went through without an error.
    async fn confirm(&mut self, command: Command, says: &[&str], not: &[&str]) {
        self.app.press(command).await;
        let text = self.modal_text();
        for s in says {
            assert!(text.contains(s), "{s:?} missing from: {text}");
        }
        for n in not {
            assert!(!text.contains(n), "{n:?} in: {text}");
        }
        self.read_to_end().await;
        self.app.press(Command::Confirm).await;
        assert_eq!(self.app.state.modal, None, "{}", self.modal_text());
    }

    /// Scrolls the open confirm modal down until all of its plan has been on screen.
    async fn read_to_end(&mut self) {
        for _ in 0..200 {
            if self.app.state.confirm_view.scroll.seen_to_end
                || !matches!(self.app.state.modal, Some(Modal::Confirm(_)))
            {
                return;
            }
            self.app.press(Command::Down).await;
        }
        panic!("the plan never scrolled to its end");
    }

    fn modal_text(&self) -> String {
        match &self.app.state.modal {
            Some(Modal::Message { title, body }) => format!("{title}: {body}"),
            Some(Modal::Confirm(c)) => c
                .details
                .iter()
                .map(|(k, v)| format!("{k}: {v}\n"))
                .collect(),
            None => String::new(),
        }
    }

    fn git(&self, args: &[&str]) -> String {
        let out = Process::new("git")
            .arg("-C")
            .arg(self.demo.control.origin_path())
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn status_of(&self, env: &str) -> Vec<DeploymentStatus> {
        self.app.state.rollouts[env]
            .value
            .as_ref()
            .unwrap()
            .targets
            .iter()
            .filter_map(|t| t.latest.as_ref().map(|s| s.status))
            .collect()
    }

    fn audit(&self) -> Vec<shiftdeck::domain::audit::AuditRecord> {
        self.demo.ports.audit.read_all().unwrap()
    }
}

#[tokio::test]
async fn promote_dev_to_staging_pushes_a_commit_and_the_pipeline_deploys_it() {
    let mut c = cockpit(false).await;
    // Let dev's opening shift finish first: promotion into a shifting environment is refused.
    c.advance(Duration::from_secs(15 * 60)).await;
    assert_eq!(c.app.state.pinned("dev").unwrap().as_str(), "v1.3.0");
    c.select_env("dev").await;
    c.confirm(Command::Promote, &["staging", "v1.2.1 → v1.3.0"], &[])
        .await;

    let log = c.git(&["log", "-1", "--format=%B", "main"]);
    assert!(log.starts_with("Pin staging to v1.3.0"), "{log}");
    assert!(
        log.contains("Shiftdeck-Action: promote") && log.contains("Released-by: Demo Operator"),
        "{log}"
    );
    assert_eq!(c.app.state.pinned("staging").unwrap().as_str(), "v1.3.0");

    c.advance(Duration::from_secs(3 * 60)).await;
    assert!(
        c.status_of("staging").iter().any(|s| s.is_active()),
        "a deployment started in staging: {:?}",
        c.status_of("staging")
    );
    let audit = c.audit();
    let last = audit.last().unwrap();
    assert_eq!(
        (last.action, last.outcome, last.environment.as_str()),
        (ActionKind::Promote, Outcome::Succeeded, "staging")
    );
    assert!(
        last.api_calls.iter().any(|call| call.contains("git push")),
        "{:?}",
        last.api_calls
    );
}

#[tokio::test]
async fn approving_the_colleagues_proposal_lands_it_and_ones_own_proposal_cannot_be_self_approved()
{
    let mut c = cockpit(false).await;
    c.select_env("prod").await;
    c.confirm(Command::Approve, &["Dana Reyes", "v1.2.1"], &[])
        .await;
    let log = c.git(&["log", "-1", "--format=%B", "main"]);
    assert!(log.contains("Approved-by: Demo Operator"), "{log}");
    assert_eq!(c.app.state.pinned("prod").unwrap().as_str(), "v1.2.1");
    assert!(
        c.app
            .state
            .fork
            .value
            .as_ref()
            .unwrap()
            .proposals
            .is_empty()
    );

    // The pipeline deploys it and waits at prod's manual gate until someone opens it.
    c.advance(Duration::from_secs(3 * 60)).await;
    c.confirm(
        Command::Approve,
        &["PutLifecycleEventHookExecutionStatus"],
        &[],
    )
    .await;
    c.advance(Duration::from_secs(30 * 60)).await;
    assert_eq!(
        c.status_of("prod"),
        [DeploymentStatus::Succeeded, DeploymentStatus::Succeeded]
    );

    // Now the operator proposes v1.3.0 for prod and tries to approve it personally.
    c.select_version("v1.3.0").await;
    c.select_env_keeping_focus("prod").await;
    c.app.press(Command::Promote).await;
    assert!(c.modal_text().contains("approval"), "{}", c.modal_text());
    c.app.press(Command::Confirm).await;
    let proposals = &c.app.state.fork.value.as_ref().unwrap().proposals;
    assert_eq!(proposals.len(), 1, "{proposals:?}");
    c.app.state.focus = Pane::Environments;
    c.app.press(Command::Approve).await;
    let text = c.modal_text();
    assert!(
        text.contains("you proposed v1.3.0") && text.contains("other than the proposer"),
        "{text}"
    );
    assert_eq!(c.app.state.pinned("prod").unwrap().as_str(), "v1.2.1");
}

#[tokio::test]
async fn a_colleagues_pending_proposal_is_replaced_only_knowingly() {
    let mut c = cockpit(false).await;
    let before = c.git(&["rev-parse", "shiftdeck/proposal/prod"]);

    // Proposing the same version again is refused: approving it is what is left to do.
    c.select_env("staging").await;
    c.app.press(Command::Promote).await;
    let text = c.modal_text();
    assert!(
        text.contains("already proposed for prod by Dana Reyes")
            && text.contains("a in the cockpit"),
        "{text}"
    );
    c.app.press(Command::Cancel).await;
    assert_eq!(c.git(&["rev-parse", "shiftdeck/proposal/prod"]), before);

    // Proposing another version says whose proposal it replaces before anything is pushed.
    c.select_version("v1.3.0").await;
    c.select_env_keeping_focus("prod").await;
    c.app.press(Command::Promote).await;
    let text = c.modal_text();
    assert!(
        text.contains("replaces") && text.contains("v1.2.1 by Dana Reyes"),
        "{text}"
    );
    assert_eq!(c.git(&["rev-parse", "shiftdeck/proposal/prod"]), before);

    // Confirmed, having seen it, the new proposal replaces hers.
    c.app.press(Command::Confirm).await;
    assert_eq!(c.app.state.modal, None, "{}", c.modal_text());
    let fork = c.app.state.fork.value.clone().unwrap();
    let proposal = &fork.proposals[0];
    assert_eq!(
        (proposal.version.as_str(), proposal.proposer.name.as_str()),
        ("v1.3.0", "Demo Operator")
    );
}

impl Cockpit {
    /// Selects an environment while the versions pane keeps focus.
    async fn select_env_keeping_focus(&mut self, name: &str) {
        let focus = self.app.state.focus;
        self.select_env(name).await;
        self.app.state.focus = focus;
    }
}

#[tokio::test]
async fn yanked_unsigned_and_tampered_versions_are_refused_with_the_reason_and_audited() {
    let mut c = cockpit(false).await;
    let releases = c.app.state.releases.value.clone().unwrap();
    for (status, needle) in [
        ("yanked", "yanked"),
        ("unsigned", "unsigned"),
        ("bad signature", "bad signature"),
    ] {
        let release = releases
            .iter()
            .find(|r| r.status.label() == status)
            .expect(status);
        c.select_version(release.version.as_str()).await;
        c.select_env_keeping_focus("staging").await;
        c.app.press(Command::Promote).await;
        let text = c.modal_text();
        assert!(
            text.starts_with("Cannot pin") && text.contains(needle),
            "{text}"
        );
        c.app.press(Command::Cancel).await;
        let last = c.audit().pop().unwrap();
        assert_eq!(last.outcome, Outcome::Refused);
        assert!(last.message.contains(needle), "{}", last.message);
    }
    assert_eq!(c.app.state.pinned("staging").unwrap().as_str(), "v1.2.1");
}

#[tokio::test]
async fn an_unsigned_version_is_pinned_only_with_a_typed_reason_and_tampered_ones_never() {
    let mut c = cockpit(false).await;
    let releases = c.app.state.releases.value.clone().unwrap();
    let version_with = |status: &str| {
        releases
            .iter()
            .find(|r| r.status.label() == status)
            .map(|r| r.version.to_string())
            .expect(status)
    };

    // A bad signature means the bytes are not the vendor's: no override.
    c.select_version(&version_with("bad signature")).await;
    c.select_env_keeping_focus("staging").await;
    c.app.press(Command::PromoteOverride).await;
    let text = c.modal_text();
    assert!(text.contains("cannot be overridden"), "{text}");
    c.app.press(Command::Cancel).await;

    // An unsigned one may be pinned, but Enter does nothing until a reason is typed.
    let unsigned = version_with("unsigned");
    c.select_version(&unsigned).await;
    c.select_env_keeping_focus("staging").await;
    c.app.press(Command::Promote).await;
    assert!(
        c.modal_text().contains("P in the cockpit"),
        "{}",
        c.modal_text()
    );
    c.app.press(Command::Cancel).await;
    c.app.press(Command::PromoteOverride).await;
    assert!(c.modal_text().contains("OVERRIDE"), "{}", c.modal_text());
    c.app.type_text("vendor").await;
    c.app.press(Command::Confirm).await;
    assert!(
        matches!(c.app.state.modal, Some(Modal::Confirm(_))),
        "a short reason must not be accepted"
    );
    assert_eq!(c.app.state.pinned("staging").unwrap().as_str(), "v1.2.1");
    c.app.type_text(" hotfix for INC-4211").await;
    c.app.press(Command::Confirm).await;
    assert_eq!(c.app.state.modal, None, "{}", c.modal_text());
    assert_eq!(
        c.app.state.pinned("staging").unwrap().as_str(),
        unsigned.as_str()
    );

    // The reason and what was overridden are in the pushed commit and in the audit log.
    let log = c.git(&["log", "-1", "--format=%B", "main"]);
    assert!(
        log.contains("Reason: vendor hotfix for INC-4211")
            && log.contains("Override: ")
            && log.contains("unsigned"),
        "{log}"
    );
    let last = c.audit().pop().unwrap();
    assert_eq!(last.outcome, Outcome::Succeeded);
    assert!(
        last.message.contains("vendor hotfix for INC-4211"),
        "{}",
        last.message
    );

    // Second thoughts before the pipeline has deployed it: rollback is the pin revert alone.
    c.select_env("staging").await;
    c.confirm(
        Command::Rollback,
        &[&format!("{unsigned} → v1.2.1")],
        &["CreateDeployment"],
    )
    .await;
    assert_eq!(c.app.state.pinned("staging").unwrap().as_str(), "v1.2.1");
    c.advance(Duration::from_secs(10 * 60)).await;
    let rollout = c.app.state.rollouts["staging"].value.clone().unwrap();
    for t in &rollout.targets {
        let serving = t.serving().and_then(|v| v.release.clone()).unwrap();
        assert_eq!(serving.as_str(), "v1.2.1", "{}", t.group);
    }
}

#[tokio::test]
async fn read_only_refuses_every_action_and_says_so() {
    let mut c = cockpit(true).await;
    for cmd in [Command::Promote, Command::Approve, Command::Rollback] {
        c.app.press(cmd).await;
        assert!(
            c.modal_text().contains("read-only"),
            "{cmd:?}: {}",
            c.modal_text()
        );
        c.app.press(Command::Cancel).await;
    }
}

#[tokio::test]
async fn rollback_mid_shift_stops_the_deployment_returns_traffic_and_reverts_the_pin() {
    let mut c = cockpit(false).await;
    c.advance(Duration::from_secs(3 * 60)).await;
    c.select_env("dev").await;
    assert!(
        c.status_of("dev")
            .iter()
            .all(|s| *s == DeploymentStatus::InProgress),
        "{:?}",
        c.status_of("dev")
    );
    c.confirm(
        Command::Rollback,
        &["StopDeployment", "v1.3.0 → v1.2.1"],
        &[],
    )
    .await;
    c.advance(Duration::from_secs(60)).await;

    let rollout = c.app.state.rollouts["dev"].value.clone().unwrap();
    for t in &rollout.targets {
        let s = t.latest.as_ref().unwrap();
        assert!(s.rollback.is_some(), "{}: {:?}", t.group, s.status);
        assert_eq!(
            s.target_percent, 0.0,
            "{}: traffic back on the old version",
            t.group
        );
    }
    assert_eq!(c.app.state.pinned("dev").unwrap().as_str(), "v1.2.1");
    let log = c.git(&["log", "-1", "--format=%B", "main"]);
    assert!(
        log.starts_with("Roll back dev to v1.2.1") && log.contains("Shiftdeck-Action: rollback"),
        "{log}"
    );
}

#[tokio::test]
async fn rolling_back_a_protected_environment_needs_its_name_typed() {
    let mut c = cockpit(false).await;
    c.select_env("prod").await;
    c.app.press(Command::Approve).await;
    c.app.press(Command::Confirm).await;
    // The approved pin deploys to prod and waits at the manual gate; approve opens it.
    c.advance(Duration::from_secs(3 * 60)).await;
    c.app.press(Command::Approve).await;
    assert!(
        c.modal_text()
            .contains("PutLifecycleEventHookExecutionStatus"),
        "{}",
        c.modal_text()
    );
    c.app.press(Command::Confirm).await;
    c.advance(Duration::from_secs(2 * 60)).await;
    assert!(
        c.status_of("prod").contains(&DeploymentStatus::InProgress),
        "{:?}",
        c.status_of("prod")
    );

    c.app.press(Command::Rollback).await;
    c.app.press(Command::Confirm).await;
    assert!(
        matches!(c.app.state.modal, Some(Modal::Confirm(_))),
        "Enter without the name does nothing"
    );
    c.app.type_text("prd").await;
    c.app.press(Command::Confirm).await;
    assert!(
        matches!(c.app.state.modal, Some(Modal::Confirm(_))),
        "a wrong name does nothing"
    );
    c.app
        .dispatch(shiftdeck::app::action::Action::Backspace)
        .await;
    c.app
        .dispatch(shiftdeck::app::action::Action::Backspace)
        .await;
    c.app.type_text("rod").await;
    c.app.press(Command::Confirm).await;
    assert_eq!(c.app.state.modal, None, "{}", c.modal_text());
    c.advance(Duration::from_secs(30)).await;
    assert!(
        c.status_of("prod")
            .iter()
            .all(|s| *s == DeploymentStatus::Stopped),
        "{:?}",
        c.status_of("prod")
    );
}

#[tokio::test]
async fn an_injected_fault_fires_the_alarm_and_codedeploy_rolls_back_on_its_own() {
    let mut c = cockpit(false).await;
    c.select_env("dev").await;
    c.app.press(Command::InjectFault).await;
    c.advance(Duration::from_secs(3 * 60)).await;
    let rollout = c.app.state.rollouts["dev"].value.clone().unwrap();
    for t in &rollout.targets {
        let s = t.latest.as_ref().unwrap();
        assert_eq!(s.status, DeploymentStatus::Failed, "{}", t.group);
        let reason = &s.rollback.as_ref().expect("rolled back").reason;
        assert!(reason.contains("alarm"), "{reason}");
        assert_eq!(s.target_percent, 0.0);
    }

    // Traffic is back on v1.2.1, but the pin still names v1.3.0, which the next pipeline run
    // would deploy again: rollback now offers the pin revert alone, with no CodeDeploy call.
    assert_eq!(c.app.state.pinned("dev").unwrap().as_str(), "v1.3.0");
    c.confirm(
        Command::Rollback,
        &["v1.3.0 → v1.2.1", "traffic is already on the old version"],
        &["StopDeployment"],
    )
    .await;
    assert_eq!(c.app.state.pinned("dev").unwrap().as_str(), "v1.2.1");
    let log = c.git(&["log", "-1", "--format=%B", "main"]);
    assert!(log.contains("Shiftdeck-Action: rollback"), "{log}");

    // With the pin reverted there is nothing left to roll back, and the reason says so.
    c.app.press(Command::Rollback).await;
    assert!(
        c.modal_text().contains("nothing to roll back in dev"),
        "{}",
        c.modal_text()
    );
}

#[tokio::test]
async fn illegal_actions_are_refused_with_the_reason() {
    let mut c = cockpit(false).await;
    c.select_env("staging").await;
    c.app.press(Command::Approve).await;
    assert!(
        c.modal_text()
            .contains("nothing in staging awaits approval"),
        "{}",
        c.modal_text()
    );
    c.app.press(Command::Cancel).await;
    c.select_env("dev").await;
    c.app.press(Command::Promote).await;
    assert!(
        c.modal_text().contains("v1.3.0 is still shifting in dev"),
        "{}",
        c.modal_text()
    );
    c.app.press(Command::Cancel).await;
    c.select_env("prod").await;
    c.app.press(Command::Promote).await;
    assert!(
        c.modal_text().contains("prod is the last environment"),
        "{}",
        c.modal_text()
    );
}

#[tokio::test]
async fn a_filter_narrows_the_list_of_the_pane_it_was_started_in() {
    let mut c = cockpit(false).await;
    let all_versions = c.app.state.visible_releases().len();
    c.select_env("dev").await;

    // Looking for a version leaves the shift pane showing every target.
    c.select_version("v1.1.0").await;
    c.app.press(Command::Filter).await;
    c.app.type_text("1.4").await;
    c.app.press(Command::Confirm).await;
    let versions: Vec<String> = c
        .app
        .state
        .visible_releases()
        .iter()
        .map(|r| r.version.to_string())
        .collect();
    assert!(
        !versions.is_empty() && versions.iter().all(|v| v.contains("1.4")),
        "{versions:?}"
    );
    assert_eq!(c.app.state.visible_targets().len(), 2);

    // Filtering from the shift pane narrows the targets and gives the versions back.
    c.app.state.focus = Pane::Shift;
    c.app.press(Command::Filter).await;
    c.app.type_text("work").await;
    c.app.press(Command::Confirm).await;
    let groups: Vec<&str> = c
        .app
        .state
        .visible_targets()
        .iter()
        .map(|t| t.group.as_str())
        .collect();
    assert_eq!(groups, ["worker"]);
    assert_eq!(c.app.state.visible_releases().len(), all_versions);
}

/// prod approved, its gate opened and its shift from v1.2.0 to v1.2.1 finished.
async fn prod_on_v1_2_1(c: &mut Cockpit) {
    c.select_env("prod").await;
    c.confirm(Command::Approve, &["Dana Reyes", "v1.2.1"], &[])
        .await;
    c.advance(Duration::from_secs(3 * 60)).await;
    c.confirm(
        Command::Approve,
        &["PutLifecycleEventHookExecutionStatus"],
        &[],
    )
    .await;
    c.advance(Duration::from_secs(30 * 60)).await;
    assert_eq!(
        c.status_of("prod"),
        [DeploymentStatus::Succeeded, DeploymentStatus::Succeeded]
    );
}

#[tokio::test]
async fn after_a_rollback_rollback_never_offers_the_version_rolled_back_from() {
    let mut c = cockpit(false).await;
    prod_on_v1_2_1(&mut c).await;
    c.app.press(Command::Rollback).await;
    let text = c.modal_text();
    assert!(
        text.contains("LambdaAllAtOnce v1.2.1") && text.contains("→ v1.2.0"),
        "{text}"
    );
    c.app.type_text("prod").await;
    c.app.press(Command::Confirm).await;
    assert_eq!(c.app.state.modal, None, "{}", c.modal_text());
    c.advance(Duration::from_secs(5 * 60)).await;
    assert_eq!(c.app.state.pinned("prod").unwrap().as_str(), "v1.2.0");

    c.app.press(Command::Rollback).await;
    let text = c.modal_text();
    assert!(
        !text.contains("v1.2.1"),
        "a rollback must not go forward: {text}"
    );
    assert!(text.contains("nothing to roll back in prod"), "{text}");
}

#[tokio::test]
async fn after_pinning_an_older_version_rollback_does_not_offer_the_newer_one() {
    let mut c = cockpit(false).await;
    // staging runs v1.2.1; pinning v1.2.0 there is how a release manager goes back by hand.
    c.select_version("v1.2.0").await;
    c.select_env_keeping_focus("staging").await;
    c.confirm(Command::Promote, &["v1.2.1 → v1.2.0"], &[]).await;
    c.app.state.focus = Pane::Environments;
    // Before the pipeline deploys it, reverting the pin would go forward.
    c.app.press(Command::Rollback).await;
    let text = c.modal_text();
    assert!(
        text.contains("nothing to roll back in staging") && text.contains("older than the v1.2.1"),
        "{text}"
    );
    c.app.press(Command::Cancel).await;
    // Once deployed, the deployment itself went back: redeploying v1.2.1 would go forward.
    c.advance(Duration::from_secs(20 * 60)).await;
    assert!(
        c.status_of("staging")
            .iter()
            .all(|s| *s == DeploymentStatus::Succeeded),
        "{:?}",
        c.status_of("staging")
    );
    c.app.press(Command::Rollback).await;
    let text = c.modal_text();
    assert!(
        text.contains("already went back from v1.2.1 to v1.2.0"),
        "{text}"
    );
    assert!(!text.contains("CreateDeployment"), "{text}");
}

#[tokio::test]
async fn a_rollback_says_plainly_that_it_goes_back_to_an_older_version() {
    let mut c = cockpit(false).await;
    prod_on_v1_2_1(&mut c).await;
    c.app.press(Command::Rollback).await;
    let text = c.modal_text();
    assert!(
        text.contains("direction: back to v1.2.0, older than the v1.2.1 that runs now"),
        "{text}"
    );
}

#[tokio::test]
async fn a_version_rolled_back_in_dev_is_not_promoted_without_a_typed_reason() {
    let mut c = cockpit(false).await;
    c.select_env("dev").await;
    c.app.press(Command::InjectFault).await;
    c.advance(Duration::from_secs(3 * 60)).await;
    assert_eq!(c.app.state.pinned("dev").unwrap().as_str(), "v1.3.0");

    // p from dev: refused with what happened where and when.
    c.app.press(Command::Promote).await;
    let text = c.modal_text();
    assert!(text.starts_with("Cannot promote"), "{text}");
    assert!(
        text.contains("v1.3.0 was rolled back")
            && text.contains("in dev")
            && text.contains("alarm"),
        "{text}"
    );
    assert!(text.contains("deployment d-"), "{text}");
    c.app.press(Command::Cancel).await;
    assert_eq!(c.audit().last().unwrap().outcome, Outcome::Refused);
    // Pinning it in staging from the versions pane is refused the same way.
    c.select_version("v1.3.0").await;
    c.select_env_keeping_focus("staging").await;
    c.app.press(Command::Promote).await;
    assert!(
        c.modal_text().contains("v1.3.0 was rolled back"),
        "{}",
        c.modal_text()
    );
    c.app.press(Command::Cancel).await;

    // P sets it aside with a reason that goes into the commit.
    c.app.press(Command::PromoteOverride).await;
    assert!(
        c.modal_text().contains("OVERRIDE: v1.3.0 was rolled back"),
        "{}",
        c.modal_text()
    );
    c.app.type_text("the alarm was a false positive").await;
    c.app.press(Command::Confirm).await;
    assert_eq!(c.app.state.modal, None, "{}", c.modal_text());
    assert_eq!(c.app.state.pinned("staging").unwrap().as_str(), "v1.3.0");
    let log = c.git(&["log", "-1", "--format=%B", "main"]);
    assert!(
        log.contains("Override: v1.3.0 was rolled back")
            && log.contains("Reason: the alarm was a false positive"),
        "{log}"
    );
}

#[tokio::test]
async fn a_proposal_made_stale_by_another_promotion_is_still_approved_by_rebuilding_it() {
    let mut c = cockpit(false).await;
    // dev's shift finishes; promoting dev to staging moves the deploy branch under the
    // colleague's prod proposal.
    c.advance(Duration::from_secs(15 * 60)).await;
    c.select_env("dev").await;
    c.confirm(Command::Promote, &["v1.2.1 → v1.3.0"], &[]).await;
    let proposal = &c.app.state.fork.value.as_ref().unwrap().proposals[0];
    assert!(!proposal.current, "{proposal:?}");

    c.select_env("prod").await;
    c.confirm(
        Command::Approve,
        &[
            "Dana Reyes",
            "rebuilt: the proposal is based on an older tip",
        ],
        &[],
    )
    .await;
    assert_eq!(c.app.state.pinned("prod").unwrap().as_str(), "v1.2.1");
    assert_eq!(c.app.state.pinned("staging").unwrap().as_str(), "v1.3.0");
    assert_eq!(
        c.git(&["log", "-1", "--format=%an", "main"]).trim(),
        "Dana Reyes",
        "the proposer stays the author"
    );
    // And prod's manual gate is reached as usual.
    c.advance(Duration::from_secs(3 * 60)).await;
    c.confirm(
        Command::Approve,
        &["PutLifecycleEventHookExecutionStatus"],
        &[],
    )
    .await;
}

#[tokio::test]
async fn a_prod_rollback_at_40x12_cannot_be_confirmed_blind() {
    let mut c = cockpit_at(false, 40, 12).await;
    // Prod on v1.2.1 after a finished shift: rolling it back is a redeployment of each group.
    c.select_env("prod").await;
    c.confirm(Command::Approve, &["Dana Reyes"], &[]).await;
    c.advance(Duration::from_secs(3 * 60)).await;
    c.confirm(
        Command::Approve,
        &["PutLifecycleEventHookExecutionStatus"],
        &[],
    )
    .await;
    c.advance(Duration::from_secs(30 * 60)).await;
    assert_eq!(c.app.state.pinned("prod").unwrap().as_str(), "v1.2.1");

    c.app.press(Command::Rollback).await;
    assert!(
        c.modal_text().contains("CreateDeployment"),
        "{}",
        c.modal_text()
    );
    c.app.type_text("prod").await;
    c.app.press(Command::Confirm).await;
    // Typed right, but most of the plan is still below the screen: nothing happens.
    let view = &c.app.state.confirm_view;
    let refusal = view.refusal.clone().unwrap_or_default();
    assert!(refusal.contains("more lines below"), "{refusal}");
    assert!(matches!(c.app.state.modal, Some(Modal::Confirm(_))));
    assert!(
        !c.audit().iter().any(|r| r.action == ActionKind::Rollback),
        "nothing was rolled back"
    );
    // Read to the end, line by line, and it goes through.
    c.read_to_end().await;
    c.app.press(Command::Confirm).await;
    assert_eq!(c.app.state.modal, None, "{}", c.modal_text());
    let last = c.audit().pop().unwrap();
    assert_eq!(
        (last.action, last.outcome, last.environment.as_str()),
        (ActionKind::Rollback, Outcome::Succeeded, "prod")
    );
}

#[tokio::test]
async fn reject_and_freeze_from_the_cockpit_ask_for_a_reason_with_the_plan_on_screen() {
    let mut c = cockpit(false).await;
    // Dana's proposal for prod, turned down.
    c.select_env("prod").await;
    c.app.press(Command::Reject).await;
    assert!(
        c.modal_text().contains("v1.2.1 by Dana Reyes"),
        "{}",
        c.modal_text()
    );
    c.app.type_text("no").await;
    c.app.press(Command::Confirm).await;
    assert!(
        matches!(c.app.state.modal, Some(Modal::Confirm(_))),
        "a short reason is refused"
    );
    c.app.type_text(" - the billing export breaks").await;
    c.app.press(Command::Confirm).await;
    assert_eq!(c.app.state.modal, None, "{}", c.modal_text());
    assert!(
        c.git(&["branch", "--list", "shiftdeck/proposal/prod"])
            .trim()
            .is_empty(),
        "the proposal branch is deleted"
    );
    let last = c.audit().pop().unwrap();
    assert_eq!(
        (last.action, last.outcome),
        (ActionKind::Reject, Outcome::Succeeded)
    );
    assert_eq!(
        last.reason.as_deref(),
        Some("no - the billing export breaks")
    );

    // staging frozen for the whole team: promoting dev into it is refused, then allowed again.
    c.select_env("staging").await;
    c.app.press(Command::Freeze).await;
    c.app.type_text("quarter-end close").await;
    c.app.press(Command::Confirm).await;
    assert_eq!(c.app.state.modal, None, "{}", c.modal_text());
    assert!(
        c.git(&["ls-tree", "--name-only", "refs/shiftdeck/freeze"])
            .contains("staging")
    );
    c.advance(Duration::from_secs(15 * 60)).await;
    c.select_env("dev").await;
    c.app.press(Command::Promote).await;
    assert!(
        c.modal_text().contains("staging is frozen by"),
        "{}",
        c.modal_text()
    );
    c.app.press(Command::Cancel).await;
    c.select_env("staging").await;
    c.confirm(Command::Freeze, &["lifts: frozen by"], &[]).await;
    c.select_env("dev").await;
    c.confirm(Command::Promote, &["v1.2.1 → v1.3.0"], &[]).await;
    assert_eq!(c.app.state.pinned("staging").unwrap().as_str(), "v1.3.0");
}
