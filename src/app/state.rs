//! Everything the cockpit knows, changed only by `update`.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use super::notify::NotifyConfig;
use crate::domain::audit::Outcome;
use crate::domain::env::EnvName;
use crate::domain::release::Release;
use crate::domain::time::Timestamp;
use crate::domain::version::Version;
use crate::environment::Environment;
use crate::ops::{Intent, Needs, Planned};

use super::action::Command;
use super::call_log::CallLog;
use crate::ports::{AwsIdentity, EnvRollout, ForkStatus, Identity, PortError, VersionMetrics};

pub use crate::ops::{Gate, Plan};

/// Remote data with the time it was read and the last error, so the UI can show staleness and
/// failures in place instead of old numbers that look live.
#[derive(Clone, Debug)]
pub struct Remote<T> {
    pub value: Option<T>,
    pub fetched_at: Option<Timestamp>,
    /// When the value was requested by the machine's clock: its age on screen.
    pub wall_at: Option<Timestamp>,
    pub error: Option<PortError>,
    pub in_flight: bool,
    /// When the next refresh is due; pushed out on throttling.
    pub next_due: Timestamp,
    /// Consecutive throttled or failed reads, for backoff.
    pub failures: u32,
}

impl<T> Default for Remote<T> {
    fn default() -> Self {
        Self {
            value: None,
            fetched_at: None,
            wall_at: None,
            error: None,
            in_flight: false,
            next_due: Timestamp(i64::MIN),
            failures: 0,
        }
    }
}

impl<T> Remote<T> {
    /// How old the value is by the machine's clock at `wall`.
    pub fn age(&self, wall: Timestamp) -> Option<Duration> {
        self.wall_at.map(|t| wall.since(t))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Pane {
    #[default]
    Environments,
    Versions,
    Shift,
    Log,
}

impl Pane {
    pub const ORDER: [Pane; 4] = [Pane::Environments, Pane::Versions, Pane::Shift, Pane::Log];
}

#[derive(Clone, Debug, PartialEq)]
pub struct Confirm {
    /// What the person asked for: planned again from the latest reads before it runs.
    pub intent: Intent,
    pub plan: Plan,
    /// Label and value lines saying exactly what will happen.
    pub details: Vec<(String, String)>,
    /// For protected environments: the name to type before Enter is accepted.
    pub type_to_confirm: Option<String>,
    /// For an override: why the version may not be pinned normally; the reason for overriding it
    /// is then typed into `typed` and is required.
    pub override_of: Option<String>,
    /// What a typed reason is asked for (a rejection, a freeze), typed into `typed`.
    pub reason_for: Option<String>,
    pub typed: String,
    /// The plan was made again when confirmed and had changed: this is the new one, to be
    /// read and confirmed again.
    pub changed: bool,
}

impl Confirm {
    pub fn new(intent: Intent, planned: Planned) -> Self {
        Self {
            intent,
            plan: planned.plan,
            details: planned.details,
            type_to_confirm: planned.needs.typed_name.map(|n| n.to_string()),
            override_of: planned.needs.override_of,
            reason_for: planned.needs.reason_for,
            typed: String::new(),
            changed: false,
        }
    }

    /// The plan as it was planned, with what it needs confirmed.
    pub fn planned(&self) -> Planned {
        Planned {
            plan: self.plan.clone(),
            details: self.details.clone(),
            needs: Needs {
                typed_name: self.type_to_confirm.as_deref().map(EnvName::new),
                override_of: self.override_of.clone(),
                reason_for: self.reason_for.clone(),
            },
        }
    }

    /// A typed reason is part of the confirmation (an override, a rejection, a freeze).
    pub fn wants_reason(&self) -> bool {
        self.override_of.is_some() || self.reason_for.is_some()
    }

    /// What was typed, as the answers to what the plan needs: the name, or the reason.
    pub fn answers(&self) -> (Option<&str>, Option<&str>) {
        let typed = Some(self.typed.as_str());
        (
            self.type_to_confirm.as_ref().and(typed),
            self.wants_reason().then_some(self.typed.as_str()),
        )
    }
}

/// How the last frame laid out the scrolling part of an overlay (the confirm modal's plan, the
/// help): known to `update` only through `Action::OverlayLaidOut`, since only the view knows
/// how lines wrap at the terminal's size.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Fit {
    /// Rows the whole text takes.
    pub rows: u16,
    /// Rows of it on screen at once; zero when the terminal is too small to show any.
    pub visible: u16,
}

/// Where an overlay is scrolled, and whether every row of it has been on screen.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scroll {
    pub offset: u16,
    pub fit: Option<Fit>,
    /// Set once the last row has been on screen; never unset, so scrolling back up to re-read
    /// the top does not lock Enter again.
    pub seen_to_end: bool,
}

impl Scroll {
    pub fn laid_out(&mut self, fit: Fit) {
        self.fit = Some(fit);
        self.settle();
    }

    /// Moves by `rows` (negative: up), by a page when `page` is set.
    pub fn by(&mut self, rows: i32, page: bool) {
        let step = if page {
            i32::from(self.fit.map_or(1, |f| f.visible.max(1)))
        } else {
            1
        };
        let next = i32::from(self.offset) + rows * step;
        self.offset = u16::try_from(next.max(0)).unwrap_or(u16::MAX);
        self.settle();
    }

    /// Rows below the bottom of the screen.
    pub fn below(&self) -> u16 {
        self.fit.map_or(0, |f| {
            f.rows.saturating_sub(self.offset.saturating_add(f.visible))
        })
    }

    fn settle(&mut self) {
        let Some(fit) = self.fit else { return };
        self.offset = self.offset.min(fit.rows.saturating_sub(fit.visible));
        if fit.visible > 0 && self.below() == 0 {
            self.seen_to_end = true;
        }
    }
}

/// The open confirm modal's view: how far its plan is scrolled, and why Enter was refused last.
/// Beside `Modal::Confirm` rather than inside `Confirm`, which the planner builds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfirmView {
    pub scroll: Scroll,
    pub refusal: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Modal {
    Confirm(Box<Confirm>),
    /// An action was refused or failed: what, why and how to fix it.
    Message {
        title: String,
        body: String,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct LogEntry {
    pub at: Timestamp,
    pub env: String,
    pub action: String,
    pub outcome: Outcome,
    pub message: String,
}

/// A line of text being typed: the filter or the command palette.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Input {
    pub text: String,
    pub active: bool,
}

#[derive(Clone, Debug)]
pub struct Settings {
    pub environments: Vec<Environment>,
    pub read_only: bool,
    /// Running against the simulated world.
    pub demo: bool,
    /// Wall-clock refresh intervals, scaled by the simulator's speed in the demo.
    pub refresh_active: Duration,
    pub refresh_idle: Duration,
    /// Metrics have one-minute resolution and are billed per metric: read about once a
    /// minute against AWS; with every rollout read in the demo (zero).
    pub refresh_metrics: Duration,
    /// How long after a pushed pin a deployment of it should have appeared.
    pub pipeline_warning: Duration,
    /// How long a failure counts against a version (the rules' `failure_window_hours`).
    pub failure_window: Duration,
    /// World seconds per machine second: the demo's speed, 1 against AWS.
    pub clock_speed: f64,
    /// How each kind of event is announced.
    pub notify: NotifyConfig,
}

impl Settings {
    /// The cockpit's settings against the configured accounts: a moving shift is read every
    /// 5 s, everything else every 30 s, metrics once a minute (their resolution).
    pub fn against_aws(config: &crate::config::Config, read_only: bool) -> Self {
        Self {
            environments: config.environments.clone(),
            read_only,
            demo: false,
            refresh_active: Duration::from_secs(5),
            refresh_idle: Duration::from_secs(30),
            refresh_metrics: Duration::from_secs(60),
            pipeline_warning: config.aws.pipeline_warning(),
            failure_window: config.rules.failure_window(),
            clock_speed: 1.0,
            notify: config.ui.notify,
        }
    }

    /// Releases are published rarely; the release repository is read ten times less often.
    pub fn refresh_releases(&self) -> Duration {
        self.refresh_idle * 10
    }

    /// A world-clock interval as the machine's clock measures it.
    pub fn on_wall_clock(&self, world: Duration) -> Duration {
        if self.clock_speed.is_finite() && self.clock_speed > 0.0 {
            world.div_f64(self.clock_speed)
        } else {
            world
        }
    }
}

/// A read-only panel over the panes that scrolls line by line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Panel {
    Help,
    /// The API calls of each environment's reads.
    Calls,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterScope {
    Versions,
    Targets,
}

#[derive(Clone, Debug)]
pub struct State {
    pub settings: Settings,
    /// The world's time: deployments, timelines and schedules.
    pub now: Timestamp,
    /// The machine's time: how old the data on screen is.
    pub wall: Timestamp,
    pub identity: Option<Identity>,
    /// Per environment: who its AWS connection acts as, or why that is unknown.
    pub aws_identity: BTreeMap<String, Result<AwsIdentity, PortError>>,
    pub releases: Remote<Vec<Release>>,
    pub fork: Remote<ForkStatus>,
    /// Keyed by environment name, in configuration order via `settings.environments`.
    pub rollouts: BTreeMap<String, Remote<EnvRollout>>,
    pub metrics: BTreeMap<String, Remote<Vec<VersionMetrics>>>,
    pub focus: Pane,
    pub selected_env: usize,
    pub selected_version: usize,
    pub selected_target: usize,
    pub log_scroll: usize,
    pub modal: Option<Modal>,
    pub filter: Input,
    /// The list the filter narrows: versions when started in the versions pane, else the targets.
    /// One filter for both would empty the shift pane whenever a version is looked for.
    pub filter_scope: FilterScope,
    pub palette: Input,
    /// Scroll and reading state of the open confirm modal; reset whenever one opens.
    pub confirm_view: ConfirmView,
    /// The help or the calls view, over the panes.
    pub panel: Option<Panel>,
    /// How far the open panel is scrolled, line by line, when it is taller than the screen.
    pub panel_scroll: Scroll,
    /// Per environment: the API calls its reads made, for the calls view.
    pub api_calls: BTreeMap<String, CallLog>,
    /// The calls of the release repository's reads (the vendor's bucket).
    pub release_calls: CallLog,
    /// Versions whose artifacts are being downloaded to check them.
    pub verifying: BTreeSet<Version>,
    pub log: Vec<LogEntry>,
    /// Keys of the events announced so far, so that each is announced once.
    pub announced: BTreeSet<String>,
    /// An action is executing; further actions wait for it.
    pub busy: Option<String>,
    pub quit: bool,
    /// Something visible changed since the last frame.
    pub needs_redraw: bool,
    /// For each action key: what it would do now, or why it cannot; kept by `update`.
    pub availability: Vec<(Command, Result<String, String>)>,
}

/// Puts releases in the order every list shows them, newest first: once, when they are stored,
/// rather than on every frame.
pub fn newest_first(releases: &mut [Release]) {
    releases.sort_by(|a, b| b.version.cmp(&a.version));
}

impl State {
    pub fn new(settings: Settings, now: Timestamp) -> Self {
        let rollouts = settings
            .environments
            .iter()
            .map(|e| (e.name.clone(), Remote::default()))
            .collect();
        let metrics = settings
            .environments
            .iter()
            .map(|e| (e.name.clone(), Remote::default()))
            .collect();
        Self {
            settings,
            now,
            wall: now,
            identity: None,
            aws_identity: BTreeMap::new(),
            releases: Remote::default(),
            fork: Remote::default(),
            rollouts,
            metrics,
            focus: Pane::default(),
            selected_env: 0,
            selected_version: 0,
            selected_target: 0,
            log_scroll: 0,
            modal: None,
            filter: Input::default(),
            filter_scope: FilterScope::Versions,
            palette: Input::default(),
            confirm_view: ConfirmView::default(),
            panel: None,
            panel_scroll: Scroll::default(),
            api_calls: BTreeMap::new(),
            release_calls: CallLog::default(),
            verifying: BTreeSet::new(),
            log: Vec::new(),
            announced: BTreeSet::new(),
            busy: None,
            quit: false,
            needs_redraw: true,
            availability: Vec::new(),
        }
    }

    pub fn env(&self) -> Option<&Environment> {
        self.settings.environments.get(self.selected_env)
    }

    /// Releases newest first (as stored), narrowed by the filter.
    pub fn visible_releases(&self) -> Vec<&Release> {
        self.releases
            .value
            .iter()
            .flatten()
            .filter(|r| {
                self.filter_scope != FilterScope::Versions
                    || self.matches_filter(r.version.as_str())
            })
            .collect()
    }

    pub fn selected_release(&self) -> Option<&Release> {
        self.visible_releases().get(self.selected_version).copied()
    }

    /// The selected environment's targets, narrowed by the filter.
    pub fn visible_targets(&self) -> Vec<&crate::domain::rollout::Target> {
        let Some(env) = self.env() else {
            return Vec::new();
        };
        self.rollouts
            .get(&env.name)
            .and_then(|r| r.value.as_ref())
            .map(|r| {
                r.targets
                    .iter()
                    .filter(|t| {
                        self.filter_scope != FilterScope::Targets
                            || self.matches_filter(&t.group)
                            || self.matches_filter(&t.function)
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn matches_filter(&self, text: &str) -> bool {
        let f = self.filter.text.trim();
        f.is_empty() || text.to_lowercase().contains(&f.to_lowercase())
    }

    /// A text field has the keyboard: printable keys go to it.
    pub fn text_input_active(&self) -> bool {
        self.filter.active
            || self.palette.active
            || matches!(&self.modal, Some(Modal::Confirm(c))
                if c.type_to_confirm.is_some() || c.wants_reason())
    }

    pub fn pinned(&self, env: &str) -> Option<&Version> {
        self.fork
            .value
            .as_ref()?
            .pins
            .iter()
            .find(|p| p.env == env)
            .and_then(|p| p.version.as_ref().ok())
    }

    pub fn log_line(
        &mut self,
        env: &str,
        action: &str,
        outcome: Outcome,
        message: impl Into<String>,
    ) {
        self.log.push(LogEntry {
            at: self.now,
            env: env.to_string(),
            action: action.to_string(),
            outcome,
            message: message.into(),
        });
    }
}
