//! Announcements as the terminal receives them: reads fed to `update`, the `Notify` effects it
//! returns written by the terminal layer into a captured backend stream.

mod ui_fixtures;

use std::io::Write;
use std::sync::{Arc, Mutex};

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use shiftdeck::app::action::{Action, Effect, Fetched};
use shiftdeck::app::notify::Channel;
use shiftdeck::app::state::State;
use shiftdeck::app::update::update;
use shiftdeck::domain::rollout::{AlarmState, DeploymentStatus};
use shiftdeck::ports::{EnvRollout, Identity, Proposal};

/// The terminal's output stream, kept to be read back.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Feeds `action` to `update` and writes what it announces as the cockpit's terminal would;
/// returns the bytes written.
fn terminal_bytes(state: &mut State, action: Action) -> String {
    let stream = Captured::default();
    let mut terminal = Terminal::new(CrosstermBackend::new(stream.clone())).unwrap();
    for effect in update(state, action) {
        if let Effect::Notify(n) = effect {
            shiftdeck::notification::write(terminal.backend_mut(), &n).unwrap();
        }
    }
    String::from_utf8(stream.0.lock().unwrap().clone()).unwrap()
}

fn read(env: &str, rollout: EnvRollout) -> Action {
    Action::Rollout(env.into(), Fetched::new(ui_fixtures::NOW, Ok(rollout)))
}

fn staging(state: &State) -> EnvRollout {
    state.rollouts["staging"].value.clone().unwrap()
}

#[test]
fn a_firing_alarm_rings_once_and_tells_the_desktop_in_both_sequences() {
    let mut s = ui_fixtures::shifting();
    let mut alarmed = staging(&s);
    let errors = &mut alarmed.targets[0].alarms[0];
    errors.state = AlarmState::Alarm;
    errors.updated_at = ui_fixtures::ago(5);
    let bytes = terminal_bytes(&mut s, read("staging", alarmed.clone()));
    assert_eq!(bytes.matches("\x1b]9;").count(), 1, "{bytes:?}");
    assert_eq!(bytes.matches("\x1b]777;notify;").count(), 1, "{bytes:?}");
    assert!(
        bytes.contains("\x1b]9;shiftdeck: staging ALARM: api ltbase-api-errors\x07"),
        "{bytes:?}"
    );
    assert!(
        bytes.ends_with("\x07\x07"),
        "one bell after the notification: {bytes:?}"
    );
    // The same alarm read again is not news.
    assert_eq!(terminal_bytes(&mut s, read("staging", alarmed)), "");
}

#[test]
fn a_shift_that_succeeds_is_announced_unless_that_kind_is_off() {
    for channel in [Channel::Both, Channel::Bell, Channel::Off] {
        let mut s = ui_fixtures::shifting();
        s.settings.notify.shift_succeeded = channel;
        let mut done = staging(&s);
        let shift = done.targets[0].latest.as_mut().unwrap();
        shift.status = DeploymentStatus::Succeeded;
        shift.target_percent = 100.0;
        let bytes = terminal_bytes(&mut s, read("staging", done));
        let expected = match channel {
            Channel::Both => "\x1b]9;shiftdeck: staging shift succeeded: api\x07",
            Channel::Bell => "\x07",
            _ => "",
        };
        if channel == Channel::Both {
            assert!(bytes.starts_with(expected), "{channel:?}: {bytes:?}");
        } else {
            assert_eq!(bytes, expected, "{channel:?}");
        }
    }
}

#[test]
fn a_rollback_and_a_gate_that_starts_waiting_are_each_announced() {
    let mut s = ui_fixtures::shifting();
    let rolled = ui_fixtures::rolled_back().rollouts["staging"]
        .value
        .clone()
        .unwrap();
    let bytes = terminal_bytes(&mut s, read("staging", rolled));
    assert!(bytes.contains("staging rolled back: api"), "{bytes:?}");
    // Prod's deployment reaches its manual gate.
    let mut s = ui_fixtures::shifting();
    let mut gated = staging(&s);
    gated.env = "prod".into();
    let idle_prod = s.rollouts["prod"].value.clone().unwrap();
    gated.targets[0] = idle_prod.targets[0].clone();
    let bytes = terminal_bytes(&mut s, read("prod", gated));
    assert!(
        bytes.contains("prod manual gate waiting: worker"),
        "{bytes:?}"
    );
}

#[test]
fn nothing_rings_for_what_the_first_read_finds() {
    let mut s = ui_fixtures::shifting();
    let alarmed = ui_fixtures::alarm_firing().rollouts["staging"]
        .value
        .clone()
        .unwrap();
    s.rollouts.get_mut("staging").unwrap().value = None;
    assert_eq!(terminal_bytes(&mut s, read("staging", alarmed)), "");
}

#[test]
fn a_colleagues_proposal_is_announced_and_ones_own_is_not() {
    let mut s = ui_fixtures::idle();
    let mut fork = s.fork.value.clone().unwrap();
    fork.proposals.clear();
    s.fork.value = Some(fork.clone());
    let proposal = |email: &str, commit: &str| Proposal {
        env: "staging".into(),
        branch: "shiftdeck/proposal/staging".into(),
        version: shiftdeck::domain::version::Version::parse("v1.4.1").unwrap(),
        proposer: Identity {
            name: "Dana Reyes".into(),
            email: email.into(),
        },
        commit: commit.into(),
        current: true,
    };
    let mut theirs = fork.clone();
    theirs.proposals.push(proposal("dana@example.com", "d4n4"));
    let now = s.now;
    let bytes = terminal_bytes(&mut s, Action::Fork(Fetched::new(now, Ok(theirs))));
    assert!(
        bytes.contains("staging proposal to approve: v1.4.1 by Dana Reyes"),
        "{bytes:?}"
    );
    let mut mine = fork;
    mine.proposals.push(proposal("alice@example.com", "a1a1"));
    let bytes = terminal_bytes(&mut s, Action::Fork(Fetched::new(now, Ok(mine))));
    assert_eq!(bytes, "");
}
