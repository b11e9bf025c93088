//! The audit record every action writes, one JSON object a line.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Promote,
    /// Pinning a chosen version in an environment (the versions pane, `shiftdeck pin`).
    Pin,
    Approve,
    /// Turning down a colleague's proposal.
    Reject,
    Rollback,
    Freeze,
    Unfreeze,
}

impl ActionKind {
    pub fn verb(self) -> &'static str {
        match self {
            Self::Promote => "promote",
            Self::Pin => "pin",
            Self::Approve => "approve",
            Self::Reject => "reject",
            Self::Rollback => "rollback",
            Self::Freeze => "freeze",
            Self::Unfreeze => "unfreeze",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Succeeded,
    Refused,
    Failed,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// RFC 3339, UTC.
    pub time: String,
    /// `Name <email>` from the fork's git configuration.
    pub git_identity: String,
    /// The caller's AWS identity (ARN) where known.
    #[serde(default)]
    pub aws_identity: Option<String>,
    pub environment: String,
    pub action: ActionKind,
    #[serde(default)]
    pub from_version: Option<String>,
    #[serde(default)]
    pub to_version: Option<String>,
    #[serde(default)]
    pub deployment_ids: Vec<String>,
    /// Each mutating call made, e.g. `git push origin main` or `codedeploy:StopDeployment d-123`.
    #[serde(default)]
    pub api_calls: Vec<String>,
    pub outcome: Outcome,
    pub message: String,
}
