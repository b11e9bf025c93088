//! Planning a rollback: stop a running shift, or redeploy the previous version after a finished
//! one, and revert the pin so the pipeline does not deploy the bad version again.

use crate::domain::env::EnvName;
use crate::domain::rollout::{RedeployRequest, RollbackPlan, rollback_plan};
use crate::domain::version::Version;
use crate::ports::EnvRollout;

use super::plan::{Needs, Plan, Planned};
use super::refusal::{Refusal, RefusalKind};
use super::snapshot::Snapshot;

/// The reason written when the person gave none.
const DEFAULT_REASON: &str = "rollback by operator";

pub(super) fn rollback(
    s: &Snapshot,
    env: &EnvName,
    reason: Option<&str>,
) -> Result<Planned, Refusal> {
    let stage = s.stage(env)?;
    let rollout = s.rollout(env)?;
    let pinned = s.pinned(env).cloned();
    let mut steps = Vec::new();
    let mut refusals = Vec::new();
    // Nothing is shifting and the traffic is on another version than the pin: CodeDeploy already
    // returned it (an alarm fired, or the deployment was stopped), or the pipeline has not
    // deployed the pin yet. Either way the next pipeline run would deploy the pinned version, so
    // reverting the pin is the whole rollback.
    let pin_revert = match traffic_off_the_pin(rollout, pinned.as_ref()) {
        Some(serving) if pinned.as_ref().is_some_and(|p| &serving > p) => {
            // The pin already names an older version than the one serving: the pipeline has
            // not deployed it yet. "Reverting" the pin to what serves would go forward.
            let pin = pinned.as_ref().map(|p| p.to_string()).unwrap_or_default();
            return Err(Refusal::new(
                RefusalKind::NothingToDo,
                format!(
                    "nothing to roll back in {env}: its pin {pin} is already older than the {serving} that serves; the pipeline deploys the pin next"
                ),
            )
            .hint("wait for that deployment, then roll back further if it is still needed"));
        }
        Some(good) => pinned.map(|bad| (bad, good)),
        None => {
            for t in &rollout.targets {
                match rollback_plan(t) {
                    Ok(p) => steps.push((t.group.clone(), p)),
                    Err(why) => refusals.push(why),
                }
            }
            if steps.is_empty() {
                return Err(Refusal::new(
                    RefusalKind::NothingToDo,
                    if refusals.is_empty() {
                        format!("{env} has no deployment groups")
                    } else {
                        format!("nothing to roll back in {env}: {}", refusals.join("; "))
                    },
                ));
            }
            // Revert the pin to the version traffic returns to, so the pipeline does not
            // redeploy the bad one.
            let good = steps
                .iter()
                .find_map(|(_, p)| match p {
                    RollbackPlan::Stop { to, .. }
                    | RollbackPlan::Redeploy(RedeployRequest { to, .. }) => to.release.clone(),
                })
                // Where the Lambda version names no release, the pin's own history says what
                // it was before.
                .or_else(|| previous_pin(s, env));
            match (pinned, good) {
                (Some(bad), Some(good)) if bad != good => Some((bad, good)),
                _ => None,
            }
        }
    };
    let mut details = vec![("environment".into(), env.to_string())];
    for (group, p) in &steps {
        details.push((group.clone(), describe_step(p)));
    }
    match (&pin_revert, s.fork) {
        (Some((bad, good)), Some(fork)) => {
            details.push(("pin".into(), format!("{}: {bad} → {good}", stage.pin)));
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
    if let Some(line) = direction(&steps, pin_revert.as_ref()) {
        details.push(("direction".into(), line));
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
    let reason = reason
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .unwrap_or(DEFAULT_REASON)
        .to_string();
    details.push(("reason".into(), reason.clone()));
    Ok(Planned {
        plan: Plan::Rollback {
            env: env.clone(),
            steps,
            pin_revert,
            reason,
        },
        details,
        needs: Needs {
            typed_name: stage.protected.then(|| env.clone()),
            override_of: None,
            reason_for: None,
        },
    })
}

/// Says plainly whether the rollback returns to an older version than the one that runs now.
fn direction(steps: &[(String, RollbackPlan)], pin: Option<&(Version, Version)>) -> Option<String> {
    let (now, back) = match steps.first().map(|(_, p)| p) {
        Some(RollbackPlan::Redeploy(r)) => (r.from.release.clone()?, r.to.release.clone()?),
        // A running shift is moving to the pinned version; stopping it returns to `to`.
        Some(RollbackPlan::Stop { to, .. }) => (pin?.0.clone(), to.release.clone()?),
        None => pin.map(|(bad, good)| (bad.clone(), good.clone()))?,
    };
    Some(match back.cmp(&now) {
        std::cmp::Ordering::Less => format!("back to {back}, older than the {now} that runs now"),
        std::cmp::Ordering::Greater => {
            format!("to {back}, which is NEWER than the {now} that runs now")
        }
        std::cmp::Ordering::Equal => format!("stays on {now}"),
    })
}

/// The value `env`'s pin had before its current one, from the deploy branch's history.
fn previous_pin(s: &Snapshot, env: &EnvName) -> Option<Version> {
    Version::parse(s.fork?.previous_pin(env.as_str())?).ok()
}

fn describe_step(p: &RollbackPlan) -> String {
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
    }
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
