//! Works out what promote, approve and rollback would do in the current state, or why not.
//! Pure: the confirm modal shows exactly the plan that will be executed.

use crate::domain::audit::ActionKind;
use crate::domain::commit_message::pin_commit_message;
use crate::domain::env::Environment;
use crate::domain::rollout::{
    ManualGate, RedeployRequest, RollbackPlan, Shift, Target, rollback_plan,
};
use crate::domain::version::Version;
use crate::ports::{EnvRollout, PROPOSAL_PREFIX};

use super::action::Command;
use super::state::{Confirm, Gate, Pane, Plan, State};

/// For each mutating command: what it would do for the current selection, or why it cannot.
pub fn availability(state: &State) -> Vec<(Command, Result<String, String>)> {
    [Command::Promote, Command::Approve, Command::Rollback]
        .into_iter()
        .map(|c| (c, plan_for(state, c).map(|confirm| summary(&confirm.plan))))
        .collect()
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
        } => {
            format!("approve {env} → {version} proposed by {}", proposer.name)
        }
        Plan::ApproveGate { env, gates } => {
            let groups: Vec<&str> = gates.iter().map(|g| g.group.as_str()).collect();
            format!("open the manual gate of {env} ({})", groups.join(", "))
        }
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
    }
}

/// The plan `command` would carry out for the current selection, ready for the confirm modal.
pub fn plan_for(state: &State, command: Command) -> Result<Confirm, String> {
    if state.settings.read_only {
        return Err(
            "read-only mode: promote, approve and rollback are disabled (started with --read-only)"
                .into(),
        );
    }
    if let Some(busy) = &state.busy {
        return Err(format!("wait for the running action to finish: {busy}"));
    }
    match command {
        Command::Promote => promote(state, false),
        Command::PromoteOverride => promote(state, true),
        Command::Approve => approve(state),
        Command::Rollback => rollback(state),
        other => Err(format!("{} is not an action", other.name())),
    }
}

/// Promote from the versions pane pins the selected version in the selected environment; from
/// anywhere else it carries the selected environment's pin to the next environment.
fn promote(state: &State, override_check: bool) -> Result<Confirm, String> {
    let envs = &state.settings.environments;
    let (target, version) = if state.focus == Pane::Versions {
        let release = state.selected_release().ok_or("no version is selected")?;
        let env = state.env().ok_or("no environment is selected")?;
        (env, release.version.clone())
    } else {
        let from = state.env().ok_or("no environment is selected")?;
        let next = envs.get(state.selected_env + 1).ok_or_else(|| {
            format!(
                "{} is the last environment: there is nothing to promote it to",
                from.name
            )
        })?;
        let v = state
            .pinned(&from.name)
            .ok_or_else(|| format!("the pin of {} is not known yet", from.name))?;
        // A version still being canaried upstream has not proven itself yet.
        if let Some(shift) = active_shift_in(state, from) {
            return Err(format!(
                "{v} is still shifting in {} ({shift}); promote it once that shift has succeeded",
                from.name
            ));
        }
        (next, v.clone())
    };
    let fork = state
        .fork
        .value
        .as_ref()
        .ok_or("the fork has not been read yet; wait for it or press ctrl-r")?;
    if fork.dirty {
        return Err(
            "the fork's work tree has uncommitted changes; commit or stash them first".into(),
        );
    }
    if fork.behind > 0 {
        return Err(format!(
            "{} is {} commit(s) behind {}/{}; run git pull --ff-only first",
            fork.branch, fork.behind, fork.remote, fork.branch
        ));
    }
    let release = state
        .releases
        .value
        .iter()
        .flatten()
        .find(|r| r.version == version)
        .ok_or_else(|| format!("{version} is not in the release repository"))?;
    let override_of = match release.status.pinnable(&version) {
        Ok(()) => None,
        Err(why) if !release.status.overridable() => {
            return Err(format!(
                "{why}; this cannot be overridden: ask the vendor to publish the version again"
            ));
        }
        Err(why) if !override_check => {
            return Err(format!(
                "{why}; to pin it anyway, press P and type the reason"
            ));
        }
        Err(why) => Some(why),
    };
    let from = state.pinned(&target.name).cloned();
    if from.as_ref() == Some(&version) {
        return Err(format!("{} already pins {version}", target.name));
    }
    if let Some(shift) = active_shift_in(state, target) {
        return Err(format!(
            "a shift is running in {} ({}); wait for it to finish or roll it back",
            target.name, shift
        ));
    }
    let as_proposal = target.requires_approval;
    // Proposing over a colleague's pending proposal would overwrite their branch unseen.
    let pending = fork
        .proposals
        .iter()
        .find(|p| as_proposal && p.env == target.name);
    if let Some(p) = pending.filter(|p| p.version == version && p.current) {
        return Err(format!(
            "{version} is already proposed for {} by {}; select {} and press a to approve it",
            target.name, p.proposer.name, target.name
        ));
    }
    let identity = state
        .identity
        .as_ref()
        .map(|i| i.to_string())
        .unwrap_or_else(|| "(git identity)".into());
    let message = pin_commit_message(
        &target.name,
        from.as_ref(),
        &version,
        ActionKind::Promote,
        as_proposal,
        None,
        &identity,
    );
    let push = if as_proposal {
        format!(
            "{} {PROPOSAL_PREFIX}{} (awaits approval by someone else)",
            fork.remote, target.name
        )
    } else {
        format!("{} {} (fast-forward)", fork.remote, fork.branch)
    };
    let mut details = vec![
        ("environment".into(), target.name.clone()),
        ("file".into(), target.pin.describe()),
        (
            "change".into(),
            format!(
                "{} → {version}",
                from.as_ref()
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| "?".into())
            ),
        ),
        (
            "commit".into(),
            message.lines().next().unwrap_or_default().to_string(),
        ),
        (
            "trailers".into(),
            format!("Shiftdeck-Action: promote, Released-by: {identity}"),
        ),
        ("push".into(), push),
    ];
    if let Some(p) = pending {
        details.push((
            "replaces".into(),
            format!(
                "the pending proposal of {} by {} ({})",
                p.version,
                p.proposer.name,
                if p.current {
                    "its branch is overwritten"
                } else {
                    "it is based on an old tip"
                }
            ),
        ));
    }
    if let Some(why) = &override_of {
        details.push(("OVERRIDE".into(), why.clone()));
    }
    details.push((
        "then".into(),
        if as_proposal {
            "nothing deploys until the proposal is approved".into()
        } else {
            "the pipeline deploys it and CodeDeploy shifts the alias".into()
        },
    ));
    Ok(Confirm {
        plan: Plan::Promote {
            env: target.name.clone(),
            from,
            to: version,
            file: target.pin.file.display().to_string(),
            as_proposal,
            message,
            override_reason: None,
            replaces_proposal: pending.map(|p| p.commit.clone()),
        },
        details,
        type_to_confirm: None,
        override_of,
        typed: String::new(),
    })
}

fn active_shift_in(state: &State, env: &Environment) -> Option<String> {
    let rollout = state.rollouts.get(&env.name)?.value.as_ref()?;
    rollout.targets.iter().find_map(|t| {
        t.active_shift()
            .map(|s| format!("{} {}", t.group, s.deployment_id))
    })
}

fn approve(state: &State) -> Result<Confirm, String> {
    let env = state.env().ok_or("no environment is selected")?;
    let proposal = state
        .fork
        .value
        .as_ref()
        .and_then(|f| f.proposals.iter().find(|p| p.env == env.name));
    if let Some(p) = proposal {
        let me = state
            .identity
            .as_ref()
            .ok_or("your git identity is not known yet")?;
        if me.email.eq_ignore_ascii_case(&p.proposer.email) {
            return Err(format!(
                "you proposed {} for {}; an approver other than the proposer must approve it",
                p.version, env.name
            ));
        }
        if !p.current {
            return Err(format!(
                "the proposal for {} is based on an old tip of the deploy branch; propose it again",
                env.name
            ));
        }
        let from = state
            .pinned(&env.name)
            .map(|v| v.to_string())
            .unwrap_or_else(|| "?".into());
        let fork = state.fork.value.as_ref();
        let details = vec![
            ("environment".into(), env.name.clone()),
            ("change".into(), format!("{from} → {}", p.version)),
            ("proposed by".into(), p.proposer.to_string()),
            ("approved by".into(), me.to_string()),
            (
                "commit".into(),
                format!("{} with Approved-by: {me}", p.branch),
            ),
            (
                "push".into(),
                fork.map(|f| {
                    format!(
                        "{} {} (fast-forward); deletes {}",
                        f.remote, f.branch, p.branch
                    )
                })
                .unwrap_or_default(),
            ),
            (
                "then".into(),
                "the pipeline deploys it and CodeDeploy shifts the alias".into(),
            ),
        ];
        return Ok(Confirm {
            plan: Plan::ApproveProposal {
                env: env.name.clone(),
                version: p.version.clone(),
                proposer: p.proposer.clone(),
                branch: p.branch.clone(),
            },
            details,
            type_to_confirm: None,
            override_of: None,
            typed: String::new(),
        });
    }
    let waiting: Vec<(&Target, &Shift, &ManualGate)> = state
        .rollouts
        .get(&env.name)
        .and_then(|r| r.value.as_ref())
        .map(|r| {
            r.targets
                .iter()
                .filter_map(|t| {
                    let s = t.active_shift()?;
                    s.gate.as_ref().map(|g| (t, s, g))
                })
                .collect()
        })
        .unwrap_or_default();
    if let Some((_, first, gate)) = waiting.first() {
        let mut details = vec![
            ("environment".into(), env.name.clone()),
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
        return Ok(Confirm {
            plan: Plan::ApproveGate {
                env: env.name.clone(),
                gates,
            },
            details,
            type_to_confirm: None,
            override_of: None,
            typed: String::new(),
        });
    }
    Err(format!(
        "nothing in {} awaits approval: no proposal and no deployment waiting at a manual gate",
        env.name
    ))
}

fn rollback(state: &State) -> Result<Confirm, String> {
    let env = state.env().ok_or("no environment is selected")?;
    let rollout = state
        .rollouts
        .get(&env.name)
        .and_then(|r| r.value.as_ref())
        .ok_or_else(|| format!("the deployments of {} have not been read yet", env.name))?;
    let pinned = state.pinned(&env.name).cloned();
    let mut steps = Vec::new();
    let mut refusals = Vec::new();
    // Nothing is shifting and the traffic is on another version than the pin: CodeDeploy already
    // returned it (an alarm fired, or the deployment was stopped), or the pipeline has not
    // deployed the pin yet. Either way the next pipeline run would deploy the pinned version, so
    // reverting the pin is the whole rollback.
    let pin_revert = match traffic_off_the_pin(rollout, pinned.as_ref()) {
        Some(good) => pinned.map(|bad| (bad, good)),
        None => {
            for t in &rollout.targets {
                match rollback_plan(t) {
                    Ok(p) => steps.push((t.group.clone(), p)),
                    Err(why) => refusals.push(why),
                }
            }
            if steps.is_empty() {
                return Err(if refusals.is_empty() {
                    format!("{} has no deployment groups", env.name)
                } else {
                    format!(
                        "nothing to roll back in {}: {}",
                        env.name,
                        refusals.join("; ")
                    )
                });
            }
            // Revert the pin to the version traffic returns to, so the pipeline does not
            // redeploy the bad one.
            let good = steps.iter().find_map(|(_, p)| match p {
                RollbackPlan::Stop { to, .. }
                | RollbackPlan::Redeploy(RedeployRequest { to, .. }) => to.release.clone(),
            });
            match (pinned, good) {
                (Some(bad), Some(good)) if bad != good => Some((bad, good)),
                _ => None,
            }
        }
    };
    let mut details = vec![("environment".into(), env.name.clone())];
    for (group, p) in &steps {
        details.push((
            group.clone(),
            match p {
                RollbackPlan::Stop { deployment_id, to } => format!(
                    "codedeploy:StopDeployment {deployment_id} autoRollbackEnabled=true → 100% on {}",
                    to.label()
                ),
                RollbackPlan::Redeploy(r) => format!(
                    "codedeploy:CreateDeployment LambdaAllAtOnce {} → {}{}{}",
                    r.from.label(),
                    r.to.label(),
                    if r.run_hooks { "" } else { " · no hooks" },
                    if r.ignore_alarms {
                        " · ignoring the alarms in ALARM"
                    } else {
                        ""
                    }
                ),
            },
        ));
    }
    match (&pin_revert, &state.fork.value) {
        (Some((bad, good)), Some(fork)) => {
            details.push((
                "pin".into(),
                format!("{}: {bad} → {good}", env.pin.describe()),
            ));
            details.push((
                "push".into(),
                format!(
                    "{} {} (revert commit, Shiftdeck-Action: rollback)",
                    fork.remote, fork.branch
                ),
            ));
        }
        _ => details.push((
            "pin".into(),
            "unchanged (already on the version traffic returns to)".into(),
        )),
    }
    for why in &refusals {
        details.push(("skipped".into(), why.clone()));
    }
    if steps.is_empty() {
        details.push((
            "codedeploy".into(),
            "no call: no group is shifting and the traffic is already on the old version".into(),
        ));
    }
    Ok(Confirm {
        plan: Plan::Rollback {
            env: env.name.clone(),
            steps,
            pin_revert,
            reason: "rollback by operator".into(),
        },
        details,
        type_to_confirm: env.protected.then(|| env.name.clone()),
        override_of: None,
        typed: String::new(),
    })
}

/// The release every group serves when none is shifting and it is not `pinned`.
fn traffic_off_the_pin(rollout: &EnvRollout, pinned: Option<&Version>) -> Option<Version> {
    let pinned = pinned?;
    if rollout.shifting() {
        return None;
    }
    let mut serving = rollout
        .targets
        .iter()
        .map(|t| t.serving().and_then(|v| v.release.clone()));
    let first = serving.next()??;
    (serving.all(|s| s.as_ref() == Some(&first)) && &first != pinned).then_some(first)
}

/// Execution ids are long opaque tokens; the head is enough to tell them apart on screen.
fn short_id(id: &str) -> String {
    match id.char_indices().nth(12) {
        Some((i, _)) => format!("{}…", &id[..i]),
        None => id.to_string(),
    }
}
