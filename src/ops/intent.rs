//! What a person wants, in their own words.

use serde::Serialize;

use crate::domain::audit::ActionKind;
use crate::domain::env::EnvName;
use crate::domain::version::Version;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "intent", rename_all = "snake_case")]
pub enum Intent {
    /// Pin `version` in `env`. With `override_check`, a version that fails a check that may be
    /// overridden (unsigned, yanked) is planned anyway, and the plan asks for a reason.
    Pin {
        env: EnvName,
        version: Version,
        override_check: bool,
    },
    /// Carry `from`'s pin to `to`, or to the next environment in the promotion order.
    Promote {
        from: EnvName,
        to: Option<EnvName>,
        override_check: bool,
    },
    /// Approve `env`'s proposal, or open the manual gate its deployments wait at.
    Approve {
        env: EnvName,
    },
    /// Turn down `env`'s proposal.
    Reject {
        env: EnvName,
        reason: String,
    },
    /// Return `env` to the version that served before.
    Rollback {
        env: EnvName,
        reason: Option<String>,
    },
    Freeze {
        env: EnvName,
        reason: String,
    },
    Unfreeze {
        env: EnvName,
    },
}

impl Intent {
    pub fn env(&self) -> &EnvName {
        match self {
            Intent::Pin { env, .. }
            | Intent::Approve { env }
            | Intent::Reject { env, .. }
            | Intent::Rollback { env, .. }
            | Intent::Freeze { env, .. }
            | Intent::Unfreeze { env } => env,
            Intent::Promote { from, .. } => from,
        }
    }

    pub fn kind(&self) -> ActionKind {
        match self {
            Intent::Pin { .. } => ActionKind::Pin,
            Intent::Promote { .. } => ActionKind::Promote,
            Intent::Approve { .. } => ActionKind::Approve,
            Intent::Reject { .. } => ActionKind::Reject,
            Intent::Rollback { .. } => ActionKind::Rollback,
            Intent::Freeze { .. } => ActionKind::Freeze,
            Intent::Unfreeze { .. } => ActionKind::Unfreeze,
        }
    }

    /// What was asked, in the words of the command line: `pin staging v1.3.0`,
    /// `promote dev prod`, `rollback prod`.
    pub fn describe(&self) -> String {
        match self {
            Intent::Pin { env, version, .. } => format!("pin {env} {version}"),
            Intent::Promote { from, to, .. } => match to {
                Some(to) => format!("promote {from} {to}"),
                None => format!("promote {from}"),
            },
            Intent::Approve { env } => format!("approve {env}"),
            Intent::Reject { env, .. } => format!("reject {env}"),
            Intent::Rollback { env, .. } => format!("rollback {env}"),
            Intent::Freeze { env, .. } => format!("freeze {env}"),
            Intent::Unfreeze { env } => format!("unfreeze {env}"),
        }
    }

    /// The reason the person gave, if the intent carries one.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Intent::Reject { reason, .. } | Intent::Freeze { reason, .. } => Some(reason),
            Intent::Rollback { reason, .. } => reason.as_deref(),
            _ => None,
        }
    }

    /// The version the person named, if any (for the audit record of a refusal).
    pub fn version(&self) -> Option<&Version> {
        match self {
            Intent::Pin { version, .. } => Some(version),
            _ => None,
        }
    }
}
