//! Planning: from what was read and what a person wants, to exactly what will be done, or a
//! refusal. Pure; the confirm modal, `--dry-run` and the audit record are all made from its
//! result, so what the person confirms is what runs.

use serde::Serialize;

use crate::domain::audit::ActionKind;
use crate::domain::env::EnvName;
use crate::domain::rollout::RollbackPlan;
use crate::domain::version::Version;
use crate::ports::Identity;

use super::intent::Intent;
use super::refusal::{Refusal, RefusalKind};
use super::snapshot::Snapshot;
use super::{plan_approve, plan_freeze, plan_pin, plan_rollback};

/// The shortest reason accepted where one is asked for: long enough to say something.
pub const MIN_REASON: usize = 10;

/// An action worked out in full.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "plan", rename_all = "snake_case")]
pub enum Plan {
    /// A pin change: `pin` of a chosen version, or a promotion of one environment's pin.
    Promote {
        env: EnvName,
        /// `Pin` or `Promote`: which the commit's trailer and the audit log say.
        action: ActionKind,
        from: Option<Version>,
        to: Version,
        file: String,
        as_proposal: bool,
        message: String,
        /// Set when a check was overridden: what, and the person's reason.
        override_reason: Option<String>,
        /// The pending proposal this one replaces, as seen when planning.
        replaces_proposal: Option<String>,
    },
    ApproveProposal {
        env: EnvName,
        version: Version,
        proposer: Identity,
        branch: String,
    },
    /// Every deployment of the environment waiting at a manual gate, opened together.
    ApproveGate {
        env: EnvName,
        gates: Vec<Gate>,
    },
    RejectProposal {
        env: EnvName,
        version: Version,
        proposer: Identity,
        branch: String,
        /// The proposal's commit as read: a proposal replaced meanwhile is not deleted unseen.
        commit: String,
        reason: String,
    },
    Rollback {
        env: EnvName,
        /// Per deployment group.
        steps: Vec<(String, RollbackPlan)>,
        /// The pin revert that keeps the pipeline from redeploying: (bad, good).
        pin_revert: Option<(Version, Version)>,
        reason: String,
    },
    Freeze {
        env: EnvName,
        reason: String,
    },
    Unfreeze {
        env: EnvName,
    },
}

impl Plan {
    pub fn kind(&self) -> ActionKind {
        match self {
            Plan::Promote { action, .. } => *action,
            Plan::ApproveProposal { .. } | Plan::ApproveGate { .. } => ActionKind::Approve,
            Plan::RejectProposal { .. } => ActionKind::Reject,
            Plan::Rollback { .. } => ActionKind::Rollback,
            Plan::Freeze { .. } => ActionKind::Freeze,
            Plan::Unfreeze { .. } => ActionKind::Unfreeze,
        }
    }

    pub fn env(&self) -> &EnvName {
        match self {
            Plan::Promote { env, .. }
            | Plan::ApproveProposal { env, .. }
            | Plan::ApproveGate { env, .. }
            | Plan::RejectProposal { env, .. }
            | Plan::Rollback { env, .. }
            | Plan::Freeze { env, .. }
            | Plan::Unfreeze { env } => env,
        }
    }

    /// The pin versions it moves between, for the audit log: (from, to).
    pub fn versions(&self) -> (Option<&Version>, Option<&Version>) {
        match self {
            Plan::Promote { from, to, .. } => (from.as_ref(), Some(to)),
            Plan::ApproveProposal { version, .. } | Plan::RejectProposal { version, .. } => {
                (None, Some(version))
            }
            Plan::Rollback {
                pin_revert: Some((bad, good)),
                ..
            } => (Some(bad), Some(good)),
            _ => (None, None),
        }
    }

    /// The person's reason, where the plan carries one.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Plan::Promote {
                override_reason, ..
            } => override_reason.as_deref(),
            Plan::RejectProposal { reason, .. }
            | Plan::Rollback { reason, .. }
            | Plan::Freeze { reason, .. } => Some(reason),
            _ => None,
        }
    }
}

/// A deployment waiting at a manual gate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Gate {
    pub group: String,
    pub deployment_id: String,
    pub execution_id: String,
}

/// What a plan needs confirmed before it runs, beyond a yes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Needs {
    /// The environment's name, typed: a protected environment.
    pub typed_name: Option<EnvName>,
    /// A check the person asked to set aside (unsigned, yanked): the reason for doing so is
    /// required, at least [`MIN_REASON`] characters, and goes into the commit and the audit log.
    pub override_of: Option<String>,
    /// What a reason is asked for (rejecting a proposal, freezing): at least [`MIN_REASON`]
    /// characters, recorded in the plan and the audit log.
    pub reason_for: Option<String>,
}

/// A plan with the lines that say exactly what will happen and what it needs confirmed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Planned {
    pub plan: Plan,
    /// Label and value lines.
    pub details: Vec<(String, String)>,
    pub needs: Needs,
}

impl Planned {
    /// Checks the answers to what the plan needs and returns the plan to run, with the
    /// override's reason written into it.
    pub fn confirmed(
        &self,
        typed_name: Option<&str>,
        reason: Option<&str>,
    ) -> Result<Plan, Refusal> {
        if let Some(name) = &self.needs.typed_name
            && typed_name.map(str::trim) != Some(name.as_str())
        {
            return Err(Refusal::new(
                RefusalKind::NotConfirmed,
                format!("{name} is protected: its name must be typed to confirm"),
            )
            .hint(format!(
                "type {name} (on the command line: --confirm {name})"
            )));
        }
        let mut plan = self.plan.clone();
        if let Some(what) = &self.needs.reason_for {
            let reason = reason.map(str::trim).unwrap_or_default();
            let n = reason.chars().count();
            if n < MIN_REASON {
                return Err(Refusal::new(
                    RefusalKind::NotConfirmed,
                    format!(
                        "{what} needs a reason of at least {MIN_REASON} characters ({n} given)"
                    ),
                )
                .hint("say why, so the team knows (on the command line: --reason \"…\")"));
            }
            if let Plan::RejectProposal { reason: r, .. } | Plan::Freeze { reason: r, .. } =
                &mut plan
            {
                *r = reason.to_string();
            }
        }
        if let Some(why) = &self.needs.override_of {
            let reason = reason.map(str::trim).unwrap_or_default();
            let n = reason.chars().count();
            if n < MIN_REASON {
                return Err(Refusal::new(
                    RefusalKind::NotConfirmed,
                    format!("overriding \"{why}\" needs a reason of at least {MIN_REASON} characters ({n} given)"),
                )
                .hint("say why it is safe to pin anyway (on the command line: --reason \"…\")"));
            }
            if let Plan::Promote {
                override_reason, ..
            } = &mut plan
            {
                // Both go into the commit message: what was overridden, and why.
                *override_reason = Some(format!("Override: {why}\nReason: {reason}"));
            }
        }
        Ok(plan)
    }
}

/// What `intent` would do given `snapshot`, or why it cannot be done.
pub fn plan(snapshot: &Snapshot, intent: &Intent) -> Result<Planned, Refusal> {
    if snapshot.read_only {
        return Err(Refusal::new(
            RefusalKind::ReadOnly,
            format!(
                "read-only mode: {} is disabled (started with --read-only)",
                intent.kind().verb()
            ),
        )
        .hint("start shiftdeck without --read-only to act"));
    }
    if let Some(busy) = snapshot.busy {
        return Err(Refusal::new(
            RefusalKind::Busy,
            format!("wait for the running action to finish: {busy}"),
        ));
    }
    snapshot.stage(intent.env())?;
    match intent {
        Intent::Pin {
            env,
            version,
            override_check,
        } => plan_pin::pin(snapshot, env, version, *override_check, ActionKind::Pin),
        Intent::Promote {
            from,
            to,
            override_check,
        } => plan_pin::promote(snapshot, from, to.as_ref(), *override_check),
        Intent::Approve { env } => plan_approve::approve(snapshot, env),
        Intent::Reject { env, reason } => plan_approve::reject(snapshot, env, reason),
        Intent::Rollback { env, reason } => {
            plan_rollback::rollback(snapshot, env, reason.as_deref())
        }
        Intent::Freeze { env, reason } => plan_freeze::freeze(snapshot, env, reason),
        Intent::Unfreeze { env } => plan_freeze::unfreeze(snapshot, env),
    }
}

/// One line saying what a plan does.
pub fn summary(plan: &Plan) -> String {
    match plan {
        Plan::Promote {
            env,
            from,
            to,
            as_proposal,
            ..
        } => {
            let from = from.as_ref().map(|v| format!("{v} → ")).unwrap_or_default();
            if *as_proposal {
                format!("propose {env}: {from}{to} for approval")
            } else {
                format!("pin {env}: {from}{to}")
            }
        }
        Plan::ApproveProposal {
            env,
            version,
            proposer,
            ..
        } => format!("approve {env} → {version} proposed by {}", proposer.name),
        Plan::ApproveGate { env, gates } => {
            let groups: Vec<&str> = gates.iter().map(|g| g.group.as_str()).collect();
            format!("open the manual gate of {env} ({})", groups.join(", "))
        }
        Plan::RejectProposal {
            env,
            version,
            proposer,
            ..
        } => format!("reject {env} → {version} proposed by {}", proposer.name),
        Plan::Rollback {
            env,
            steps,
            pin_revert,
            ..
        } => {
            let pin = pin_revert
                .as_ref()
                .map(|(bad, good)| format!(", pin {bad} → {good}"))
                .unwrap_or_default();
            if let (true, Some((bad, good))) = (steps.is_empty(), pin_revert) {
                return format!(
                    "revert the pin of {env}: {bad} → {good} (the traffic is already on {good})"
                );
            }
            format!(
                "roll back {env} ({} group{}{pin})",
                steps.len(),
                if steps.len() == 1 { "" } else { "s" }
            )
        }
        Plan::Freeze { env, reason } => format!("freeze {env}: {reason}"),
        Plan::Unfreeze { env } => format!("unfreeze {env}"),
    }
}

/// Execution ids are long opaque tokens; the head is enough to tell them apart on screen.
pub(super) fn short_id(id: &str) -> String {
    match id.char_indices().nth(12) {
        Some((i, _)) => format!("{}…", &id[..i]),
        None => id.to_string(),
    }
}
