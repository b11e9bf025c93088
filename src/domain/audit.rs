//! The audit record every action writes, one JSON object a line.
//!
//! Records written before a field existed still read: every field added since the first
//! version has a default. The format is documented in docs/audit.md.

use serde::{Deserialize, Serialize};

use super::time::Timestamp;

/// The schema of a record and of `shiftdeck audit --json`. A field may be added within a
/// version; one that changes meaning or goes away changes the number.
pub const SCHEMA: &str = "shiftdeck.audit/1";

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

impl Outcome {
    pub fn word(self) -> &'static str {
        match self {
            Self::Succeeded => "succeeded",
            Self::Refused => "refused",
            Self::Failed => "failed",
        }
    }
}

/// One call an action made, as the audit log keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditCall {
    /// `service:Operation` (the IAM action) or `git`.
    pub action: String,
    /// What it acted on and how, e.g. `d-ABC123 autoRollbackEnabled=true` or `push origin main`.
    pub detail: String,
    /// The request id AWS gave the call, where it gave one.
    #[serde(default)]
    pub request_id: Option<String>,
}

/// Why a rule refused the action, in a form scripts can match on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    /// A stable word such as `read_only`, `frozen`, `self_approval`, `not_approved`.
    pub kind: String,
    /// What would make the action possible.
    #[serde(default)]
    pub hint: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// RFC 3339, UTC.
    pub time: String,
    /// `Name <email>` from the fork's git configuration.
    pub git_identity: String,
    /// The AWS identity (ARN) of the environment's own connection, where known: every
    /// environment has its own profile, so this is the identity that acted in `environment`.
    #[serde(default)]
    pub aws_identity: Option<String>,
    /// The account of that identity.
    #[serde(default)]
    pub aws_account: Option<String>,
    pub environment: String,
    pub action: ActionKind,
    /// The intent as the person stated it, e.g. `promote staging prod` or `rollback prod`.
    #[serde(default)]
    pub intent: Option<String>,
    #[serde(default)]
    pub from_version: Option<String>,
    #[serde(default)]
    pub to_version: Option<String>,
    /// The commit written (full id), where the action wrote one.
    #[serde(default)]
    pub commit: Option<String>,
    /// Where that commit was pushed: `origin main`, `origin refs/shiftdeck/freeze`, …
    #[serde(default)]
    pub pushed_to: Option<String>,
    #[serde(default)]
    pub deployment_ids: Vec<String>,
    /// Each mutating call made, in words, e.g. `git push origin main` or
    /// `codedeploy:StopDeployment d-123 (request 6a1f…)`.
    #[serde(default)]
    pub api_calls: Vec<String>,
    /// The same calls with their request ids apart, for scripts.
    #[serde(default)]
    pub calls: Vec<AuditCall>,
    pub outcome: Outcome,
    /// For `refused`: which rule, and what would make the action possible.
    #[serde(default)]
    pub refusal: Option<Refusal>,
    /// The reason the person gave (rollback, override, reject, freeze), if any.
    #[serde(default)]
    pub reason: Option<String>,
    /// One line for people: what was done, the reason for a refusal, or the error.
    pub message: String,
}

impl AuditRecord {
    /// A record of `action` in `environment` with every optional field empty, to fill in with
    /// struct update syntax.
    pub fn new(
        time: Timestamp,
        git_identity: impl Into<String>,
        environment: impl Into<String>,
        action: ActionKind,
        outcome: Outcome,
        message: impl Into<String>,
    ) -> Self {
        Self {
            time: time.rfc3339(),
            git_identity: git_identity.into(),
            aws_identity: None,
            aws_account: None,
            environment: environment.into(),
            action,
            intent: None,
            from_version: None,
            to_version: None,
            commit: None,
            pushed_to: None,
            deployment_ids: Vec::new(),
            api_calls: Vec::new(),
            calls: Vec::new(),
            outcome,
            refusal: None,
            reason: None,
            message: message.into(),
        }
    }

    /// When the record was written; `None` when `time` is not RFC 3339 (edited by hand).
    pub fn at(&self) -> Option<Timestamp> {
        humantime::parse_rfc3339_weak(&self.time)
            .ok()
            .map(Timestamp::from_system)
    }

    /// The record as one JSON line without the newline: what the log and the team trail store.
    pub fn to_line(&self) -> String {
        // A record holds only strings, lists and enums, which always encode.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Which records `shiftdeck audit` shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub environment: Option<String>,
    /// Only records written at or after this time.
    pub since: Option<Timestamp>,
}

impl AuditFilter {
    pub fn matches(&self, r: &AuditRecord) -> bool {
        let env_ok = self
            .environment
            .as_ref()
            .is_none_or(|e| &r.environment == e);
        // A record whose time cannot be read is kept: hiding it would hide an edit.
        let time_ok = self
            .since
            .is_none_or(|since| r.at().is_none_or(|at| at >= since));
        env_ok && time_ok
    }
}

/// Records in time order, oldest first; records with the same time keep their order.
pub fn sort_by_time(records: &mut [AuditRecord]) {
    records.sort_by_key(|r| r.at());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_of_the_first_version_still_reads() {
        let old = r#"{"time":"2026-11-23T10:14:07Z","git_identity":"Dana <d@example.com>","aws_identity":null,"environment":"staging","action":"promote","from_version":"v1.4.0","to_version":"v1.4.1","deployment_ids":[],"api_calls":["git push origin main"],"outcome":"succeeded","message":"pinned"}"#;
        let r: AuditRecord = serde_json::from_str(old).unwrap();
        assert_eq!(r.environment, "staging");
        assert_eq!(r.api_calls, ["git push origin main"]);
        assert!(r.calls.is_empty() && r.refusal.is_none() && r.commit.is_none());
        assert_eq!(r.at(), Some(Timestamp(1_795_428_847_000)));
    }

    #[test]
    fn a_line_reads_back_as_the_same_record() {
        let mut r = AuditRecord::new(
            Timestamp(0),
            "A <a@example.com>",
            "prod",
            ActionKind::Freeze,
            Outcome::Refused,
            "prod is already frozen",
        );
        r.refusal = Some(Refusal {
            kind: "nothing_to_do".into(),
            hint: None,
        });
        r.reason = Some("incident 42".into());
        let back: AuditRecord = serde_json::from_str(&r.to_line()).unwrap();
        assert_eq!(back, r);
        assert!(!r.to_line().contains('\n'));
    }

    #[test]
    fn the_filter_keeps_an_environment_and_a_time_onward() {
        let at = |secs: i64, env: &str| {
            AuditRecord::new(
                Timestamp(secs * 1000),
                "",
                env,
                ActionKind::Pin,
                Outcome::Succeeded,
                "",
            )
        };
        let f = AuditFilter {
            environment: Some("prod".into()),
            since: Some(Timestamp(100_000)),
        };
        assert!(f.matches(&at(100, "prod")));
        assert!(!f.matches(&at(99, "prod")));
        assert!(!f.matches(&at(200, "dev")));
        let mut unreadable = at(0, "prod");
        unreadable.time = "yesterday".into();
        assert!(f.matches(&unreadable));
    }
}
