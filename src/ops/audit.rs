//! Audit records made from the plan and its result (or the intent and its refusal), never
//! from screen state, so the cockpit and the command line write the same trail.

use crate::domain::audit::{AuditRecord, Outcome};
use crate::domain::time::Timestamp;
use std::collections::BTreeMap;

use crate::ports::{AwsIdentity, ErrorKind, Identity, PortError};

use super::execute::Execution;
use super::intent::Intent;
use super::plan::Plan;
use super::refusal::Refusal;

/// Who acted, and when.
#[derive(Clone, Copy, Debug)]
pub struct Actor<'a> {
    pub now: Timestamp,
    pub git: Option<&'a Identity>,
    /// The ARN the environment's AWS connection acts as, where known.
    pub aws: Option<&'a str>,
}

impl<'a> Actor<'a> {
    /// `git` acting on `env`, whose AWS connection's identity is looked up in `identities`.
    pub fn on(
        now: Timestamp,
        git: Option<&'a Identity>,
        identities: &'a BTreeMap<String, Result<AwsIdentity, PortError>>,
        env: &str,
    ) -> Self {
        Actor {
            now,
            git,
            aws: identities
                .get(env)
                .and_then(|i| i.as_ref().ok())
                .map(|i| i.arn.as_str()),
        }
    }
}

/// How an execution ended, and the line that says so.
pub fn outcome(ex: &Execution) -> (Outcome, String) {
    match &ex.error {
        None => (Outcome::Succeeded, ex.summary.clone()),
        // A rule that stopped the action at the last moment (the branch moved, the approver
        // proposed it) is a refusal, not a failure.
        Some(e) if matches!(e.kind, ErrorKind::Refused | ErrorKind::Conflict) => {
            (Outcome::Refused, e.full())
        }
        Some(e) => (Outcome::Failed, e.full()),
    }
}

/// The record of an executed plan.
pub fn executed(actor: Actor, plan: &Plan, ex: &Execution) -> AuditRecord {
    let (outcome, message) = outcome(ex);
    let (from, to) = plan.versions();
    AuditRecord {
        time: actor.now.rfc3339(),
        git_identity: actor.git.map(|i| i.to_string()).unwrap_or_default(),
        aws_identity: actor.aws.map(str::to_string),
        environment: plan.env().to_string(),
        action: plan.kind(),
        from_version: from.map(|v| v.to_string()),
        to_version: to.map(|v| v.to_string()),
        deployment_ids: ex.deployment_ids.clone(),
        api_calls: ex.calls.clone(),
        outcome,
        message,
    }
}

/// The record of a refusal: who tried what, and why it was refused.
pub fn refused(actor: Actor, intent: &Intent, refusal: &Refusal) -> AuditRecord {
    AuditRecord {
        time: actor.now.rfc3339(),
        git_identity: actor.git.map(|i| i.to_string()).unwrap_or_default(),
        aws_identity: actor.aws.map(str::to_string),
        environment: intent.env().to_string(),
        action: intent.kind(),
        from_version: None,
        to_version: intent.version().map(|v| v.to_string()),
        deployment_ids: Vec::new(),
        api_calls: Vec::new(),
        outcome: Outcome::Refused,
        message: refusal.full(),
    }
}
