//! The scripting commands: each takes its parsed arguments and returns how it ended, with the
//! exit code the command line documents (docs/cli.md). The acting ones turn their arguments
//! into an intent and go through the same operations layer as the cockpit.

pub mod act;
mod act_output;
pub mod audit;
pub mod exit;
pub mod init;
pub mod shell;

use crate::ports::{ErrorKind, PortError};

/// How a command failed: what to print on stderr and the exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    pub fn error(message: impl Into<String>) -> Self {
        Self {
            code: exit::ERROR,
            message: message.into(),
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            code: exit::USAGE,
            message: message.into(),
        }
    }

    pub fn refused(message: impl Into<String>) -> Self {
        Self {
            code: exit::REFUSED,
            message: message.into(),
        }
    }
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Self::error(message)
    }
}

impl From<PortError> for Failure {
    fn from(e: PortError) -> Self {
        match e.kind {
            ErrorKind::Refused => Self::refused(e.full()),
            _ => Self::error(e.full()),
        }
    }
}

pub type CommandResult = Result<(), Failure>;
