//! `update`: the only place state changes. Pure: it returns the effects to run.

use std::time::Duration;

use crate::domain::audit::Outcome;
use crate::domain::release::IntegrityCheck;
use crate::domain::time::Timestamp;
use crate::domain::version::Version;
use crate::ops::audit::{self, Actor};
use crate::ops::{self, Intent, Plan, Refusal, RefusalKind, summary};
use crate::ports::{EnvRollout, ErrorKind, MetricTarget, PortError};

use super::action::{Action, Command, Effect, Execution, Fetched, Now, Source};
use super::call_log::ReadKind;
use super::intents::{availability, plan_for, snapshot};
use super::notify;
use super::state::{
    Confirm, FilterScope, Fit, Modal, Pane, Panel, Remote, Scroll, State, newest_first,
};

pub use crate::ops::plan::MIN_REASON;

/// Refreshes wait at most this long after repeated failures.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

pub fn update(state: &mut State, action: Action) -> Vec<Effect> {
    let mut effects = Vec::new();
    match action {
        Action::Tick(Now { world: now, wall }) => {
            // Redraw when a visible clock changes: the header clock and the ages show seconds.
            if now.millis() / 1000 != state.now.millis() / 1000
                || wall.millis() / 1000 != state.wall.millis() / 1000
            {
                state.needs_redraw = true;
            }
            state.now = now;
            state.wall = wall;
            schedule_refreshes(state, &mut effects);
            return effects;
        }
        Action::Resize => {}
        Action::OverlayLaidOut(fit) => laid_out(state, fit),
        Action::Notice(title, body) => {
            if state.modal.is_none() {
                state.modal = Some(Modal::Message { title, body });
            }
        }
        Action::Identity(i) => state.identity = Some(i),
        Action::AwsIdentity(env, identity) => {
            state.aws_identity.insert(env, identity);
        }
        Action::Releases(r) => {
            let wall_at = r.wall_at;
            let mut r = r.map(|read| {
                state
                    .release_calls
                    .record(wall_at, ReadKind::Releases, read.api_calls);
                read.releases
            });
            if let Ok(list) = &mut r.result {
                newest_first(list);
            }
            let interval = state.settings.refresh_releases();
            let before = selected_items(state);
            store(&mut state.releases, r, (state.now, state.wall), interval);
            reselect(state, before);
        }
        Action::Fork(r) => {
            if let Ok(new) = &r.result {
                let events = notify::proposal_events(
                    state.fork.value.as_ref(),
                    new,
                    state.identity.as_ref(),
                );
                announce(state, events, &mut effects);
            }
            let interval = state.settings.refresh_idle;
            store(&mut state.fork, r, (state.now, state.wall), interval);
        }
        Action::Rollout(env, r) => {
            let interval = if r.result.as_ref().is_ok_and(EnvRollout::shifting) {
                state.settings.refresh_active
            } else {
                state.settings.refresh_idle
            };
            if let Ok(new) = &r.result {
                state.api_calls.entry(env.clone()).or_default().record(
                    r.wall_at,
                    ReadKind::Rollout,
                    new.api_calls.clone(),
                );
                let old = state.rollouts.get(&env).and_then(|r| r.value.as_ref());
                let events = notify::rollout_events(&env, old, new);
                announce(state, events, &mut effects);
            }
            let now = (state.now, state.wall);
            let before = selected_items(state);
            if let Some(remote) = state.rollouts.get_mut(&env) {
                store(remote, r, now, interval);
            }
            reselect(state, before);
            if state.env().is_some_and(|e| e.name == env) {
                effects.extend(metrics_fetch(state));
            }
        }
        Action::Metrics(env, r) => {
            let (now, interval) = ((state.now, state.wall), state.settings.refresh_metrics);
            let wall_at = r.wall_at;
            let r = r.map(|read| {
                state.api_calls.entry(env.clone()).or_default().record(
                    wall_at,
                    ReadKind::Metrics,
                    read.api_calls,
                );
                read.series
            });
            if let Some(remote) = state.metrics.get_mut(&env) {
                store(remote, r, now, interval);
            }
        }
        Action::Executed(plan, execution) => finish(state, *plan, execution, &mut effects),
        Action::FaultInjected(r) => {
            let env = state.env().map(|e| e.name.clone()).unwrap_or_default();
            match r {
                Ok(msg) => state.log_line(&env, "inject fault", Outcome::Succeeded, msg),
                Err(e) => {
                    state.log_line(&env, "inject fault", Outcome::Failed, e.message.clone());
                    show_error(state, "Cannot inject a fault", &e);
                }
            }
            effects.push(Effect::Fetch(Source::Rollout(env)));
        }
        Action::Verified(version, r) => verified(state, version, r),
        Action::Discarded(r) => {
            let env = state.env().map(|e| e.name.clone()).unwrap_or_default();
            match r {
                Ok(reference) => state.log_line(
                    &env,
                    "discard",
                    Outcome::Succeeded,
                    format!("deleted the refused push kept at {reference}"),
                ),
                Err(e) => {
                    state.log_line(&env, "discard", Outcome::Failed, e.message.clone());
                    show_error(state, "Cannot discard the refused push", &e);
                }
            }
            state.fork.next_due = state.now;
            schedule_refreshes(state, &mut effects);
        }
        Action::AuditFailed(e) => {
            let env = state.env().map(|e| e.name.clone()).unwrap_or_default();
            state.log_line(&env, "audit", Outcome::Failed, e.message.clone());
            show_error(state, "The audit log could not be written", &e);
        }
        Action::Char(c) => type_char(state, Some(c)),
        Action::Backspace => type_char(state, None),
        Action::Command(c) => command(state, c, &mut effects),
    }
    state.needs_redraw = true;
    clamp_selection(state);
    // What each action would do changes only with what was read, selected or done: worked out
    // here, once, rather than on every frame.
    state.availability = availability(state);
    effects
}

/// Records a read: value and the time it was requested on success; on failure keeps the old
/// value, notes the error and backs off (longer when throttled).
/// `now` on the world's clock and on the machine's.
fn store<T>(
    remote: &mut Remote<T>,
    read: Fetched<T>,
    (now, wall): (Timestamp, Timestamp),
    interval: Duration,
) {
    remote.in_flight = false;
    match read.result {
        Ok(v) => {
            remote.value = Some(v);
            remote.fetched_at = Some(read.requested_at.min(now));
            remote.wall_at = Some(read.wall_at.min(wall));
            remote.error = None;
            remote.failures = 0;
            remote.next_due = now.plus(interval);
        }
        Err(e) => {
            remote.failures = remote.failures.saturating_add(1);
            // Throttling doubles the wait each time (the account's API budget is shared);
            // other failures retry at up to four times the normal interval.
            let doublings = if e.kind == ErrorKind::Throttled {
                remote.failures.min(8)
            } else {
                remote.failures.min(2)
            };
            let backoff = interval
                .max(Duration::from_secs(1))
                .saturating_mul(1 << doublings)
                .min(MAX_BACKOFF);
            remote.next_due = now.plus(backoff);
            remote.error = Some(e);
        }
    }
}

fn due<T>(remote: &Remote<T>, now: crate::domain::time::Timestamp) -> bool {
    !remote.in_flight && remote.next_due <= now
}

fn schedule_refreshes(state: &mut State, effects: &mut Vec<Effect>) {
    let now = state.now;
    if due(&state.releases, now) {
        state.releases.in_flight = true;
        effects.push(Effect::Fetch(Source::Releases));
    }
    if due(&state.fork, now) && state.busy.is_none() {
        state.fork.in_flight = true;
        effects.push(Effect::Fetch(Source::Fork));
    }
    for (env, remote) in state.rollouts.iter_mut() {
        if due(remote, now) {
            remote.in_flight = true;
            effects.push(Effect::Fetch(Source::Rollout(env.clone())));
        }
    }
}

/// Canary against baseline for the selected environment's shifting (or last shifted) targets.
fn metrics_fetch(state: &mut State) -> Option<Effect> {
    let env = state.env()?.name.clone();
    let targets: Vec<MetricTarget> = state
        .rollouts
        .get(&env)?
        .value
        .as_ref()?
        .targets
        .iter()
        .filter_map(|t| {
            let s = t.latest.as_ref()?;
            Some(MetricTarget {
                function: t.function.clone(),
                versions: vec![s.from.number.clone(), s.to.number.clone()],
            })
        })
        .collect();
    let now = state.now;
    let remote = state.metrics.get_mut(&env)?;
    if targets.is_empty() || !due(remote, now) {
        return None;
    }
    remote.in_flight = true;
    Some(Effect::FetchMetrics(env, targets))
}

fn refresh_all(state: &mut State, effects: &mut Vec<Effect>) {
    let now = state.now;
    state.releases.next_due = now;
    state.fork.next_due = now;
    for r in state.rollouts.values_mut() {
        r.next_due = now;
    }
    schedule_refreshes(state, effects);
}

fn type_char(state: &mut State, c: Option<char>) {
    if matches!(state.modal, Some(Modal::Confirm(_))) {
        // Typing answers the last refusal; it is shown again if Enter is still refused.
        state.confirm_view.refusal = None;
    }
    let field = if let Some(Modal::Confirm(confirm)) = &mut state.modal {
        &mut confirm.typed
    } else if state.palette.active {
        &mut state.palette.text
    } else if state.filter.active {
        state.selected_version = 0;
        state.selected_target = 0;
        &mut state.filter.text
    } else {
        return;
    };
    match c {
        Some(c) => field.push(c),
        None => {
            field.pop();
        }
    }
}

fn command(state: &mut State, c: Command, effects: &mut Vec<Effect>) {
    // Quit works everywhere; in text fields `q` is typed, so only ctrl-c reaches here then.
    if c == Command::Quit {
        state.quit = true;
        effects.push(Effect::Quit);
        return;
    }
    if let Some(modal) = state.modal.take() {
        match (modal, c) {
            (Modal::Confirm(confirm), Command::Confirm) => {
                if let Some(why) = unread_plan(&state.confirm_view.scroll) {
                    // Keep the modal: nothing is confirmed before all of it has been on screen.
                    state.confirm_view.refusal = Some(why);
                    state.modal = Some(Modal::Confirm(confirm));
                    return;
                }
                confirm_plan(state, *confirm, effects)
            }
            (
                Modal::Confirm(confirm),
                Command::Up | Command::Down | Command::PageUp | Command::PageDown,
            ) => {
                scroll(&mut state.confirm_view.scroll, c);
                state.modal = Some(Modal::Confirm(confirm));
            }
            // A message closes only on Enter or Esc, so a stray key does not dismiss it unread
            // and the keys typed after it do not act on the screen behind.
            (Modal::Confirm(_) | Modal::Message { .. }, Command::Cancel)
            | (Modal::Message { .. }, Command::Confirm) => {}
            (modal, _) => state.modal = Some(modal),
        }
        return;
    }
    if let Some(open) = state.panel {
        match c {
            Command::Up | Command::Down | Command::PageUp | Command::PageDown => {
                scroll(&mut state.panel_scroll, c)
            }
            // The other panel's key switches to it; the open one's key closes it.
            Command::Help | Command::Calls if panel_of(c) != Some(open) => {
                state.panel = panel_of(c);
                state.panel_scroll = Default::default();
            }
            Command::Help | Command::Calls | Command::Cancel | Command::Confirm => {
                state.panel = None;
                state.panel_scroll = Default::default();
            }
            _ => {}
        }
        return;
    }
    if state.palette.active {
        match c {
            Command::Cancel => state.palette = Default::default(),
            Command::Confirm => {
                let wanted = state.palette.text.trim().to_lowercase();
                state.palette = Default::default();
                if let Some(found) = palette_match(&wanted) {
                    command(state, found, effects);
                } else if !wanted.is_empty() {
                    state.modal = Some(Modal::Message {
                        title: "Unknown command".into(),
                        body: format!("no command matches {wanted:?}; press ? for the list"),
                    });
                }
            }
            _ => {}
        }
        return;
    }
    if state.filter.active {
        match c {
            Command::Cancel => state.filter = Default::default(),
            Command::Confirm => state.filter.active = false,
            _ => {}
        }
        return;
    }
    match c {
        // Quit was handled above; Enter with nothing open does nothing.
        Command::Quit | Command::Confirm => {}
        // Esc while an action runs asks the fork to give up its fetch or push: a remote that
        // hangs must not hold the cockpit until its time limit.
        Command::Cancel if state.busy.is_some() && state.filter.text.is_empty() => {
            effects.push(Effect::CancelGit);
            let env = state.env().map(|e| e.name.clone()).unwrap_or_default();
            state.log_line(
                &env,
                "cancel",
                Outcome::Succeeded,
                "asked the running fetch or push to stop",
            );
        }
        Command::Cancel => state.filter = Default::default(),
        Command::Verify => verify(state, c, effects),
        Command::DiscardRefused => {
            let kept = state
                .fork
                .value
                .as_ref()
                .and_then(|f| f.refused.first())
                .map(|r| r.reference.clone());
            match kept {
                Some(reference) if !state.settings.read_only => {
                    effects.push(Effect::DiscardRefused(reference))
                }
                Some(_) => {
                    let why = Refusal::new(
                        RefusalKind::ReadOnly,
                        "read-only mode: refused pushes are kept",
                    );
                    refuse(state, c, None, &why, effects);
                }
                None => {
                    let why = Refusal::new(RefusalKind::NothingToDo, "no refused push is kept");
                    refuse(state, c, None, &why, effects);
                }
            }
        }
        Command::Help | Command::Calls => state.panel = panel_of(c),
        Command::NextPane | Command::PrevPane => {
            let i = Pane::ORDER
                .iter()
                .position(|p| *p == state.focus)
                .unwrap_or(0);
            let n = Pane::ORDER.len();
            let next = if c == Command::NextPane {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            };
            state.focus = Pane::ORDER[next];
        }
        Command::Up | Command::Down => move_selection(state, c == Command::Down, effects),
        // Pages are for the overlays that scroll; the lists move a row at a time.
        Command::PageUp | Command::PageDown => {}
        Command::Filter => {
            let scope = if state.focus == Pane::Versions {
                FilterScope::Versions
            } else {
                FilterScope::Targets
            };
            if scope != state.filter_scope {
                state.filter = Default::default();
                state.filter_scope = scope;
            }
            state.filter.active = true;
        }
        Command::Palette => state.palette.active = true,
        Command::Refresh => refresh_all(state, effects),
        Command::Promote
        | Command::PromoteOverride
        | Command::Approve
        | Command::Reject
        | Command::Rollback
        | Command::Freeze => match plan_for(state, c) {
            Ok((intent, planned)) => {
                state.modal = Some(Modal::Confirm(Box::new(Confirm::new(intent, planned))));
                state.confirm_view = Default::default();
            }
            Err(r) => refuse(state, c, r.intent.as_ref(), &r.refusal, effects),
        },
        Command::InjectFault => {
            let Some(env) = state.env().map(|e| e.name.clone()) else {
                return;
            };
            if state.settings.read_only {
                let why = Refusal::new(
                    RefusalKind::ReadOnly,
                    "read-only mode: the fault key is disabled",
                );
                refuse(state, c, None, &why, effects);
            } else if !state.settings.demo {
                let why = Refusal::new(
                    RefusalKind::NothingToDo,
                    "faults can only be injected into the simulated world (shiftdeck demo)",
                );
                refuse(state, c, None, &why, effects);
            } else {
                effects.push(Effect::InjectFault(env));
            }
        }
    }
}

/// What changed since the previous read, for the bell and the desktop, each event once.
fn announce(state: &mut State, events: Vec<notify::Event>, effects: &mut Vec<Effect>) {
    let config = state.settings.notify;
    let notes = notify::announce(events, &config, &mut state.announced);
    effects.extend(notes.into_iter().map(Effect::Notify));
}

/// Records how the frame laid out the open overlay: the confirm modal's plan, else the panel.
fn laid_out(state: &mut State, fit: Fit) {
    if matches!(state.modal, Some(Modal::Confirm(_))) {
        state.confirm_view.scroll.laid_out(fit);
    } else if state.panel.is_some() {
        state.panel_scroll.laid_out(fit);
    }
}

/// The panel a command opens.
fn panel_of(c: Command) -> Option<Panel> {
    match c {
        Command::Help => Some(Panel::Help),
        Command::Calls => Some(Panel::Calls),
        _ => None,
    }
}

/// Up and down move an overlay a line, page up and down a screenful.
fn scroll(scroll: &mut Scroll, c: Command) {
    match c {
        Command::Up => scroll.by(-1, false),
        Command::Down => scroll.by(1, false),
        Command::PageUp => scroll.by(-1, true),
        Command::PageDown => scroll.by(1, true),
        _ => {}
    }
}

/// Why Enter may not confirm yet: part of the plan has not been on screen.
fn unread_plan(scroll: &Scroll) -> Option<String> {
    if scroll.seen_to_end {
        return None;
    }
    Some(match scroll.fit {
        Some(fit) if fit.visible == 0 => {
            "the terminal is too small to show the plan: enlarge it, then confirm".into()
        }
        Some(_) => format!(
            "read the whole plan first: {} more line{} below (down or PgDn)",
            scroll.below(),
            if scroll.below() == 1 { "" } else { "s" }
        ),
        None => "the plan has not been on screen yet".into(),
    })
}

fn wrong_name(typed: &str, name: &str) -> String {
    let n = typed.chars().count();
    format!(
        "typed {typed:?} ({n} character{}), which is not {name} ({} characters)",
        if n == 1 { "" } else { "s" },
        name.chars().count()
    )
}

fn short_reason(reason: &str) -> String {
    format!(
        "the reason has {} of the {MIN_REASON} characters it needs at least",
        reason.chars().count()
    )
}

fn palette_match(wanted: &str) -> Option<Command> {
    if wanted.is_empty() {
        return None;
    }
    Command::palette_matches(wanted).first().copied()
}

/// The selected version and target by identity, so a selection follows its item when a read
/// changes the lists (a new release above it, groups added or reordered).
fn selected_items(state: &State) -> (Option<Version>, Option<String>) {
    (
        state.selected_release().map(|r| r.version.clone()),
        state
            .visible_targets()
            .get(state.selected_target)
            .map(|t| t.group.clone()),
    )
}

fn reselect(state: &mut State, (version, group): (Option<Version>, Option<String>)) {
    if let Some(i) =
        version.and_then(|v| state.visible_releases().iter().position(|r| r.version == v))
    {
        state.selected_version = i;
    }
    if let Some(i) = group.and_then(|g| state.visible_targets().iter().position(|t| t.group == g)) {
        state.selected_target = i;
    }
}

fn move_selection(state: &mut State, down: bool, effects: &mut Vec<Effect>) {
    let step = |i: usize| {
        if down {
            i.saturating_add(1)
        } else {
            i.saturating_sub(1)
        }
    };
    match state.focus {
        Pane::Environments => {
            let before = state.selected_env;
            state.selected_env = step(state.selected_env);
            clamp_selection(state);
            if state.selected_env != before {
                state.selected_target = 0;
                effects.extend(metrics_fetch(state));
            }
        }
        Pane::Versions => state.selected_version = step(state.selected_version),
        Pane::Shift => state.selected_target = step(state.selected_target),
        Pane::Log => state.log_scroll = step(state.log_scroll),
    }
}

fn clamp_selection(state: &mut State) {
    let last = |n: usize| n.saturating_sub(1);
    state.selected_env = state
        .selected_env
        .min(last(state.settings.environments.len()));
    state.selected_version = state
        .selected_version
        .min(last(state.visible_releases().len()));
    state.selected_target = state
        .selected_target
        .min(last(state.visible_targets().len()));
    state.log_scroll = state.log_scroll.min(last(state.log.len()));
}

/// Enter in a confirm modal: checks what was typed, plans again from the latest reads, and runs
/// the plan only when it is still the one on screen.
fn confirm_plan(state: &mut State, confirm: Confirm, effects: &mut Vec<Effect>) {
    let (name, reason) = confirm.answers();
    if confirm.planned().confirmed(name, reason).is_err() {
        // Keep the modal: a protected environment needs its name typed exactly, an override
        // its reason; the modal says which, with the counts.
        let typed = confirm.typed.trim();
        state.confirm_view.refusal = Some(match &confirm.type_to_confirm {
            Some(wanted) if typed != wanted => wrong_name(typed, wanted),
            _ => short_reason(typed),
        });
        state.modal = Some(Modal::Confirm(Box::new(confirm)));
        return;
    }
    let planned = match ops::plan(&snapshot(state), &confirm.intent) {
        Ok(planned) => planned,
        Err(refusal) => {
            let c = command_of(&confirm.intent);
            return refuse(state, c, Some(&confirm.intent), &refusal, effects);
        }
    };
    if planned.plan != confirm.plan || planned.details != confirm.details {
        // The world moved while the modal was open (the shift finished, a colleague pushed):
        // the person confirms what will run, not what they read before.
        let mut again = Confirm::new(confirm.intent, planned);
        again.typed = confirm.typed;
        again.changed = true;
        state.modal = Some(Modal::Confirm(Box::new(again)));
        // The new plan is read from its first line again before it can be confirmed.
        state.confirm_view = Default::default();
        return;
    }
    match planned.confirmed(name, reason) {
        Ok(plan) => {
            state.busy = Some(summary(&plan));
            effects.push(Effect::Execute(plan));
        }
        Err(_) => state.modal = Some(Modal::Confirm(Box::new(confirm))),
    }
}

/// The key that asks for `intent`, for the log's wording.
fn command_of(intent: &Intent) -> Command {
    match intent {
        Intent::Approve { .. } => Command::Approve,
        Intent::Rollback { .. } => Command::Rollback,
        Intent::Reject { .. } => Command::Reject,
        Intent::Freeze { .. } | Intent::Unfreeze { .. } => Command::Freeze,
        _ => Command::Promote,
    }
}

fn actor<'a>(state: &'a State, env: &str) -> Actor<'a> {
    Actor::on(state.now, state.identity.as_ref(), &state.aws_identity, env)
}

fn refuse(
    state: &mut State,
    c: Command,
    intent: Option<&Intent>,
    why: &Refusal,
    effects: &mut Vec<Effect>,
) {
    let env = intent
        .map(|i| i.env().to_string())
        .or_else(|| state.env().map(|e| e.name.clone()))
        .unwrap_or_default();
    // The log speaks of actions (promote), not of the keys that ask for them (promote_override).
    let action = intent
        .map(|i| i.kind().verb().to_string())
        .unwrap_or_else(|| c.name().replace('_', " "));
    state.log_line(&env, &action, Outcome::Refused, why.full());
    if let Some(intent) = intent {
        effects.push(Effect::Audit(audit::refused(
            actor(state, &env),
            intent,
            why,
        )));
    }
    state.modal = Some(Modal::Message {
        title: format!("Cannot {action}"),
        body: why.full(),
    });
}

/// Downloads the selected version's artifacts to check them, when the listing could not: a
/// read, allowed in read-only mode, and running beside any action.
fn verify(state: &mut State, c: Command, effects: &mut Vec<Effect>) {
    let Some(release) = state.selected_release() else {
        let why = Refusal::new(RefusalKind::NothingToDo, "no version is selected");
        return refuse(state, c, None, &why, effects);
    };
    let version = release.version.clone();
    let already = match &release.integrity {
        IntegrityCheck::NotChecked if state.verifying.contains(&version) => Some(format!(
            "the artifacts of {version} are being downloaded already"
        )),
        IntegrityCheck::NotChecked => None,
        IntegrityCheck::Matched => Some(format!(
            "the artifacts of {version} are checked already: each one's SHA-256 matches the signed manifest"
        )),
        IntegrityCheck::Mismatch { artifact, .. } => Some(format!(
            "{version} is checked already: {artifact} does not match the signed manifest"
        )),
    };
    if let Some(why) = already {
        let why = Refusal::new(RefusalKind::NothingToDo, why);
        return refuse(state, c, None, &why, effects);
    }
    state.verifying.insert(version.clone());
    effects.push(Effect::Verify(version));
}

fn verified(state: &mut State, version: Version, result: Result<IntegrityCheck, PortError>) {
    state.verifying.remove(&version);
    let integrity = match result {
        Ok(i) => i,
        Err(e) => {
            let message = format!("{version}: {}", e.message);
            state.log_line("", "verify", Outcome::Failed, message);
            return show_error(state, &format!("Cannot verify {version}"), &e);
        }
    };
    let (outcome, message) = match &integrity {
        IntegrityCheck::Matched => (
            Outcome::Succeeded,
            format!(
                "{version}: every artifact downloaded matches its SHA-256 in the signed manifest"
            ),
        ),
        IntegrityCheck::NotChecked => (
            Outcome::Failed,
            format!("{version}: not every artifact could be hashed"),
        ),
        IntegrityCheck::Mismatch {
            artifact,
            expected,
            actual,
        } => (
            Outcome::Failed,
            format!(
                "{version}: {artifact} has SHA-256 {actual}, the signed manifest says {expected}: it is not what the vendor published"
            ),
        ),
    };
    state.log_line("", "verify", outcome, message.clone());
    if matches!(integrity, IntegrityCheck::Mismatch { .. }) {
        state.modal = Some(Modal::Message {
            title: format!("{version} failed its integrity check"),
            body: format!("{message}. It cannot be pinned."),
        });
    }
    if let Some(list) = &mut state.releases.value
        && let Some(r) = list.iter_mut().find(|r| r.version == version)
    {
        *r = r.with_integrity(integrity);
    }
}

fn show_error(state: &mut State, title: &str, e: &PortError) {
    state.modal = Some(Modal::Message {
        title: title.to_string(),
        body: e.full(),
    });
}

fn finish(state: &mut State, plan: Plan, ex: Execution, effects: &mut Vec<Effect>) {
    state.busy = None;
    let env = plan.env().to_string();
    let record = audit::executed(actor(state, &env), &plan, &ex);
    let (outcome, message) = (record.outcome, record.message.clone());
    effects.push(Effect::Audit(record));
    state.log_line(&env, plan.kind().verb(), outcome, message);
    if let Some(e) = &ex.error {
        show_error(state, &format!("{} failed", plan.kind().verb()), e);
    }
    // What the action changed is read back at once rather than at the next scheduled refresh.
    state.fork.next_due = state.now;
    if let Some(r) = state.rollouts.get_mut(&env) {
        r.next_due = state.now;
    }
    schedule_refreshes(state, effects);
}
