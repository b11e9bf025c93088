//! Planning an approval (a colleague's proposal, or a manual gate) and a rejection.

use crate::domain::env::EnvName;
use crate::domain::rollout::{ManualGate, Shift, Target};
use crate::ports::Proposal;

use super::plan::{Gate, Needs, Plan, Planned, short_id};
use super::refusal::{Refusal, RefusalKind};
use super::snapshot::Snapshot;

pub(super) fn approve(s: &Snapshot, env: &EnvName) -> Result<Planned, Refusal> {
    if let Some(p) = proposal(s, env) {
        return approve_proposal(s, env, p);
    }
    let rollout = s.rollout(env)?;
    let waiting: Vec<(&Target, &Shift, &ManualGate)> = rollout
        .targets
        .iter()
        .filter_map(|t| {
            let shift = t.active_shift()?;
            shift.gate.as_ref().map(|g| (t, shift, g))
        })
        .collect();
    let Some((_, first, gate)) = waiting.first() else {
        return Err(Refusal::new(
            RefusalKind::NothingToDo,
            format!(
                "nothing in {env} awaits approval: no proposal and no deployment waiting at a manual gate"
            ),
        ));
    };
    let mut details = vec![
        ("environment".into(), env.to_string()),
        (
            "change".into(),
            format!("{} → {}", first.from.label(), first.to.label()),
        ),
        ("hook".into(), format!("{:?}", gate.event)),
    ];
    for (target, shift, gate) in &waiting {
        details.push((
            target.group.clone(),
            format!(
                "codedeploy:PutLifecycleEventHookExecutionStatus {} status=Succeeded (execution {})",
                shift.deployment_id,
                short_id(&gate.execution_id)
            ),
        ));
    }
    details.push((
        "then".into(),
        format!("CodeDeploy starts shifting traffic with {}", first.config),
    ));
    let gates = waiting
        .iter()
        .map(|(t, s, g)| Gate {
            group: t.group.clone(),
            deployment_id: s.deployment_id.clone(),
            execution_id: g.execution_id.clone(),
        })
        .collect();
    Ok(Planned {
        plan: Plan::ApproveGate {
            env: env.clone(),
            gates,
        },
        details,
        needs: Needs::default(),
    })
}

fn proposal<'a>(s: &Snapshot<'a>, env: &EnvName) -> Option<&'a Proposal> {
    s.fork?.proposals.iter().find(|p| env == &p.env)
}

fn approve_proposal(s: &Snapshot, env: &EnvName, p: &Proposal) -> Result<Planned, Refusal> {
    let me = s.identity.ok_or_else(|| {
        Refusal::new(RefusalKind::NotRead, "your git identity is not known yet")
            .hint("set it with `git config user.name` and `git config user.email` in the fork")
    })?;
    // Emails are case-insensitive in practice; names are not identities at all.
    if me.email.eq_ignore_ascii_case(&p.proposer.email) {
        return Err(Refusal::new(
            RefusalKind::SelfApproval,
            format!(
                "you proposed {} for {env}; an approver other than the proposer must approve it",
                p.version
            ),
        )
        .hint("ask a colleague to approve it"));
    }
    let fork = s.fork()?;
    let from = s
        .pinned(env)
        .map(|v| v.to_string())
        .unwrap_or_else(|| "?".into());
    let details = vec![
        ("environment".into(), env.to_string()),
        ("change".into(), format!("{from} → {}", p.version)),
        ("proposed by".into(), p.proposer.to_string()),
        ("approved by".into(), me.to_string()),
        (
            "commit".into(),
            format!("{} with Approved-by: {me}", p.branch),
        ),
        (
            "push".into(),
            format!(
                "{} {} (fast-forward); deletes {}",
                fork.remote, fork.branch, p.branch
            ),
        ),
        (
            "then".into(),
            "the pipeline deploys it and CodeDeploy shifts the alias".into(),
        ),
    ];
    let mut details = details;
    if !p.current {
        // The deploy branch moved since it was proposed (a colleague pushed): the fork adapter
        // rebuilds the proposal on the new tip when the pin there is still what was proposed
        // over, and refuses with who changed it otherwise.
        details.insert(
            details.len() - 1,
            (
                "rebuilt".into(),
                format!(
                    "the proposal is based on an older tip of {}: it is rebuilt on the current tip, keeping {} as its author, if {env}'s pin there is still {from}",
                    fork.branch, p.proposer.name
                ),
            ),
        );
    }
    Ok(Planned {
        plan: Plan::ApproveProposal {
            env: env.clone(),
            version: p.version.clone(),
            proposer: p.proposer.clone(),
            branch: p.branch.clone(),
        },
        details,
        needs: Needs::default(),
    })
}

pub(super) fn reject(s: &Snapshot, env: &EnvName, reason: &str) -> Result<Planned, Refusal> {
    let fork = s.fork()?;
    let p = proposal(s, env).ok_or_else(|| {
        Refusal::new(
            RefusalKind::NothingToDo,
            format!("{env} has no proposal to reject"),
        )
    })?;
    let details = vec![
        ("environment".into(), env.to_string()),
        (
            "proposal".into(),
            format!("{} by {}", p.version, p.proposer),
        ),
        (
            "push".into(),
            format!("{} deletes {}", fork.remote, p.branch),
        ),
        (
            "then".into(),
            "the pin of the deploy branch stays as it is".into(),
        ),
    ];
    Ok(Planned {
        plan: Plan::RejectProposal {
            env: env.clone(),
            version: p.version.clone(),
            proposer: p.proposer.clone(),
            branch: p.branch.clone(),
            commit: p.commit.clone(),
            reason: reason.trim().to_string(),
        },
        details,
        // The reason is part of the confirmation: typed with the plan on screen in the
        // cockpit, --reason on the command line.
        needs: Needs {
            reason_for: Some(format!(
                "rejecting {}'s proposal of {}",
                p.proposer.name, p.version
            )),
            ..Needs::default()
        },
    })
}
