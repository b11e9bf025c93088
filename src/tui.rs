//! Terminal lifecycle and the event loop: restored on quit, error, panic, SIGTERM and SIGHUP;
//! redraws only when something changed.

use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{Event, EventStream, KeyEventKind};
use futures::StreamExt;
use tokio::sync::mpsc;

use crate::app::action::{Action, Effect, Now};
use crate::app::runner::{Runner, World};
use crate::app::state::State;
use crate::app::update::update;
use crate::ports::Clock;
use crate::ui::{Keymap, Theme};

/// Restores the terminal when dropped, whatever way the loop ends.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        ratatui::restore();
    }
}

pub struct Session {
    pub world: World,
    pub state: State,
    pub keymap: Keymap,
    pub theme: Theme,
    pub clock: Arc<dyn Clock>,
    /// Stop after the first frame and report how long it took (startup benchmark).
    pub exit_after_first_frame: Option<Instant>,
}

/// Runs the cockpit until the user quits or a terminating signal arrives.
pub async fn run(session: Session) -> io::Result<()> {
    let Session {
        world,
        mut state,
        keymap,
        theme,
        clock,
        exit_after_first_frame,
    } = session;
    // ratatui::init installs a panic hook that restores the terminal before the message prints.
    let mut terminal = ratatui::try_init()?;
    let _guard = TerminalGuard;

    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut runner = Runner::new(world, tx);
    runner.start();
    for effect in update(&mut state, Action::Tick(Now::with_wall_clock(clock.now()))) {
        runner.run(effect);
    }
    if !keymap.warnings().is_empty() {
        let notice = Action::Notice("Keymap".into(), keymap.warnings().join("\n"));
        update(&mut state, notice);
    }

    let mut events = EventStream::new();
    let mut terminate = signal(tokio::signal::unix::SignalKind::terminate())?;
    let mut hangup = signal(tokio::signal::unix::SignalKind::hangup())?;

    // One ticker across loop passes: a new sleep per pass would restart the wait on every key
    // or result, and a held key would starve the clock and the refreshes.
    let mut period = tick_period(&state);
    let mut ticker = ticker(period);
    // Whether what just happened is drawn at once. A read's result is drawn with the next tick
    // (within a second, a quarter while traffic moves) instead: the reads of one refresh arrive
    // one by one, and a frame for each would wake the process several times a second while
    // nothing moves.
    let mut draw_now = true;
    loop {
        if state.needs_redraw && draw_now {
            let area = terminal
                .draw(|frame| crate::ui::draw(frame, &state, &keymap, &theme))?
                .area;
            state.needs_redraw = false;
            // What the frame showed of a scrolling overlay decides whether Enter may confirm:
            // update learns it before the next key is read.
            if let Some(action) = crate::ui::laid_out(&state, &keymap, &theme, area) {
                for effect in update(&mut state, action) {
                    runner.run(effect);
                }
                draw_now = true;
                continue;
            }
            if let Some(start) = exit_after_first_frame {
                drop(terminal);
                ratatui::restore();
                eprintln!(
                    "first frame after {:.1} ms",
                    start.elapsed().as_secs_f64() * 1000.0
                );
                return Ok(());
            }
        }
        if tick_period(&state) != period {
            period = tick_period(&state);
            ticker = self::ticker(period);
        }
        let action = tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => {
                    draw_now = true;
                    keymap.action_for(&key, state.text_input_active())
                }
                Some(Ok(Event::Resize(..))) => {
                    draw_now = true;
                    Some(Action::Resize)
                }
                Some(Ok(_)) => None,
                Some(Err(e)) => return Err(e),
                None => break,
            },
            Some(action) = rx.recv() => {
                // What a person did comes back at once; a refresh waits for the tick.
                draw_now = !matches!(
                    action,
                    Action::Releases(_)
                        | Action::Fork(_)
                        | Action::Rollout(..)
                        | Action::Metrics(..)
                );
                Some(action)
            }
            _ = ticker.tick() => {
                draw_now = true;
                Some(Action::Tick(Now::with_wall_clock(clock.now())))
            }
            _ = terminate.recv() => break,
            _ = hangup.recv() => break,
        };
        let Some(action) = action else { continue };
        for effect in update(&mut state, action) {
            match effect {
                Effect::Quit => return Ok(()),
                // Written between frames, straight to the terminal; a terminal that does not
                // know the sequences ignores them.
                Effect::Notify(n) => crate::notification::write(terminal.backend_mut(), &n)?,
                effect => runner.run(effect),
            }
        }
        if state.quit {
            break;
        }
    }
    Ok(())
}

fn signal(kind: tokio::signal::unix::SignalKind) -> io::Result<tokio::signal::unix::Signal> {
    tokio::signal::unix::signal(kind)
}

/// Faster while traffic is moving, so weights and countdowns stay live.
fn tick_period(state: &State) -> Duration {
    if any_shift(state) {
        Duration::from_millis(250)
    } else {
        Duration::from_secs(1)
    }
}

fn ticker(period: Duration) -> tokio::time::Interval {
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticker
}

fn any_shift(state: &State) -> bool {
    state
        .rollouts
        .values()
        .filter_map(|r| r.value.as_ref())
        .any(|r| r.shifting())
}
