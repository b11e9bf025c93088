//! Executes effects against the ports as tokio tasks and sends the results back as actions.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use crate::domain::audit::ActionKind;
use crate::domain::env::Environment;
use crate::domain::rollout::RollbackPlan;
use crate::ports::{ErrorKind, PinChange, PortError, Ports};

use super::action::{Action, Effect, Execution, Source};
use super::state::Plan;

/// Canary against baseline covers this many minutes.
const METRIC_MINUTES: u32 = 15;

pub struct Runner {
    world: World,
    tx: UnboundedSender<Action>,
    /// At most one read per source in flight; a newer one supersedes (aborts) the older.
    reads: HashMap<Source, JoinHandle<()>>,
}

impl Runner {
    pub fn new(world: World, tx: UnboundedSender<Action>) -> Self {
        Self {
            world,
            tx,
            reads: HashMap::new(),
        }
    }

    /// Starts the reads every session needs once.
    pub fn start(&mut self) {
        let ports = self.world.ports.clone();
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let fork = ports.fork.clone();
            if let Ok(Ok(identity)) = tokio::task::spawn_blocking(move || fork.identity()).await {
                let _ = tx.send(Action::Identity(identity));
            }
            let _ = tx.send(Action::AwsIdentity(ports.rollouts.caller().await));
        });
    }

    pub fn run(&mut self, effect: Effect) {
        let source = match &effect {
            Effect::Fetch(s) => Some(s.clone()),
            Effect::FetchMetrics(env, _) => Some(Source::Metrics(env.clone())),
            _ => None,
        };
        let world = self.world.clone();
        let tx = self.tx.clone();
        let task = tokio::spawn(async move {
            if let Some(action) = execute(&world, effect).await {
                let _ = tx.send(action);
            }
        });
        if let Some(source) = source
            && let Some(old) = self.reads.insert(source, task)
        {
            old.abort();
        }
        self.reads.retain(|_, t| !t.is_finished());
    }
}

/// Runs one effect to completion and returns the action that reports its result.
pub async fn execute(world: &World, effect: Effect) -> Option<Action> {
    match effect {
        Effect::Fetch(Source::Releases) => {
            Some(Action::Releases(world.ports.releases.releases().await))
        }
        Effect::Fetch(Source::Fork) => {
            let fork = world.ports.fork.clone();
            let envs = world.environments.clone();
            Some(Action::Fork(blocking(move || fork.status(&envs)).await))
        }
        Effect::Fetch(Source::Rollout(name)) => {
            let result = match world.environment(&name) {
                Ok(env) => world.ports.rollouts.environment(&env).await,
                Err(e) => Err(e),
            };
            Some(Action::Rollout(name, result))
        }
        Effect::Fetch(Source::Metrics(_)) => None,
        Effect::FetchMetrics(name, targets) => {
            let result = match world.environment(&name) {
                Ok(env) => {
                    world
                        .ports
                        .metrics
                        .compare(&env, &targets, METRIC_MINUTES)
                        .await
                }
                Err(e) => Err(e),
            };
            Some(Action::Metrics(name, result))
        }
        Effect::Execute(plan) => {
            let execution = execute_plan(world, &plan).await;
            Some(Action::Executed(Box::new(plan), execution))
        }
        Effect::InjectFault(env) => {
            let result = match &world.ports.sim {
                Some(sim) => sim.inject_fault(&env),
                None => Err(PortError::new(
                    ErrorKind::Refused,
                    "faults exist only in the simulated world",
                )),
            };
            Some(Action::FaultInjected(result))
        }
        Effect::Audit(record) => {
            let audit = world.ports.audit.clone();
            if let Err(e) = blocking(move || audit.append(&record)).await {
                // An action that cannot be audited is still reported, loudly.
                return Some(Action::AuditFailed(e));
            }
            None
        }
        Effect::Quit => None,
    }
}

/// git2 and file work run off the event loop.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, PortError> + Send + 'static,
) -> Result<T, PortError> {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|e| {
        Err(PortError::new(
            ErrorKind::Other,
            format!("background task failed: {e}"),
        ))
    })
}

async fn execute_plan(world: &World, plan: &Plan) -> Execution {
    let mut ex = Execution::default();
    let env = match world.environment(plan.env()) {
        Ok(env) => env,
        Err(e) => {
            ex.error = Some(e);
            return ex;
        }
    };
    match plan {
        Plan::Promote {
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
                action: ActionKind::Promote,
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
                ex.calls.push(format!(
                    "codedeploy:PutLifecycleEventHookExecutionStatus {} {} Succeeded",
                    gate.deployment_id, gate.execution_id
                ));
                ex.deployment_ids.push(gate.deployment_id.clone());
                let answer = world
                    .ports
                    .rollouts
                    .answer_gate(&env, &gate.deployment_id, &gate.execution_id, true)
                    .await;
                if let Err(e) = answer {
                    failures.push(format!("{}: {}", gate.group, e.message));
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
                        ex.calls.push(format!(
                            "codedeploy:StopDeployment {deployment_id} autoRollbackEnabled=true"
                        ));
                        ex.deployment_ids.push(deployment_id.clone());
                        world.ports.rollouts.stop(&env, deployment_id).await
                    }
                    RollbackPlan::Redeploy { from, to } => {
                        ex.calls.push(format!(
                            "codedeploy:CreateDeployment {group} LambdaAllAtOnce {} → {}",
                            from.label(),
                            to.label()
                        ));
                        world
                            .ports
                            .rollouts
                            .redeploy(&env, group, from, to)
                            .await
                            .map(|id| ex.deployment_ids.push(id))
                    }
                };
                if let Err(e) = result {
                    failures.push(format!("{group}: {}", e.message));
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
    }
    ex
}

/// One error for the parts of an action that failed while the others went through.
fn partly_failed(what: String, failures: &[String]) -> Option<PortError> {
    (!failures.is_empty())
        .then(|| PortError::new(ErrorKind::Other, format!("{what}: {}", failures.join("; "))))
}

/// The ports together with the configured environments they serve.
#[derive(Clone)]
pub struct World {
    pub ports: Ports,
    pub environments: Arc<[Environment]>,
}

impl World {
    pub fn new(ports: Ports, environments: Vec<Environment>) -> Self {
        Self {
            ports,
            environments: environments.into(),
        }
    }

    /// The configured environment called `name`.
    pub fn environment(&self, name: &str) -> Result<Environment, PortError> {
        self.environments
            .iter()
            .find(|e| e.name == name)
            .cloned()
            .ok_or_else(|| {
                PortError::new(ErrorKind::NotFound, format!("no environment named {name}"))
            })
    }
}
