//! Key sequences fed to `update`, asserting state and effects, with no terminal and no ports.

use std::time::Duration;

use super::action::{Action, Command, Effect, Fetched, Source};
use super::state::{Confirm, Fit, Modal, Pane, Panel, Plan, Settings, State};
use super::update::update;
use crate::domain::pin::{PinLocator, PinRule};
use crate::domain::time::Timestamp;
use crate::environment::Environment;
use crate::ports::{ErrorKind, PortError};

fn env(name: &str, protected: bool) -> Environment {
    Environment {
        name: name.into(),
        pin: PinLocator {
            file: "cdk.json".into(),
            rule: PinRule::JsonPointer(format!("/context/{name}")),
        },
        region: None,
        profile: None,
        application: "app".into(),
        deployment_groups: vec!["api".into()],
        requires_approval: protected,
        require_signed_approval: false,
        protected,
        accent: None,
        alias: "Prod".into(),
    }
}

fn state(read_only: bool) -> State {
    State::new(
        Settings {
            environments: vec![env("dev", false), env("prod", true)],
            read_only,
            demo: true,
            refresh_active: Duration::from_secs(2),
            refresh_idle: Duration::from_secs(30),
            refresh_metrics: Duration::ZERO,
            pipeline_warning: Duration::from_secs(15 * 60),
            failure_window: crate::ops::failures::DEFAULT_WINDOW,
            clock_speed: 1.0,
            notify: Default::default(),
        },
        Timestamp(1_000_000),
    )
}

fn press(s: &mut State, c: Command) -> Vec<Effect> {
    update(s, Action::Command(c))
}

#[test]
fn the_first_tick_reads_everything_once_and_a_second_tick_reads_nothing_in_flight() {
    let mut s = state(false);
    let effects = update(&mut s, Action::Tick(Timestamp(1_000_000).into()));
    assert_eq!(
        effects,
        vec![
            Effect::Fetch(Source::Releases),
            Effect::Fetch(Source::Fork),
            Effect::Fetch(Source::Rollout("dev".into())),
            Effect::Fetch(Source::Rollout("prod".into())),
        ]
    );
    assert!(update(&mut s, Action::Tick(Timestamp(1_500_000).into())).is_empty());
}

#[test]
fn a_throttled_read_keeps_the_old_value_and_backs_off() {
    let mut s = state(false);
    update(&mut s, Action::Tick(Timestamp(1_000_000).into()));
    // The read was requested 2 s before it arrived: the data is as old as the request.
    let requested = Timestamp(998_000);
    update(
        &mut s,
        Action::Rollout(
            "dev".into(),
            Fetched::new(
                requested,
                Ok(crate::ports::EnvRollout::new("dev", vec![], requested)),
            ),
        ),
    );
    assert_eq!(s.rollouts["dev"].fetched_at, Some(requested));
    assert_eq!(s.rollouts["dev"].next_due, Timestamp(1_000_000 + 30_000));
    update(&mut s, Action::Tick(Timestamp(1_031_000).into()));
    let throttled = PortError::new(ErrorKind::Throttled, "Rate exceeded");
    update(
        &mut s,
        Action::Rollout(
            "dev".into(),
            Fetched::new(Timestamp(1_031_000), Err(throttled.clone())),
        ),
    );
    let dev = &s.rollouts["dev"];
    assert!(
        dev.value.is_some(),
        "the old value stays, marked by the error"
    );
    assert_eq!(dev.error.as_ref(), Some(&throttled));
    assert_eq!(dev.fetched_at, Some(requested));
    assert!(
        dev.next_due.millis() >= 1_031_000 + 60_000,
        "backed off: {:?}",
        dev.next_due
    );
}

#[test]
fn tab_cycles_panes_and_selection_stays_in_range() {
    let mut s = state(false);
    assert_eq!(s.focus, Pane::Environments);
    press(&mut s, Command::Down);
    press(&mut s, Command::Down);
    press(&mut s, Command::Down);
    assert_eq!(s.selected_env, 1);
    press(&mut s, Command::NextPane);
    assert_eq!(s.focus, Pane::Versions);
    press(&mut s, Command::PrevPane);
    press(&mut s, Command::PrevPane);
    assert_eq!(s.focus, Pane::Log);
}

#[test]
fn filter_takes_typed_text_and_escape_clears_it() {
    let mut s = state(false);
    press(&mut s, Command::Filter);
    assert!(s.text_input_active());
    for c in "v1.3".chars() {
        update(&mut s, Action::Char(c));
    }
    update(&mut s, Action::Backspace);
    assert_eq!(s.filter.text, "v1.");
    press(&mut s, Command::Confirm);
    assert!(!s.filter.active && s.filter.text == "v1.");
    press(&mut s, Command::Cancel);
    assert_eq!(s.filter.text, "");
}

#[test]
fn the_palette_runs_a_command_by_name() {
    let mut s = state(false);
    press(&mut s, Command::Palette);
    for c in "help".chars() {
        update(&mut s, Action::Char(c));
    }
    press(&mut s, Command::Confirm);
    assert!(s.panel == Some(Panel::Help) && !s.palette.active);
    press(&mut s, Command::Help);
    assert!(s.panel.is_none());
    press(&mut s, Command::Palette);
    for c in "nonsense".chars() {
        update(&mut s, Action::Char(c));
    }
    press(&mut s, Command::Confirm);
    assert!(matches!(&s.modal, Some(Modal::Message { title, .. }) if title == "Unknown command"));
}

#[test]
fn read_only_refuses_and_audits_the_refusal() {
    let mut s = state(true);
    let effects = press(&mut s, Command::Rollback);
    let Some(Modal::Message { body, .. }) = &s.modal else {
        panic!("expected a message, got {:?}", s.modal)
    };
    assert!(body.contains("read-only"), "{body}");
    assert!(
        matches!(&effects[..], [Effect::Audit(r)] if r.outcome == crate::domain::audit::Outcome::Refused)
    );
    assert_eq!(
        s.log.last().unwrap().outcome,
        crate::domain::audit::Outcome::Refused
    );
}

/// Prod read with a shift running from v1.2.0 to v1.3.0, and the fork pinning v1.3.0 there.
fn prod_shifting(s: &mut State, id: &str) {
    use crate::domain::rollout::DeploymentStatus;
    use crate::ops::fixtures::{fork, rollout, shift};
    let read = rollout(
        "prod",
        Some(shift(id, "v1.2.0", "v1.3.0", DeploymentStatus::InProgress)),
    );
    let now = s.now;
    update(
        s,
        Action::Rollout("prod".into(), Fetched::new(now, Ok(read))),
    );
    update(
        s,
        Action::Fork(Fetched::new(
            now,
            Ok(fork(&[("dev", "v1.3.0"), ("prod", "v1.3.0")])),
        )),
    );
    s.selected_env = 1;
}

#[test]
fn a_protected_confirm_needs_the_exact_name_before_it_executes() {
    let mut s = state(false);
    prod_shifting(&mut s, "d-1");
    press(&mut s, Command::Rollback);
    let Some(Modal::Confirm(confirm)) = &s.modal else {
        panic!("expected the rollback modal, got {:?}", s.modal)
    };
    let plan = confirm.plan.clone();
    assert!(s.text_input_active());
    // The plan fits on screen: all of it has been seen.
    update(
        &mut s,
        Action::OverlayLaidOut(Fit {
            rows: 3,
            visible: 3,
        }),
    );
    assert!(press(&mut s, Command::Confirm).is_empty());
    for c in "prod".chars() {
        update(&mut s, Action::Char(c));
    }
    let effects = press(&mut s, Command::Confirm);
    assert_eq!(effects, vec![Effect::Execute(plan)]);
    assert!(s.modal.is_none() && s.busy.is_some());
    // While it runs, a second action is refused instead of racing the first.
    press(&mut s, Command::Rollback);
    assert!(
        matches!(&s.modal, Some(Modal::Message { body, .. }) if body.contains("wait for the running action"))
    );
}

/// The frame showed the whole of the open modal's plan.
fn seen_whole(s: &mut State) {
    update(
        s,
        Action::OverlayLaidOut(Fit {
            rows: 10,
            visible: 10,
        }),
    );
}

#[test]
fn a_plan_that_changed_while_its_modal_was_open_is_shown_again_before_it_runs() {
    let mut s = state(false);
    prod_shifting(&mut s, "d-1");
    press(&mut s, Command::Rollback);
    for c in "prod".chars() {
        update(&mut s, Action::Char(c));
    }
    seen_whole(&mut s);
    // Meanwhile the pipeline started another deployment: stopping d-1 is no longer the plan.
    prod_shifting(&mut s, "d-2");
    s.modal.as_ref().expect("the modal stays open across reads");
    assert!(
        press(&mut s, Command::Confirm).is_empty(),
        "the stale plan must not run"
    );
    let Some(Modal::Confirm(again)) = &s.modal else {
        panic!("expected the new plan, got {:?}", s.modal)
    };
    assert!(again.changed);
    let Plan::Rollback { steps, .. } = &again.plan else {
        panic!("{:?}", again.plan)
    };
    assert!(
        matches!(&steps[..], [(_, crate::domain::rollout::RollbackPlan::Stop { deployment_id, .. })] if deployment_id == "d-2")
    );
    // What was typed is kept; once the new plan has been read, Enter runs it.
    let new_plan = again.plan.clone();
    assert!(press(&mut s, Command::Confirm).is_empty(), "not read yet");
    seen_whole(&mut s);
    assert_eq!(
        press(&mut s, Command::Confirm),
        vec![Effect::Execute(new_plan)]
    );
}

#[test]
fn quit_works_from_anywhere() {
    let mut s = state(false);
    press(&mut s, Command::Help);
    assert_eq!(press(&mut s, Command::Quit), vec![Effect::Quit]);
    assert!(s.quit);
}

#[test]
fn help_scrolls_line_by_line_and_a_page_at_a_time_within_its_length() {
    let mut s = state(false);
    press(&mut s, Command::Help);
    update(
        &mut s,
        Action::OverlayLaidOut(Fit {
            rows: 30,
            visible: 8,
        }),
    );
    assert!(s.panel == Some(Panel::Help) && s.panel_scroll.offset == 0);
    press(&mut s, Command::Down);
    press(&mut s, Command::Down);
    assert_eq!(s.panel_scroll.offset, 2);
    press(&mut s, Command::PageDown);
    assert_eq!(s.panel_scroll.offset, 10);
    // Keys that are not for the help do nothing while it is open.
    assert!(press(&mut s, Command::Rollback).is_empty());
    assert!(s.panel == Some(Panel::Help) && s.modal.is_none());
    for _ in 0..5 {
        press(&mut s, Command::PageDown);
    }
    assert_eq!(
        s.panel_scroll.offset, 22,
        "stops with the last line at the bottom"
    );
    press(&mut s, Command::Up);
    assert_eq!(s.panel_scroll.offset, 21);
    // A taller terminal shows more of it: the offset stays within what is left.
    update(
        &mut s,
        Action::OverlayLaidOut(Fit {
            rows: 30,
            visible: 20,
        }),
    );
    assert_eq!(s.panel_scroll.offset, 10);
    press(&mut s, Command::Cancel);
    assert!(s.panel.is_none() && s.panel_scroll.offset == 0);
}

fn protected_rollback(s: &mut State) -> Plan {
    // A real plan, so that planning it again on Enter finds the same one.
    prod_shifting(s, "d-1");
    press(s, Command::Rollback);
    let Some(Modal::Confirm(confirm)) = &s.modal else {
        panic!("expected the rollback modal, got {:?}", s.modal)
    };
    confirm.plan.clone()
}

fn refusal(s: &State) -> &str {
    s.confirm_view.refusal.as_deref().unwrap_or_default()
}

#[test]
fn enter_does_nothing_until_the_whole_plan_has_been_on_screen() {
    let mut s = state(false);
    let plan = protected_rollback(&mut s);
    for c in "prod".chars() {
        update(&mut s, Action::Char(c));
    }
    // Never drawn: nothing has been seen.
    assert!(press(&mut s, Command::Confirm).is_empty());
    assert!(
        refusal(&s).contains("not been on screen"),
        "{}",
        refusal(&s)
    );
    // Drawn with 4 of its 10 lines showing.
    update(
        &mut s,
        Action::OverlayLaidOut(Fit {
            rows: 10,
            visible: 4,
        }),
    );
    assert!(press(&mut s, Command::Confirm).is_empty());
    assert!(
        refusal(&s).contains("6 more lines below"),
        "{}",
        refusal(&s)
    );
    assert!(matches!(s.modal, Some(Modal::Confirm(_))));
    press(&mut s, Command::PageDown);
    assert!(!s.confirm_view.scroll.seen_to_end);
    press(&mut s, Command::Down);
    press(&mut s, Command::Down);
    assert!(s.confirm_view.scroll.seen_to_end);
    // Going back up to re-read the top does not lock it again.
    press(&mut s, Command::PageUp);
    assert_eq!(press(&mut s, Command::Confirm), vec![Effect::Execute(plan)]);
}

#[test]
fn a_terminal_too_small_for_any_of_the_plan_says_to_enlarge_it() {
    let mut s = state(false);
    protected_rollback(&mut s);
    update(
        &mut s,
        Action::OverlayLaidOut(Fit {
            rows: 10,
            visible: 0,
        }),
    );
    for _ in 0..20 {
        press(&mut s, Command::PageDown);
    }
    for c in "prod".chars() {
        update(&mut s, Action::Char(c));
    }
    assert!(press(&mut s, Command::Confirm).is_empty());
    assert!(refusal(&s).contains("enlarge"), "{}", refusal(&s));
}

#[test]
fn a_wrong_name_or_a_short_reason_is_refused_with_its_character_count() {
    let mut s = state(false);
    protected_rollback(&mut s);
    update(
        &mut s,
        Action::OverlayLaidOut(Fit {
            rows: 2,
            visible: 2,
        }),
    );
    for c in "prd".chars() {
        update(&mut s, Action::Char(c));
    }
    assert!(press(&mut s, Command::Confirm).is_empty());
    assert_eq!(
        refusal(&s),
        "typed \"prd\" (3 characters), which is not prod (4 characters)"
    );
    // Typing again answers the refusal.
    update(&mut s, Action::Backspace);
    assert_eq!(s.confirm_view.refusal, None);

    let mut s = state(false);
    s.modal = Some(Modal::Confirm(Box::new(Confirm {
        plan: Plan::Rollback {
            env: "dev".into(),
            steps: vec![],
            pin_revert: None,
            reason: "test".into(),
        },
        details: vec![],
        type_to_confirm: None,
        override_of: Some("v1.5.0 is unsigned".into()),
        reason_for: None,
        typed: String::new(),
        intent: crate::ops::Intent::Rollback {
            env: "dev".into(),
            reason: None,
        },
        changed: false,
    })));
    update(
        &mut s,
        Action::OverlayLaidOut(Fit {
            rows: 2,
            visible: 2,
        }),
    );
    for c in "hotfix".chars() {
        update(&mut s, Action::Char(c));
    }
    assert!(press(&mut s, Command::Confirm).is_empty());
    assert_eq!(
        refusal(&s),
        "the reason has 6 of the 10 characters it needs at least"
    );
}

#[test]
fn a_message_closes_only_on_enter_or_escape_and_keys_meanwhile_do_nothing() {
    for close in [Command::Confirm, Command::Cancel] {
        let mut s = state(false);
        s.modal = Some(Modal::Message {
            title: "Cannot promote".into(),
            body: "why".into(),
        });
        let focus = s.focus;
        for stray in [
            Command::Rollback,
            Command::InjectFault,
            Command::NextPane,
            Command::Down,
        ] {
            assert!(press(&mut s, stray).is_empty(), "{stray:?}");
            assert!(matches!(s.modal, Some(Modal::Message { .. })), "{stray:?}");
        }
        assert_eq!(s.focus, focus);
        press(&mut s, close);
        assert_eq!(s.modal, None, "{close:?}");
    }
}

#[test]
fn the_palette_offers_commands_by_their_titles_and_not_the_keys_for_moving_about() {
    let all = Command::palette_matches("");
    for hidden in [
        Command::Up,
        Command::Down,
        Command::Confirm,
        Command::Cancel,
        Command::NextPane,
        Command::PromoteOverride,
    ] {
        assert_eq!(
            all.contains(&hidden),
            hidden == Command::PromoteOverride,
            "{hidden:?}"
        );
    }
    assert_eq!(
        Command::palette_matches("promote"),
        [Command::Promote, Command::PromoteOverride]
    );
    assert_eq!(
        Command::palette_matches("anyway"),
        [Command::PromoteOverride]
    );
    assert_eq!(Command::palette_matches("fault"), [Command::InjectFault]);
    let mut s = state(false);
    press(&mut s, Command::Palette);
    for c in "roll".chars() {
        update(&mut s, Action::Char(c));
    }
    press(&mut s, Command::Confirm);
    // Rollback ran (and was refused: nothing is read yet), by its title.
    assert!(matches!(&s.modal, Some(Modal::Message { title, .. }) if title == "Cannot rollback"));
}

fn release(version: &str) -> crate::domain::release::Release {
    use crate::domain::release::{IntegrityCheck, Release, ReleaseStatus, SignatureCheck};
    Release {
        version: crate::domain::version::Version::parse(version).unwrap(),
        released_at: None,
        notes: None,
        artifacts: Vec::new(),
        signature: SignatureCheck::Valid,
        integrity: IntegrityCheck::Matched,
        status: ReleaseStatus::Verified,
    }
}

#[test]
fn the_selected_version_stays_selected_when_a_newer_release_appears_above_it() {
    let mut s = state(false);
    let t = s.now;
    let read = |versions: &[&str]| {
        Action::Releases(Fetched::new(
            t,
            Ok(versions
                .iter()
                .map(|v| release(v))
                .collect::<Vec<_>>()
                .into()),
        ))
    };
    update(&mut s, read(&["v1.1.0", "v1.2.0"]));
    s.focus = Pane::Versions;
    press(&mut s, Command::Down);
    assert_eq!(s.selected_release().unwrap().version.as_str(), "v1.1.0");
    update(&mut s, read(&["v1.1.0", "v1.3.0", "v1.2.0"]));
    assert_eq!(s.selected_release().unwrap().version.as_str(), "v1.1.0");
    assert_eq!(s.selected_version, 2);
}

#[test]
fn a_notice_at_start_is_shown_as_a_message() {
    let mut s = state(false);
    update(
        &mut s,
        Action::Notice("Keymap".into(), "rollback has no key".into()),
    );
    assert!(
        matches!(&s.modal, Some(Modal::Message { title, body }) if title == "Keymap" && body.contains("rollback"))
    );
}

#[test]
fn escape_while_an_action_runs_cancels_the_forks_network_call() {
    let mut s = state(false);
    s.busy = Some("pin dev: v1.2.0 → v1.3.0".into());
    assert_eq!(press(&mut s, Command::Cancel), vec![Effect::CancelGit]);
    // With nothing running, Esc is only Esc.
    s.busy = None;
    assert!(press(&mut s, Command::Cancel).is_empty());
}

#[test]
fn a_refused_push_kept_on_a_ref_can_be_discarded_from_the_cockpit() {
    let mut s = state(false);
    let mut fork = crate::ops::fixtures::fork(&[("dev", "v1.3.0")]);
    fork.refused.push(crate::ports::RefusedPush {
        reference: "refs/shiftdeck/refused/dev-20261202T101500Z".into(),
        env: "dev".into(),
        commit: "abc".into(),
        subject: "Pin dev to v1.4.0".into(),
        at: Timestamp(0),
    });
    let now = s.now;
    update(&mut s, Action::Fork(Fetched::new(now, Ok(fork))));
    assert_eq!(
        press(&mut s, Command::DiscardRefused),
        vec![Effect::DiscardRefused(
            "refs/shiftdeck/refused/dev-20261202T101500Z".into()
        )]
    );
    let effects = update(
        &mut s,
        Action::Discarded(Ok("refs/shiftdeck/refused/dev-20261202T101500Z".into())),
    );
    assert!(
        effects.contains(&Effect::Fetch(Source::Fork)),
        "{effects:?}"
    );
    assert!(
        s.log
            .last()
            .unwrap()
            .message
            .contains("deleted the refused push")
    );
}

/// A release whose artifacts the listing could not check.
fn unchecked(version: &str) -> crate::domain::release::Release {
    crate::domain::release::Release {
        integrity: crate::domain::release::IntegrityCheck::NotChecked,
        ..release(version)
    }
}

fn read_releases(s: &mut State, list: Vec<crate::domain::release::Release>) {
    let t = s.now;
    update(s, Action::Releases(Fetched::new(t, Ok(list.into()))));
}

#[test]
fn verify_downloads_an_unchecked_version_once_and_a_mismatch_makes_it_unpinnable() {
    use crate::domain::release::{IntegrityCheck, ReleaseStatus};
    let mut s = state(true);
    read_releases(&mut s, vec![release("v1.3.0"), unchecked("v1.2.0")]);
    s.focus = Pane::Versions;
    // The newest is checked already: nothing to download.
    assert!(press(&mut s, Command::Verify).is_empty());
    assert!(
        matches!(&s.modal, Some(Modal::Message { body, .. }) if body.contains("checked already")),
        "{:?}",
        s.modal
    );
    s.modal = None;
    press(&mut s, Command::Down);
    let v = s.selected_release().unwrap().version.clone();
    // A read: allowed in read-only mode, and asked for once while it runs.
    assert_eq!(press(&mut s, Command::Verify), [Effect::Verify(v.clone())]);
    assert!(press(&mut s, Command::Verify).is_empty());
    s.modal = None;
    let mismatch = IntegrityCheck::Mismatch {
        artifact: "api.zip".into(),
        expected: "aa".into(),
        actual: "bb".into(),
    };
    update(&mut s, Action::Verified(v.clone(), Ok(mismatch.clone())));
    let r = s.selected_release().unwrap();
    assert_eq!(r.integrity, mismatch);
    assert_eq!(r.status, ReleaseStatus::ChecksumMismatch("api.zip".into()));
    assert!(r.status.pinnable(&v).is_err() && !r.status.overridable());
    assert!(matches!(&s.modal, Some(Modal::Message { title, .. }) if title.contains("integrity")));
    let last = s.log.last().unwrap();
    assert!(last.message.contains("api.zip has SHA-256 bb"), "{last:?}");
    assert!(s.verifying.is_empty());
}

#[test]
fn a_failed_download_is_said_and_can_be_tried_again() {
    use crate::domain::release::IntegrityCheck;
    let mut s = state(false);
    read_releases(&mut s, vec![unchecked("v1.2.0")]);
    let v = s.selected_release().unwrap().version.clone();
    press(&mut s, Command::Verify);
    let e = PortError::new(
        ErrorKind::Timeout,
        "the download did not answer within 600s",
    );
    update(&mut s, Action::Verified(v.clone(), Err(e)));
    assert!(
        matches!(&s.modal, Some(Modal::Message { title, .. }) if title == "Cannot verify v1.2.0")
    );
    assert_eq!(
        s.selected_release().unwrap().integrity,
        IntegrityCheck::NotChecked
    );
    s.modal = None;
    assert_eq!(press(&mut s, Command::Verify), [Effect::Verify(v)]);
}

#[test]
fn the_calls_view_counts_each_read_and_switches_with_the_help() {
    use super::call_log::ReadKind;
    use crate::ports::{EnvRollout, MetricsRead};
    use std::collections::BTreeMap;
    let mut s = state(false);
    let t = s.now;
    let mut read = EnvRollout::new("dev", Vec::new(), t);
    read.api_calls = BTreeMap::from([("lambda:GetAlias".to_string(), 2)]);
    update(
        &mut s,
        Action::Rollout("dev".into(), Fetched::new(t, Ok(read))),
    );
    let metrics = MetricsRead {
        series: Vec::new(),
        api_calls: BTreeMap::from([("cloudwatch:GetMetricData".to_string(), 1)]),
    };
    update(
        &mut s,
        Action::Metrics("dev".into(), Fetched::new(t, Ok(metrics))),
    );
    let log = &s.api_calls["dev"];
    assert_eq!(
        log.last(ReadKind::Rollout).unwrap().calls["lambda:GetAlias"],
        2
    );
    assert_eq!(
        log.last_minute(t).0,
        BTreeMap::from([
            ("cloudwatch:GetMetricData".to_string(), 1),
            ("lambda:GetAlias".to_string(), 2)
        ])
    );
    press(&mut s, Command::Calls);
    assert_eq!(s.panel, Some(Panel::Calls));
    press(&mut s, Command::Help);
    assert_eq!(s.panel, Some(Panel::Help), "the help's key switches to it");
    press(&mut s, Command::Calls);
    press(&mut s, Command::Calls);
    assert_eq!(s.panel, None, "the open panel's key closes it");
}

#[test]
fn the_release_repositorys_calls_are_counted_and_a_failed_read_counts_none() {
    use super::call_log::ReadKind;
    use crate::ports::ReleasesRead;
    use std::collections::BTreeMap;
    let mut s = state(false);
    let t = s.now;
    let read = ReleasesRead {
        releases: vec![release("v1.2.0")],
        api_calls: BTreeMap::from([
            ("s3:ListBucket".to_string(), 2),
            ("s3:GetObject".to_string(), 2),
        ]),
    };
    update(&mut s, Action::Releases(Fetched::new(t, Ok(read))));
    assert_eq!(s.releases.value.as_ref().map(Vec::len), Some(1));
    let last = s.release_calls.last(ReadKind::Releases).unwrap();
    assert_eq!(last.calls["s3:ListBucket"], 2);
    assert_eq!(s.release_calls.last_minute_total(t), 4);

    let denied = PortError::new(ErrorKind::AccessDenied, "s3:ListBucket refused");
    update(&mut s, Action::Releases(Fetched::new(t, Err(denied))));
    assert_eq!(
        s.release_calls.last_minute_total(t),
        4,
        "a failed read adds nothing"
    );
    assert!(s.releases.error.is_some());
}
