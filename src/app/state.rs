//! Everything the cockpit knows, changed only by `update`.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::domain::audit::{ActionKind, Outcome};
use crate::domain::env::Environment;
use crate::domain::release::Release;
use crate::domain::rollout::RollbackPlan;
use crate::domain::time::Timestamp;
use crate::domain::version::Version;
use crate::ports::{EnvRollout, ForkStatus, Identity, PortError, VersionMetrics};

/// Remote data with the time it was read and the last error, so the UI can show staleness and
/// failures in place instead of old numbers that look live.
#[derive(Clone, Debug)]
pub struct Remote<T> {
    pub value: Option<T>,
    pub fetched_at: Option<Timestamp>,
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
            error: None,
            in_flight: false,
            next_due: Timestamp(i64::MIN),
            failures: 0,
        }
    }
}

impl<T> Remote<T> {
    pub fn age(&self, now: Timestamp) -> Option<Duration> {
        self.fetched_at.map(|t| now.since(t))
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

/// An action worked out in full, shown in the confirm modal and then executed as shown.
#[derive(Clone, Debug, PartialEq)]
pub enum Plan {
    Promote {
        env: String,
        from: Option<Version>,
        to: Version,
        file: String,
        as_proposal: bool,
        message: String,
        /// Set when the version is not verified and the user chose to override.
        override_reason: Option<String>,
    },
    ApproveProposal {
        env: String,
        version: Version,
        proposer: Identity,
        branch: String,
    },
    ApproveGate {
        env: String,
        group: String,
        deployment_id: String,
        execution_id: String,
    },
    Rollback {
        env: String,
        /// Per deployment group.
        steps: Vec<(String, RollbackPlan)>,
        /// The pin revert that keeps the pipeline from redeploying: (bad, good).
        pin_revert: Option<(Version, Version)>,
        reason: String,
    },
}

impl Plan {
    pub fn kind(&self) -> ActionKind {
        match self {
            Plan::Promote { .. } => ActionKind::Promote,
            Plan::ApproveProposal { .. } | Plan::ApproveGate { .. } => ActionKind::Approve,
            Plan::Rollback { .. } => ActionKind::Rollback,
        }
    }

    pub fn env(&self) -> &str {
        match self {
            Plan::Promote { env, .. }
            | Plan::ApproveProposal { env, .. }
            | Plan::ApproveGate { env, .. }
            | Plan::Rollback { env, .. } => env,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Confirm {
    pub plan: Plan,
    /// Label and value lines saying exactly what will happen.
    pub details: Vec<(String, String)>,
    /// For protected environments: the name to type before Enter is accepted.
    pub type_to_confirm: Option<String>,
    pub typed: String,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Modal {
    Confirm(Confirm),
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
}

#[derive(Clone, Debug)]
pub struct State {
    pub settings: Settings,
    pub now: Timestamp,
    pub identity: Option<Identity>,
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
    pub palette: Input,
    pub help: bool,
    pub log: Vec<LogEntry>,
    /// An action is executing; further actions wait for it.
    pub busy: Option<String>,
    pub quit: bool,
    /// Something visible changed since the last frame.
    pub needs_redraw: bool,
}
