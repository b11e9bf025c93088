//! What one frame shows, derived from `State`: only the rows that fit, with staleness worked out.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::app::action::Command;
use crate::app::call_log::{CallLog, ReadKind};
use crate::app::state::{
    Confirm, ConfirmView, FilterScope, Input, LogEntry, Modal, Pane, Panel, Remote, Scroll, State,
};
use crate::domain::audit::Outcome;
use crate::domain::pipeline::PipelineWait;
use crate::domain::provenance::{self, Provenance};
use crate::domain::release::Release;
use crate::domain::rollout::{LambdaVersion, ManualGate, Progress, Shift, Target};
use crate::domain::time::Timestamp;
use crate::domain::version::Version;
use crate::environment::Environment;
use crate::ports::{ForkStatus, Identity, PortError, Proposal, VersionMetrics};

use super::keymap::Keymap;
use super::layout::{self, Areas};
use super::text::ago;

/// How far to trust remote data on screen, by its age on the machine's clock.
#[derive(Clone, Copy, Debug)]
pub enum Freshness<'a> {
    Loading,
    /// Read within about one refresh interval.
    Fresh(Duration),
    /// A refresh is overdue, but not by much.
    Ageing(Duration),
    /// Older than three refresh intervals.
    Stale(Duration),
    Failed {
        error: &'a PortError,
        age: Option<Duration>,
    },
}

impl Freshness<'_> {
    /// `interval` on the world's clock, as the refreshes are scheduled.
    fn of<'a, T>(remote: &'a Remote<T>, state: &State, interval: Duration) -> Freshness<'a> {
        // A read takes a moment and the tick that shows its age comes up to a second late.
        let slack = Duration::from_secs(1);
        let interval = state.settings.on_wall_clock(interval);
        let age = remote.age(state.wall);
        match (&remote.error, age) {
            (Some(error), age) => Freshness::Failed { error, age },
            (None, None) => Freshness::Loading,
            (None, Some(age)) if age > interval * 3 + slack => Freshness::Stale(age),
            (None, Some(age)) if age > interval.mul_f64(1.5) + slack => Freshness::Ageing(age),
            (None, Some(age)) => Freshness::Fresh(age),
        }
    }

    /// For a pane title: `12s ago`, `STALE 5m00s ago`, `read failed`.
    pub fn label(&self) -> String {
        match self {
            Freshness::Loading => "loading…".into(),
            Freshness::Fresh(age) | Freshness::Ageing(age) => ago(*age),
            Freshness::Stale(age) => format!("STALE {}", ago(*age)),
            Freshness::Failed { age: Some(age), .. } => {
                format!("READ FAILED · last good {}", ago(*age))
            }
            Freshness::Failed { age: None, .. } => "READ FAILED".into(),
        }
    }

    /// Numbers drawn under this must not look live.
    pub fn untrusted(&self) -> bool {
        matches!(self, Freshness::Stale(_) | Freshness::Failed { .. })
    }

    pub fn error(&self) -> Option<&PortError> {
        match self {
            Freshness::Failed { error, .. } => Some(error),
            _ => None,
        }
    }
}

pub struct ViewModel<'a> {
    pub now: Timestamp,
    pub status: StatusLine<'a>,
    pub focus: Pane,
    pub envs: Vec<EnvRow<'a>>,
    pub fork: Option<&'a ForkStatus>,
    pub fork_freshness: Freshness<'a>,
    /// How long ago the remote was last fetched successfully (by shiftdeck or by git).
    pub fetched_ago: Option<Duration>,
    pub versions: VersionsView<'a>,
    pub shift: ShiftView<'a>,
    pub overview: OverviewView<'a>,
    pub log: LogView<'a>,
    pub actions: Vec<ActionHint>,
    pub filter: &'a Input,
    pub overlay: Option<Overlay<'a>>,
}

pub struct StatusLine<'a> {
    pub identity: Option<&'a Identity>,
    pub demo: bool,
    pub read_only: bool,
    pub clock: String,
    pub busy: Option<&'a str>,
    /// The newest command log entry, when it failed or was refused.
    pub last_error: Option<&'a LogEntry>,
    pub failing_reads: usize,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub targets: usize,
    /// Moving traffic (or baking); a deployment held at a manual gate is counted apart.
    pub shifting: usize,
    pub at_gate: usize,
    pub alarming: usize,
    pub rolled_back: usize,
}

pub enum PinView<'a> {
    Unknown,
    Pinned(&'a Version),
    Unreadable(&'a str),
}

pub struct EnvRow<'a> {
    pub env: &'a Environment,
    pub selected: bool,
    pub pin: PinView<'a>,
    /// Distinct versions serving traffic, in target order.
    pub serving: Vec<&'a LambdaVersion>,
    pub counts: Counts,
    /// The first target with a deployment moving traffic (not held at a gate).
    pub shift: Option<&'a Shift>,
    pub proposal: Option<&'a Proposal>,
    pub gate: Option<&'a ManualGate>,
    pub freshness: Freshness<'a>,
    /// Who the environment's AWS connection acts as; shown outside the demo.
    pub account: Option<String>,
    /// What must not go unseen: code that is not the signed artifact, groups that failed.
    pub alerts: Vec<String>,
    /// A pushed pin the pipeline has not deployed yet, and how long ago it was pushed.
    pub pipeline: Option<(PipelineWait, Duration)>,
}

pub struct VersionRow<'a> {
    pub release: &'a Release,
    pub selected: bool,
    pub pinned_by: Vec<&'a Environment>,
    pub running_in: Vec<&'a Environment>,
}

pub struct VersionsView<'a> {
    pub freshness: Freshness<'a>,
    pub rows: Vec<VersionRow<'a>>,
    pub total: usize,
    /// The selected version, with where it is pinned and running.
    pub selected: Option<VersionRow<'a>>,
    pub filter: &'a str,
    /// The selected version's artifacts are being downloaded to check them.
    pub verifying: bool,
    /// The keys that start that check.
    pub verify_key: String,
}

pub struct MetricsView<'a> {
    pub canary: Option<&'a VersionMetrics>,
    pub baseline: Option<&'a VersionMetrics>,
    pub freshness: Freshness<'a>,
}

pub struct ShiftView<'a> {
    pub env: Option<&'a Environment>,
    pub freshness: Freshness<'a>,
    pub target: Option<&'a Target>,
    pub index: usize,
    pub total: usize,
    pub progress: Option<Progress>,
    pub metrics: MetricsView<'a>,
}

pub struct OverviewView<'a> {
    pub env: Option<&'a Environment>,
    pub rows: Vec<(&'a Target, bool)>,
    pub offset: usize,
    pub total: usize,
    pub freshness: Freshness<'a>,
    /// The filter narrowing the targets, empty when none does.
    pub filter: &'a str,
}

pub struct LogView<'a> {
    /// Newest first.
    pub rows: Vec<&'a LogEntry>,
    pub skipped: usize,
    pub total: usize,
}

pub struct ActionHint {
    pub command: Command,
    pub key: String,
    pub plan: Result<String, String>,
}

pub enum Overlay<'a> {
    Confirm(&'a Confirm, &'a ConfirmView),
    Message {
        title: &'a str,
        body: &'a str,
    },
    Help {
        rows: Vec<(String, &'static str)>,
        scroll: &'a Scroll,
        /// The keys that close it.
        close: String,
    },
    Calls {
        envs: Vec<EnvCalls<'a>>,
        scroll: &'a Scroll,
        close: String,
    },
    Palette {
        input: &'a str,
        matches: Vec<(String, String, &'static str)>,
    },
}

/// The API calls of one environment's reads, or of the release repository's, for the calls
/// view.
pub struct EnvCalls<'a> {
    pub env: &'a str,
    pub account: Option<&'a str>,
    /// The last read of each kind that came back, and how long ago it was requested.
    pub last: Vec<(ReadKind, Duration, &'a BTreeMap<String, u32>)>,
    /// Calls by action of the reads requested in the last minute, and how many reads.
    pub minute: BTreeMap<String, u32>,
    pub reads: usize,
    /// Why the last deployments (or releases) read failed: its calls are not counted.
    pub failed: Option<&'a PortError>,
    /// The simulated world, which makes no API calls.
    pub simulated: bool,
}

/// First row to draw so that `selected` is visible in `rows` lines.
pub fn scroll_offset(selected: usize, rows: usize) -> usize {
    if rows == 0 {
        selected
    } else {
        (selected + 1).saturating_sub(rows)
    }
}

impl<'a> ViewModel<'a> {
    pub fn build(state: &'a State, keymap: &Keymap, areas: &Areas) -> ViewModel<'a> {
        let now = state.now;
        let idle = state.settings.refresh_idle;
        let envs = env_rows(state);
        let fork_freshness = Freshness::of(&state.fork, state, idle);
        let mut versions = versions_view(state, &envs, layout::version_rows(areas.versions));
        versions.verify_key = keymap.keys_for(Command::Verify).join(" ");
        let shift = shift_view(state, &envs);
        let overview = overview_view(state, &envs, layout::overview_rows(areas.overview));
        let log = log_view(state, layout::log_rows(areas.log));
        let failing_reads = usize::from(state.releases.error.is_some())
            + usize::from(state.fork.error.is_some())
            + state
                .rollouts
                .values()
                .filter(|r| r.error.is_some())
                .count();
        let status = StatusLine {
            identity: state.identity.as_ref(),
            demo: state.settings.demo,
            read_only: state.settings.read_only,
            clock: state.now.clock(),
            busy: state.busy.as_deref(),
            // Only while it is news: older failures stay in the command log.
            last_error: state.log.last().filter(|e| {
                matches!(e.outcome, Outcome::Failed | Outcome::Refused)
                    && now.since(e.at) <= idle * 2
            }),
            failing_reads,
        };
        let actions = state
            .availability
            .iter()
            .cloned()
            .map(|(command, plan)| ActionHint {
                command,
                key: keymap
                    .keys_for(command)
                    .into_iter()
                    .next()
                    .unwrap_or_default(),
                plan,
            })
            .collect();
        ViewModel {
            now,
            fetched_ago: state
                .fork
                .value
                .as_ref()
                .and_then(|f| f.last_fetch)
                .map(|t| state.wall.since(t)),
            status,
            focus: state.focus,
            envs,
            fork: state.fork.value.as_ref(),
            fork_freshness,
            versions,
            shift,
            overview,
            log,
            actions,
            filter: &state.filter,
            overlay: overlay(state, keymap),
        }
    }
}

/// How often a remote is refreshed: faster while something shifts.
fn interval(state: &State, shifting: bool) -> Duration {
    if shifting {
        state.settings.refresh_active
    } else {
        state.settings.refresh_idle
    }
}

fn env_rows(state: &State) -> Vec<EnvRow<'_>> {
    let fork = state.fork.value.as_ref();
    state
        .settings
        .environments
        .iter()
        .enumerate()
        .map(|(i, env)| {
            let remote = state.rollouts.get(&env.name);
            let targets: &[Target] = remote
                .and_then(|r| r.value.as_ref())
                .map(|r| r.targets.as_slice())
                .unwrap_or_default();
            let mut counts = Counts {
                targets: targets.len(),
                ..Counts::default()
            };
            let mut serving: Vec<&LambdaVersion> = Vec::new();
            let mut shift = None;
            let mut gate = None;
            for t in targets {
                if let Some(s) = t.active_shift() {
                    match &s.gate {
                        Some(g) => {
                            counts.at_gate += 1;
                            gate = gate.or(Some(g));
                        }
                        None => {
                            counts.shifting += 1;
                            shift = shift.or(Some(s));
                        }
                    }
                }
                if t.alarm_firing().is_some() {
                    counts.alarming += 1;
                }
                if t.latest.as_ref().is_some_and(|s| s.rollback.is_some()) {
                    counts.rolled_back += 1;
                }
                if let Some(v) = t.serving()
                    && !serving.iter().any(|s| same_version(s, v))
                {
                    serving.push(v);
                }
            }
            let pin = match fork.and_then(|f| f.pins.iter().find(|p| p.env == env.name)) {
                Some(p) => match &p.version {
                    Ok(v) => PinView::Pinned(v),
                    Err(why) => PinView::Unreadable(why),
                },
                None => PinView::Unknown,
            };
            let mut alerts: Vec<String> = Vec::new();
            // A freeze is the team's word: said first, wherever the environment is shown.
            if let Some(f) = state
                .fork
                .value
                .as_ref()
                .and_then(|f| f.freezes.as_ref().ok())
                .and_then(|l| l.of(&env.name))
            {
                alerts.push(format!("FROZEN {}", f.describe()));
            }
            if let Some(read) = remote.and_then(|r| r.value.as_ref()) {
                let releases = state.releases.value.as_deref().unwrap_or_default();
                for code in &read.serving_code {
                    if let p @ Provenance::NotSignedArtifact { .. } =
                        provenance::check(code, releases)
                    {
                        alerts.push(format!("{} #{} {}", code.function, code.number, p.label()));
                    }
                }
                for g in &read.group_errors {
                    alerts.push(format!("{}: {}", g.group, g.error.message));
                }
            }
            let account = (!state.settings.demo)
                .then(|| state.aws_identity.get(&env.name))
                .flatten()
                .map(|i| {
                    let who = match i {
                        Ok(i) => format!("aws {} {}", i.account, principal(&i.arn)),
                        Err(e) => format!("aws identity unknown: {}", e.message),
                    };
                    // What the last refresh cost and the last minute's reads, so a read that
                    // grows is seen before the account's quota is (details: the calls view).
                    let calls: u32 = remote
                        .and_then(|r| r.value.as_ref())
                        .map(|r| r.api_calls.values().sum())
                        .unwrap_or(0);
                    let minute: u32 = state
                        .api_calls
                        .get(&env.name)
                        .map(|l| l.last_minute_total(state.wall))
                        .unwrap_or(0);
                    format!("{who} · {calls} calls · {minute}/min")
                });
            let pipeline = fork
                .and_then(|f| f.pins.iter().find(|p| p.env == env.name))
                .and_then(|p| p.pipeline_wait(targets, state.now, state.settings.pipeline_warning))
                .map(|w| {
                    let ago = state.now.since(w.pushed_at);
                    (w, ago)
                });
            EnvRow {
                pipeline,
                account,
                alerts,
                env,
                selected: i == state.selected_env,
                pin,
                serving,
                counts,
                shift,
                proposal: fork.and_then(|f| f.proposals.iter().find(|p| p.env == env.name)),
                gate,
                freshness: match remote {
                    Some(r) => Freshness::of(
                        r,
                        state,
                        interval(state, counts.shifting + counts.at_gate > 0),
                    ),
                    None => Freshness::Loading,
                },
            }
        })
        .collect()
}

/// The role (of an assumed-role session) or the user an ARN names, without the account.
fn principal(arn: &str) -> &str {
    let resource = arn.rsplit(':').next().unwrap_or(arn);
    match resource.split('/').collect::<Vec<_>>().as_slice() {
        ["assumed-role", role, ..] => role,
        _ => resource,
    }
}

fn same_version(a: &LambdaVersion, b: &LambdaVersion) -> bool {
    match (&a.release, &b.release) {
        (Some(x), Some(y)) => x == y,
        _ => a.number == b.number,
    }
}

fn versions_view<'a>(state: &'a State, envs: &[EnvRow<'a>], rows: usize) -> VersionsView<'a> {
    let all = state.visible_releases();
    let selected = state.selected_version.min(all.len().saturating_sub(1));
    let offset = scroll_offset(selected, rows);
    let row = |i: usize, release: &'a Release| VersionRow {
        release,
        selected: i == selected,
        pinned_by: envs
            .iter()
            .filter(|e| matches!(e.pin, PinView::Pinned(v) if *v == release.version))
            .map(|e| e.env)
            .collect(),
        running_in: envs
            .iter()
            .filter(|e| {
                e.serving
                    .iter()
                    .any(|s| s.release.as_ref() == Some(&release.version))
            })
            .map(|e| e.env)
            .collect(),
    };
    VersionsView {
        freshness: Freshness::of(&state.releases, state, state.settings.refresh_releases()),
        rows: all
            .iter()
            .enumerate()
            .skip(offset)
            .take(rows)
            .map(|(i, r)| row(i, r))
            .collect(),
        total: all.len(),
        selected: all.get(selected).map(|r| row(selected, r)),
        filter: match state.filter_scope {
            FilterScope::Versions => state.filter.text.trim(),
            FilterScope::Targets => "",
        },
        verifying: all
            .get(selected)
            .is_some_and(|r| state.verifying.contains(&r.version)),
        verify_key: String::new(),
    }
}

fn shift_view<'a>(state: &'a State, envs: &[EnvRow<'a>]) -> ShiftView<'a> {
    let row = envs.iter().find(|e| e.selected);
    let targets = state.visible_targets();
    let index = state.selected_target.min(targets.len().saturating_sub(1));
    let target = targets.get(index).copied();
    let shift = target.and_then(|t| t.latest.as_ref());
    let env_name = row.map(|r| r.env.name.as_str()).unwrap_or_default();
    let metrics = state.metrics.get(env_name);
    let find = |v: Option<&LambdaVersion>| {
        let (t, v) = (target?, v?);
        metrics?
            .value
            .as_ref()?
            .iter()
            .find(|m| m.function == t.function && m.version == v.number)
    };
    let shifting = shift.is_some_and(|s| s.status.is_active());
    ShiftView {
        env: row.map(|r| r.env),
        freshness: row.map(|r| r.freshness).unwrap_or(Freshness::Loading),
        target,
        index,
        total: targets.len(),
        progress: shift.and_then(|s| s.progress(state.now)),
        metrics: MetricsView {
            canary: find(shift.map(|s| &s.to)),
            baseline: find(shift.map(|s| &s.from)),
            freshness: metrics
                .map(|m| Freshness::of(m, state, interval(state, shifting)))
                .unwrap_or(Freshness::Loading),
        },
    }
}

fn overview_view<'a>(state: &'a State, envs: &[EnvRow<'a>], rows: usize) -> OverviewView<'a> {
    let row = envs.iter().find(|e| e.selected);
    let targets = state.visible_targets();
    let selected = state.selected_target.min(targets.len().saturating_sub(1));
    let offset = scroll_offset(selected, rows);
    OverviewView {
        env: row.map(|r| r.env),
        rows: targets
            .iter()
            .enumerate()
            .skip(offset)
            .take(rows)
            .map(|(i, t)| (*t, i == selected))
            .collect(),
        offset,
        total: targets.len(),
        filter: match state.filter_scope {
            FilterScope::Targets => state.filter.text.trim(),
            FilterScope::Versions => "",
        },
        freshness: row.map(|r| r.freshness).unwrap_or(Freshness::Loading),
    }
}

/// Each environment's calls, then the release repository's (the vendor's bucket, read through
/// its own connection).
fn env_calls(state: &State) -> Vec<EnvCalls<'_>> {
    let mut all: Vec<EnvCalls> = state
        .settings
        .environments
        .iter()
        .map(|env| EnvCalls {
            account: state
                .aws_identity
                .get(&env.name)
                .and_then(|i| i.as_ref().ok())
                .map(|i| i.account.as_str()),
            ..calls_of(
                state,
                &env.name,
                state.api_calls.get(&env.name),
                &[ReadKind::Rollout, ReadKind::Metrics],
                state.rollouts.get(&env.name).and_then(|r| r.error.as_ref()),
            )
        })
        .collect();
    all.push(calls_of(
        state,
        "release repository",
        Some(&state.release_calls),
        &[ReadKind::Releases],
        state.releases.error.as_ref(),
    ));
    all
}

/// The calls of the reads of `kinds` in `log`.
fn calls_of<'a>(
    state: &'a State,
    name: &'a str,
    log: Option<&'a CallLog>,
    kinds: &[ReadKind],
    failed: Option<&'a PortError>,
) -> EnvCalls<'a> {
    let last = kinds
        .iter()
        .filter_map(|&kind| {
            let read = log?.last(kind)?;
            Some((kind, state.wall.since(read.at), &read.calls))
        })
        .collect();
    let (minute, reads) = log.map(|l| l.last_minute(state.wall)).unwrap_or_default();
    EnvCalls {
        env: name,
        account: None,
        last,
        minute,
        reads,
        failed,
        simulated: state.settings.demo,
    }
}

fn log_view(state: &State, rows: usize) -> LogView<'_> {
    let skipped = state.log_scroll.min(state.log.len().saturating_sub(1));
    LogView {
        rows: state.log.iter().rev().skip(skipped).take(rows).collect(),
        skipped,
        total: state.log.len(),
    }
}

/// What covers the panes: a modal, the help or the palette.
pub fn overlay<'a>(state: &'a State, keymap: &Keymap) -> Option<Overlay<'a>> {
    let keys = |c: Command| keymap.keys_for(c).join(" ");
    if let Some(modal) = &state.modal {
        return Some(match modal {
            Modal::Confirm(c) => Overlay::Confirm(c, &state.confirm_view),
            Modal::Message { title, body } => Overlay::Message { title, body },
        });
    }
    let close = |c: Command| format!("{} or Esc", keys(c));
    match state.panel {
        Some(Panel::Help) => {
            return Some(Overlay::Help {
                rows: Command::ALL
                    .iter()
                    .map(|c| (keys(*c), c.description()))
                    .collect(),
                scroll: &state.panel_scroll,
                close: close(Command::Help),
            });
        }
        Some(Panel::Calls) => {
            return Some(Overlay::Calls {
                envs: env_calls(state),
                scroll: &state.panel_scroll,
                close: close(Command::Calls),
            });
        }
        None => {}
    }
    if state.palette.active {
        // Same rule as Enter: the first match is the one that runs.
        let matches = Command::palette_matches(&state.palette.text)
            .into_iter()
            .map(|c| (c.title().to_string(), keys(c), c.description()))
            .collect();
        return Some(Overlay::Palette {
            input: &state.palette.text,
            matches,
        });
    }
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_environment_pane_names_the_role_or_user_of_a_connection() {
        assert_eq!(
            super::principal("arn:aws:sts::123456789012:assumed-role/ShiftdeckOperator/dana"),
            "ShiftdeckOperator"
        );
        assert_eq!(
            super::principal("arn:aws:iam::123456789012:user/moto"),
            "user/moto"
        );
        assert_eq!(super::principal("arn:aws:iam::123456789012:root"), "root");
    }

    use super::*;

    use crate::app::action::Action;
    use crate::app::state::Settings;
    use crate::app::update::update;
    use crate::ui::Keymap;

    #[test]
    fn releases_are_stale_only_after_missing_three_of_their_own_reads() {
        let t0 = Timestamp(1_000_000);
        let settings = Settings {
            environments: Vec::new(),
            read_only: false,
            demo: true,
            refresh_active: Duration::from_secs(2),
            refresh_idle: Duration::from_secs(30),
            refresh_metrics: Duration::ZERO,
            pipeline_warning: Duration::from_secs(15 * 60),
            failure_window: crate::ops::failures::DEFAULT_WINDOW,
            clock_speed: 1.0,
            notify: Default::default(),
        };
        let every = settings.refresh_releases();
        let mut state = State::new(settings, t0);
        update(
            &mut state,
            Action::Releases(crate::app::action::Fetched::new(t0, Ok(Vec::new().into()))),
        );
        let keymap = Keymap::default();
        let freshness_at = |state: &mut State, age: Duration| {
            state.wall = t0.plus(age);
            let vm = ViewModel::build(state, &keymap, &Areas::default());
            vm.versions.freshness.label()
        };
        // Waiting for the next read, however much longer than the other panes wait, is fresh.
        assert_eq!(freshness_at(&mut state, every), "5m00s ago");
        assert!(freshness_at(&mut state, every * 3 + Duration::from_secs(2)).starts_with("STALE"));
    }

    #[test]
    fn ages_are_measured_on_the_machines_clock_while_the_demo_runs_twenty_times_faster() {
        let t0 = Timestamp(1_000_000);
        let settings = Settings {
            environments: Vec::new(),
            read_only: false,
            demo: true,
            // One machine second between reads of a moving shift, five when idle.
            refresh_active: Duration::from_secs(20),
            refresh_idle: Duration::from_secs(100),
            refresh_metrics: Duration::ZERO,
            pipeline_warning: Duration::from_secs(15 * 60),
            clock_speed: 20.0,
            notify: Default::default(),
            failure_window: crate::ops::failures::DEFAULT_WINDOW,
        };
        let mut state = State::new(settings, t0);
        let read = crate::app::action::Fetched::at(t0.into(), Ok(Vec::new().into()));
        update(&mut state, Action::Releases(read));
        let keymap = Keymap::default();
        let mut at = |real_secs: u64| {
            // The world moves twenty times as fast as the machine's clock.
            let now = crate::app::action::Now {
                world: t0.plus(Duration::from_secs(real_secs * 20)),
                wall: t0.plus(Duration::from_secs(real_secs)),
            };
            update(&mut state, Action::Tick(now));
            let vm = ViewModel::build(&state, &keymap, &Areas::default());
            let f = vm.versions.freshness;
            (
                f.label(),
                matches!(f, Freshness::Fresh(_)),
                matches!(f, Freshness::Ageing(_)),
            )
        };
        // Four real seconds after the read it says 4s, not the world's 1m20s.
        assert_eq!(at(4), ("4s ago".to_string(), true, false));
        // The releases are read every 50 real seconds (1000 world seconds).
        assert_eq!(at(80), ("1m20s ago".to_string(), false, true));
        assert!(at(152).0.starts_with("STALE"));
    }

    #[test]
    fn scrolling_keeps_the_selection_in_view() {
        assert_eq!(scroll_offset(0, 10), 0);
        assert_eq!(scroll_offset(9, 10), 0);
        assert_eq!(scroll_offset(10, 10), 1);
        assert_eq!(scroll_offset(199, 20), 180);
    }
}
