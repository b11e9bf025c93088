//! The read side for scripts: one snapshot of everything read once, and the `versions` and
//! `status` reports built from it (JSON with a versioned schema, or text). See docs/cli.md.

pub mod audit;
pub mod status;
pub mod versions;

use serde::Serialize;

use crate::domain::time::Timestamp;
use crate::ports::PortError;

/// An error as scripts see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ErrorOut {
    pub kind: crate::ports::ErrorKind,
    pub message: String,
    pub hint: Option<String>,
}

impl From<&PortError> for ErrorOut {
    fn from(e: &PortError) -> Self {
        Self {
            kind: e.kind,
            message: e.message.clone(),
            hint: e.hint.clone(),
        }
    }
}

pub(crate) fn time(t: Timestamp) -> String {
    t.rfc3339()
}
