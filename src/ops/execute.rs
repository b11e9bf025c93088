//! Carrying out a plan against the ports: exactly what was planned, every call kept for the
//! audit log, also when part of it fails.

use serde::Serialize;

use crate::domain::audit::ActionKind;
use crate::domain::freeze::Freeze;
use crate::domain::rollout::RollbackPlan;
use crate::ports::{ApiCall, ErrorKind, PinChange, PinCommit, PortError};

use super::deadline::{blocking, mutation};
use super::plan::Plan;
use super::world::World;

/// What executing a plan did, also when it failed part-way: every call made is kept for the
/// audit log.
#[derive(Clone, Debug, PartialEq, Default, Serialize)]
pub struct Execution {
    pub commit: Option<PinCommit>,
    pub deployment_ids: Vec<String>,
    pub calls: Vec<String>,
    /// The AWS calls that answered, with their request ids, for the audit log.
    pub api_calls: Vec<ApiCall>,
    /// One line for the command log.
    pub summary: String,
    pub error: Option<PortError>,
}

/// Carries out `plan`, every part of it that can be, and says what was done.
pub async fn execute(world: &World, plan: &Plan) -> Execution {
    let mut ex = Execution::default();
    let env = match world.environment(plan.env().as_str()) {
        Ok(env) => env,
        Err(e) => {
            ex.error = Some(e);
            return ex;
        }
    };
    match plan {
        Plan::Promote {
            action,
            from,
            to,
            as_proposal,
            override_reason,
            replaces_proposal,
            ..
        } => {
            let change = PinChange {
                env: env.clone(),
                from: from.clone(),
                to: to.clone(),
                action: *action,
                reason: override_reason.clone(),
                as_proposal: *as_proposal,
                replaces_proposal: replaces_proposal.clone(),
            };
            let fork = world.ports.fork.clone();
            match blocking(move || fork.pin(&change)).await {
                Ok(commit) => {
                    ex.calls.extend(commit.calls.iter().cloned());
                    ex.summary = if *as_proposal {
                        format!("proposed {to} for {} on {}", env.name, commit.branch)
                    } else {
                        format!("pinned {to} in {} ({})", env.name, commit.commit)
                    };
                    if let Some(reason) = override_reason {
                        ex.summary += &format!(" · {}", reason.replace('\n', " · "));
                    }
                    ex.commit = Some(commit);
                }
                Err(e) => ex.error = Some(e),
            }
        }
        Plan::ApproveProposal { version, .. } => {
            let fork = world.ports.fork.clone();
            let env2 = env.clone();
            let approved = blocking(move || {
                let me = fork.identity()?;
                fork.approve(&env2, &me)
            })
            .await;
            match approved {
                Ok(commit) => {
                    ex.calls.extend(commit.calls.iter().cloned());
                    ex.summary = format!("approved {version} for {} ({})", env.name, commit.commit);
                    ex.commit = Some(commit);
                }
                Err(e) => ex.error = Some(e),
            }
        }
        Plan::ApproveGate { gates, .. } => {
            let mut failures = Vec::new();
            for gate in gates {
                ex.deployment_ids.push(gate.deployment_id.clone());
                let answer = mutation(
                    "codedeploy:PutLifecycleEventHookExecutionStatus",
                    world.ports.rollouts.answer_gate(
                        &env,
                        &gate.deployment_id,
                        &gate.execution_id,
                        true,
                    ),
                )
                .await;
                match answer {
                    Ok(call) => {
                        ex.calls.push(call.to_string());
                        ex.api_calls.push(call);
                    }
                    Err(e) => {
                        // An attempted call is audited too, with how it ended.
                        ex.calls.push(format!(
                            "codedeploy:PutLifecycleEventHookExecutionStatus {} {} Succeeded → {:?}",
                            gate.deployment_id, gate.execution_id, e.kind
                        ));
                        failures.push(format!("{}: {}", gate.group, e.message));
                    }
                }
            }
            ex.summary = format!(
                "opened the manual gate of {} ({} deployment(s))",
                env.name,
                gates.len()
            );
            ex.error = partly_failed(
                format!("some gates of {} did not open", env.name),
                &failures,
            );
        }
        Plan::Rollback {
            steps,
            pin_revert,
            reason,
            ..
        } => {
            let mut failures = Vec::new();
            for (group, step) in steps {
                let result = match step {
                    RollbackPlan::Stop { deployment_id, .. } => {
                        ex.deployment_ids.push(deployment_id.clone());
                        mutation(
                            "codedeploy:StopDeployment",
                            world.ports.rollouts.stop(&env, deployment_id),
                        )
                        .await
                    }
                    RollbackPlan::Redeploy(request) => mutation(
                        "codedeploy:CreateDeployment",
                        world.ports.rollouts.redeploy(&env, request),
                    )
                    .await
                    .map(|(call, id)| {
                        ex.deployment_ids.push(id);
                        call
                    }),
                };
                match result {
                    Ok(call) => {
                        ex.calls.push(call.to_string());
                        ex.api_calls.push(call);
                    }
                    Err(e) => {
                        let attempted = match step {
                            RollbackPlan::Stop { deployment_id, .. } => format!(
                                "codedeploy:StopDeployment {deployment_id} autoRollbackEnabled=true"
                            ),
                            RollbackPlan::Redeploy(r) => format!(
                                "codedeploy:CreateDeployment {group} LambdaAllAtOnce {} → {}",
                                r.from.label(),
                                r.to.label()
                            ),
                        };
                        ex.calls.push(format!("{attempted} → {:?}", e.kind));
                        failures.push(format!("{group}: {}", e.message));
                    }
                }
            }
            // The pin is reverted even when a CodeDeploy call failed: the pipeline then deploys
            // the good version, which is the safe direction.
            let mut pin_note = String::new();
            if let Some((bad, good)) = pin_revert {
                let change = PinChange {
                    env: env.clone(),
                    from: Some(bad.clone()),
                    to: good.clone(),
                    action: ActionKind::Rollback,
                    reason: Some(reason.clone()),
                    as_proposal: false,
                    replaces_proposal: None,
                };
                let fork = world.ports.fork.clone();
                match blocking(move || fork.pin(&change)).await {
                    Ok(commit) => {
                        ex.calls.extend(commit.calls.iter().cloned());
                        pin_note = format!(", pin reverted to {good} ({})", commit.commit);
                        ex.commit = Some(commit);
                    }
                    Err(e) => failures.push(format!("pin revert: {}", e.full())),
                }
            }
            ex.summary = if steps.is_empty() {
                format!(
                    "rolled back {}: the traffic was already on the old version{pin_note}",
                    env.name
                )
            } else {
                format!(
                    "rolled back {} ({} group(s){pin_note})",
                    env.name,
                    steps.len()
                )
            };
            ex.error = partly_failed(format!("rollback of {} incomplete", env.name), &failures);
        }
        Plan::RejectProposal {
            version,
            proposer,
            commit,
            reason,
            ..
        } => {
            let fork = world.ports.fork.clone();
            let (env2, commit, reason) = (env.clone(), commit.clone(), reason.clone());
            match blocking(move || fork.reject(&env2, &commit, &reason)).await {
                Ok(done) => {
                    ex.calls.extend(done.calls.iter().cloned());
                    ex.summary = format!(
                        "rejected {version} for {} proposed by {} ({} deleted)",
                        env.name, proposer.name, done.branch
                    );
                }
                Err(e) => ex.error = Some(e),
            }
        }
        Plan::Freeze { reason, .. } => {
            let (freezes, fork) = (world.ports.freezes.clone(), world.ports.fork.clone());
            let now = world.ports.clock.now();
            let (name, reason) = (env.name.clone(), reason.clone());
            let done = blocking(move || {
                let by = fork.identity()?.to_string();
                freezes.freeze(&Freeze {
                    env: name,
                    reason,
                    by,
                    at: now,
                })
            })
            .await;
            match done {
                Ok(done) => {
                    ex.calls.extend(done.calls.iter().cloned());
                    ex.summary = format!("froze {} ({} on {})", env.name, done.commit, done.branch);
                    ex.commit = Some(done);
                }
                Err(e) => ex.error = Some(e),
            }
        }
        Plan::Unfreeze { .. } => {
            let (freezes, fork) = (world.ports.freezes.clone(), world.ports.fork.clone());
            let name = env.name.clone();
            let done = blocking(move || {
                let by = fork.identity()?;
                freezes.unfreeze(&name, &by)
            })
            .await;
            match done {
                Ok(done) => {
                    ex.calls.extend(done.calls.iter().cloned());
                    ex.summary =
                        format!("unfroze {} ({} on {})", env.name, done.commit, done.branch);
                    ex.commit = Some(done);
                }
                Err(e) => ex.error = Some(e),
            }
        }
    }
    ex
}

/// One error for the parts of an action that failed while the others went through.
fn partly_failed(what: String, failures: &[String]) -> Option<PortError> {
    (!failures.is_empty())
        .then(|| PortError::new(ErrorKind::Other, format!("{what}: {}", failures.join("; "))))
}
