//! Key sequences fed to `update`, asserting state and effects, with no terminal and no ports.

use std::time::Duration;

use super::action::{Action, Command, Effect, Fetched, Source};
use super::state::{Modal, Pane, Plan, Settings, State};
use super::update::update;
use crate::domain::env::Environment;
use crate::domain::pin::{PinLocator, PinRule};
use crate::domain::time::Timestamp;
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
    let effects = update(&mut s, Action::Tick(Timestamp(1_000_000)));
    assert_eq!(
        effects,
        vec![
            Effect::Fetch(Source::Releases),
            Effect::Fetch(Source::Fork),
            Effect::Fetch(Source::Rollout("dev".into())),
            Effect::Fetch(Source::Rollout("prod".into())),
        ]
    );
    assert!(update(&mut s, Action::Tick(Timestamp(1_500_000))).is_empty());
}

#[test]
fn a_throttled_read_keeps_the_old_value_and_backs_off() {
    let mut s = state(false);
    update(&mut s, Action::Tick(Timestamp(1_000_000)));
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
    update(&mut s, Action::Tick(Timestamp(1_031_000)));
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
    assert!(s.help && !s.palette.active);
    press(&mut s, Command::Help);
    assert!(!s.help);
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

#[test]
fn a_plan_that_changed_while_its_modal_was_open_is_shown_again_before_it_runs() {
    let mut s = state(false);
    prod_shifting(&mut s, "d-1");
    press(&mut s, Command::Rollback);
    for c in "prod".chars() {
        update(&mut s, Action::Char(c));
    }
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
    // What was typed is kept; a second Enter runs the plan now on screen.
    let new_plan = again.plan.clone();
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
fn help_scrolls_to_its_end_and_back_and_closes_at_the_top() {
    let mut s = state(false);
    press(&mut s, Command::Help);
    assert!(s.help && !s.help_at_end);
    press(&mut s, Command::Down);
    assert!(s.help_at_end);
    // Keys that are not for the help do nothing while it is open.
    assert!(press(&mut s, Command::Rollback).is_empty());
    assert!(s.help && s.modal.is_none());
    press(&mut s, Command::Up);
    assert!(!s.help_at_end);
    press(&mut s, Command::Down);
    press(&mut s, Command::Cancel);
    assert!(!s.help && !s.help_at_end);
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
