//! The one vocabulary that keymaps, the event loop, the effect runner and tests all speak.

use serde::{Deserialize, Serialize};

use crate::domain::audit::AuditRecord;
use crate::domain::release::IntegrityCheck;
use crate::domain::version::Version;
use crate::ports::{
    AwsIdentity, EnvRollout, ForkStatus, Identity, MetricTarget, MetricsRead, PortError,
    ReleasesRead,
};

use super::notify::Notification;
use super::state::Fit;
use crate::ops::Plan;

/// What a key can be bound to. The names in the keymap file are the snake_case variant names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Command {
    Quit,
    Help,
    /// Show the API calls of each environment's reads.
    Calls,
    NextPane,
    PrevPane,
    Up,
    Down,
    PageUp,
    PageDown,
    Promote,
    PromoteOverride,
    Approve,
    Reject,
    Rollback,
    /// Freeze the selected environment, or lift its freeze.
    Freeze,
    /// Delete the newest pin commit the remote refused (kept on a ref until then).
    DiscardRefused,
    /// Download the selected version's artifacts and check them against its manifest.
    Verify,
    Filter,
    Palette,
    Refresh,
    InjectFault,
    Confirm,
    Cancel,
}

impl Command {
    pub const ALL: [Command; 23] = [
        Command::Promote,
        Command::PromoteOverride,
        Command::Approve,
        Command::Reject,
        Command::Rollback,
        Command::Freeze,
        Command::DiscardRefused,
        Command::Verify,
        Command::Up,
        Command::Down,
        Command::PageUp,
        Command::PageDown,
        Command::NextPane,
        Command::PrevPane,
        Command::Filter,
        Command::Palette,
        Command::Refresh,
        Command::InjectFault,
        Command::Help,
        Command::Calls,
        Command::Confirm,
        Command::Cancel,
        Command::Quit,
    ];

    /// The line the help panel and the command palette show.
    pub fn description(self) -> &'static str {
        match self {
            Command::Quit => "quit shiftdeck",
            Command::Help => "show or hide this help",
            Command::Calls => {
                "show or hide the AWS API calls of each environment's reads: the last refresh and the last minute, by IAM action"
            }
            Command::NextPane => "focus the next pane",
            Command::PrevPane => "focus the previous pane",
            Command::Up => "select the previous item",
            Command::Down => "select the next item",
            Command::PageUp => "scroll a page up (help, confirm)",
            Command::PageDown => "scroll a page down (help, confirm)",
            Command::Promote => {
                "promote: pin the selected version in the selected environment (or the next environment's pin from this one)"
            }
            Command::PromoteOverride => {
                "promote an unsigned or yanked version anyway, with a typed reason that goes into the commit and the audit log"
            }
            Command::Approve => "approve the selected environment's proposal or manual gate",
            Command::Reject => {
                "reject the selected environment's proposal, with a typed reason; its branch is deleted"
            }
            Command::Rollback => "roll the selected environment back and revert its pin",
            Command::Freeze => {
                "freeze the selected environment for the whole team (no pin or promote into it), with a typed reason; or lift its freeze"
            }
            Command::DiscardRefused => {
                "delete the newest pin commit the remote refused (to retry it instead, run the same action again)"
            }
            Command::Verify => {
                "download the selected version's artifacts and check their SHA-256 against the signed manifest, when S3 holds no checksum of them"
            }
            Command::Filter => "filter the versions (in their pane) or the targets (elsewhere)",
            Command::Palette => "open the command palette",
            Command::Refresh => "refresh everything now",
            Command::InjectFault => "demo only: make the running canary fail so its alarms fire",
            Command::Confirm => "confirm",
            Command::Cancel => "cancel, close",
        }
    }

    /// What the palette and the help call the command, in the user's words.
    pub fn title(self) -> &'static str {
        match self {
            Command::Quit => "quit",
            Command::Help => "help",
            Command::Calls => "api calls",
            Command::NextPane => "next pane",
            Command::PrevPane => "previous pane",
            Command::Up => "up",
            Command::Down => "down",
            Command::PageUp => "page up",
            Command::PageDown => "page down",
            Command::Promote => "promote",
            Command::PromoteOverride => "promote anyway",
            Command::Approve => "approve",
            Command::Reject => "reject proposal",
            Command::Rollback => "rollback",
            Command::Freeze => "freeze or unfreeze",
            Command::DiscardRefused => "discard refused push",
            Command::Verify => "verify artifacts",
            Command::Filter => "filter",
            Command::Palette => "command palette",
            Command::Refresh => "refresh",
            Command::InjectFault => "inject fault",
            Command::Confirm => "confirm",
            Command::Cancel => "cancel",
        }
    }

    /// Commands worth running by name: moving about and answering modals are keys, not commands.
    pub fn in_palette(self) -> bool {
        !matches!(
            self,
            Command::Up
                | Command::Down
                | Command::PageUp
                | Command::PageDown
                | Command::NextPane
                | Command::PrevPane
                | Command::Palette
                | Command::Confirm
                | Command::Cancel
        )
    }

    /// The palette's commands matching what was typed, best first: the exact title, then titles
    /// starting with it, then titles with a word starting with it.
    pub fn palette_matches(typed: &str) -> Vec<Command> {
        let wanted = typed.trim().to_lowercase().replace('_', " ");
        let rank = |c: &Command| {
            let title = c.title();
            if title == wanted {
                Some(0)
            } else if title.starts_with(&wanted) {
                Some(1)
            } else if title.split(' ').any(|w| w.starts_with(&wanted)) {
                Some(2)
            } else {
                None
            }
        };
        let mut found: Vec<(u8, Command)> = Command::ALL
            .into_iter()
            .filter(|c| c.in_palette())
            .filter_map(|c| rank(&c).map(|r| (r, c)))
            .collect();
        found.sort_by_key(|(r, _)| *r);
        found.into_iter().map(|(_, c)| c).collect()
    }

    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    /// Commands that change the world, disabled in read-only mode.
    pub fn mutates(self) -> bool {
        matches!(
            self,
            Command::Promote
                | Command::PromoteOverride
                | Command::Approve
                | Command::Reject
                | Command::Rollback
                | Command::Freeze
                | Command::DiscardRefused
                | Command::InjectFault
        )
    }
}

/// Which remote read a result belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    Releases,
    Fork,
    Rollout(String),
    Metrics(String),
}

#[derive(Clone, Debug)]
pub enum Action {
    Command(Command),
    /// A character typed while a text field (filter, palette, type-to-confirm) has focus.
    Char(char),
    Backspace,
    Tick(Now),
    Resize,
    /// How the frame just drawn laid out the open overlay's scrolling text.
    OverlayLaidOut(Fit),
    /// Something found at start that the user must see (a keymap that leaves an action without
    /// a key): title and body of a message.
    Notice(String, String),
    Identity(Identity),
    Releases(Fetched<ReleasesRead>),
    Fork(Fetched<ForkStatus>),
    Rollout(String, Fetched<EnvRollout>),
    Metrics(String, Fetched<MetricsRead>),
    /// An executed plan came back.
    Executed(Box<Plan>, Execution),
    /// Who an environment's AWS connection acts as, for its pane and the audit log.
    AwsIdentity(String, Result<AwsIdentity, PortError>),
    FaultInjected(Result<String, PortError>),
    /// A refused push was deleted (its reference), or why not.
    Discarded(Result<String, PortError>),
    /// The artifacts of a version were downloaded and checked, or why not.
    Verified(Version, Result<IntegrityCheck, PortError>),
    /// An audit record could not be written.
    AuditFailed(PortError),
}

pub use crate::ops::Execution;
pub use crate::ops::reads::{Fetched, Now};

/// Work `update` asks the runner to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    Fetch(Source),
    /// Canary against baseline for these functions and versions.
    FetchMetrics(String, Vec<MetricTarget>),
    Execute(Plan),
    InjectFault(String),
    Audit(AuditRecord),
    /// The bell and a desktop notification, written by the terminal layer.
    Notify(Notification),
    /// Stop the fork's running fetch or push (it ends as a "cancelled" error).
    CancelGit,
    /// Delete a refused push kept on this reference.
    DiscardRefused(String),
    /// Download a version's artifacts and check them.
    Verify(Version),
    Quit,
}
