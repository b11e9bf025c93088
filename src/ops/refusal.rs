//! Why an intent cannot be carried out, in words a person can act on.

use serde::Serialize;
use std::fmt;

/// What kind of rule refused: scripts branch on it, people read the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalKind {
    /// Started with `--read-only`.
    ReadOnly,
    /// Another action is still running.
    Busy,
    /// Something the plan needs has not been read (or could not be).
    NotRead,
    UnknownEnvironment,
    UnknownVersion,
    /// The version is unsigned, tampered with or yanked: `override` may set that aside.
    Unverified,
    /// The version may not be pinned at all (bad signature, integrity mismatch).
    NotOverridable,
    /// The version failed, was rolled back or fired an alarm somewhere recently: `override`
    /// may set that aside, with a reason.
    FailedUpstream,
    /// The version is still being canaried upstream, or a shift runs in the target.
    Shifting,
    /// The fork's work tree has changes, or its branch is not the remote's.
    DirtyFork,
    DivergedFork,
    Frozen,
    /// The person asked to approve their own proposal.
    SelfApproval,
    /// Already done, or nothing there to act on.
    NothingToDo,
    /// The confirmation the plan asks for was not given (name, reason, `--yes`).
    NotConfirmed,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Refusal {
    pub kind: RefusalKind,
    pub message: String,
    pub hint: Option<String>,
}

impl Refusal {
    pub fn new(kind: RefusalKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            hint: None,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The message and, on its own line, the hint.
    pub fn full(&self) -> String {
        match &self.hint {
            Some(h) => format!("{}\n  hint: {h}", self.message),
            None => self.message.clone(),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
