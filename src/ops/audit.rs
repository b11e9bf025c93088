//! Audit records made from the plan and its result (or the intent and its refusal), never
//! from screen state, so the cockpit and the command line write the same trail.

use crate::domain::audit::{AuditCall, AuditRecord, Outcome};
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
    /// The account of that identity.
    pub account: Option<&'a str>,
}

impl<'a> Actor<'a> {
    /// `git` acting on `env`, whose AWS connection's identity is looked up in `identities`.
    pub fn on(
        now: Timestamp,
        git: Option<&'a Identity>,
        identities: &'a BTreeMap<String, Result<AwsIdentity, PortError>>,
        env: &str,
    ) -> Self {
        let aws = identities.get(env).and_then(|i| i.as_ref().ok());
        Actor {
            now,
            git,
            aws: aws.map(|i| i.arn.as_str()),
            account: aws.map(|i| i.account.as_str()),
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
    // Every git command and AWS call made, in words; the AWS ones also with their request ids.
    let mut calls: Vec<AuditCall> = ex
        .calls
        .iter()
        .filter(|c| c.starts_with("git "))
        .map(|c| AuditCall {
            action: "git".into(),
            detail: c.trim_start_matches("git ").to_string(),
            request_id: None,
        })
        .collect();
    calls.extend(ex.api_calls.iter().map(AuditCall::from));
    AuditRecord {
        aws_identity: actor.aws.map(str::to_string),
        aws_account: actor.account.map(str::to_string),
        intent: Some(intent_of(plan)),
        from_version: from.map(|v| v.to_string()),
        to_version: to.map(|v| v.to_string()),
        commit: ex.commit.as_ref().map(|c| c.commit.clone()),
        pushed_to: ex
            .commit
            .as_ref()
            .map(|c| format!("{} {}", c.remote, c.branch)),
        deployment_ids: ex.deployment_ids.clone(),
        api_calls: ex.calls.clone(),
        calls,
        reason: plan.reason().map(str::to_string),
        ..AuditRecord::new(
            actor.now,
            git(actor),
            plan.env().as_str(),
            plan.kind(),
            outcome,
            message,
        )
    }
}

/// The record of a refusal: who tried what, and why it was refused.
pub fn refused(actor: Actor, intent: &Intent, refusal: &Refusal) -> AuditRecord {
    AuditRecord {
        aws_identity: actor.aws.map(str::to_string),
        aws_account: actor.account.map(str::to_string),
        intent: Some(intent.describe()),
        to_version: intent.version().map(|v| v.to_string()),
        refusal: Some(crate::domain::audit::Refusal {
            kind: serde_json::to_value(refusal.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            hint: refusal.hint.clone(),
        }),
        reason: intent.reason().map(str::to_string),
        ..AuditRecord::new(
            actor.now,
            git(actor),
            intent.env().as_str(),
            intent.kind(),
            Outcome::Refused,
            refusal.full(),
        )
    }
}

fn git(actor: Actor) -> String {
    actor.git.map(|i| i.to_string()).unwrap_or_default()
}

/// What was asked, in the words of the command line: `pin staging v1.3.0`, `rollback prod`.
fn intent_of(plan: &Plan) -> String {
    match plan {
        Plan::Promote {
            env, action, to, ..
        } => format!("{} {env} {to}", action.verb()),
        Plan::ApproveProposal { env, .. } | Plan::ApproveGate { env, .. } => {
            format!("approve {env}")
        }
        Plan::RejectProposal { env, .. } => format!("reject {env}"),
        Plan::Rollback { env, .. } => format!("rollback {env}"),
        Plan::Freeze { env, .. } => format!("freeze {env}"),
        Plan::Unfreeze { env } => format!("unfreeze {env}"),
    }
}
