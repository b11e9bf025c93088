//! Executes effects against the ports as tokio tasks and sends the results back as actions.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use crate::domain::audit::ActionKind;
use crate::domain::env::Environment;
use crate::domain::rollout::RollbackPlan;
use crate::ports::{AwsIdentity, ErrorKind, PinChange, PortError, Ports};

use super::action::{Action, Effect, Execution, Fetched, Now, Source};
use super::state::Plan;

/// Canary against baseline covers this many minutes.
const METRIC_MINUTES: u32 = 15;

/// The longest any read may take, retries included.
pub const READ_DEADLINE: Duration = Duration::from_secs(30);
/// git work (fetch and status) gets longer: a large fork over a slow link.
const GIT_DEADLINE: Duration = Duration::from_secs(120);
/// The longest a mutating call may take before its outcome counts as unknown.
const MUTATION_DEADLINE: Duration = Duration::from_secs(45);

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

    /// Starts the reads every session needs once: the git identity and, per environment, who
    /// its AWS connection acts as (each on its own, so one broken profile delays no other).
    pub fn start(&mut self) {
        let fork = self.world.ports.fork.clone();
        let tx = self.tx.clone();
        tokio::spawn(async move {
            if let Ok(identity) = blocking(move || fork.identity()).await {
                let _ = tx.send(Action::Identity(identity));
            }
        });
        for env in self.world.environments.iter().cloned() {
            let (world, tx) = (self.world.clone(), self.tx.clone());
            tokio::spawn(async move {
                let identity = aws_identity(&world, &env).await;
                let _ = tx.send(Action::AwsIdentity(env.name.clone(), identity));
            });
        }
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

/// Who `env`'s AWS connection acts as, within the read deadline.
pub async fn aws_identity(world: &World, env: &Environment) -> Result<AwsIdentity, PortError> {
    within(
        READ_DEADLINE,
        &format!("sts:GetCallerIdentity for {}", env.name),
        world.ports.rollouts.caller(env),
    )
    .await
}

/// Runs one effect to completion and returns the action that reports its result.
pub async fn execute(world: &World, effect: Effect) -> Option<Action> {
    let now = Now::with_wall_clock(world.ports.clock.now());
    match effect {
        Effect::Fetch(Source::Releases) => {
            let read = within(
                READ_DEADLINE,
                "the release repository",
                world.ports.releases.releases(),
            );
            Some(Action::Releases(Fetched::at(now, read.await)))
        }
        Effect::Fetch(Source::Fork) => {
            let fork = world.ports.fork.clone();
            let envs = world.environments.clone();
            let read = within(
                GIT_DEADLINE,
                "the fork's status",
                blocking(move || fork.status(&envs)),
            );
            Some(Action::Fork(Fetched::at(now, read.await)))
        }
        Effect::Fetch(Source::Rollout(name)) => {
            let result = match world.environment(&name) {
                Ok(env) => {
                    within(
                        READ_DEADLINE,
                        &format!("the deployments of {name}"),
                        world.ports.rollouts.environment(&env),
                    )
                    .await
                }
                Err(e) => Err(e),
            };
            Some(Action::Rollout(name, Fetched::at(now, result)))
        }
        Effect::Fetch(Source::Metrics(_)) => None,
        Effect::FetchMetrics(name, targets) => {
            let result = match world.environment(&name) {
                Ok(env) => {
                    within(
                        READ_DEADLINE,
                        &format!("the metrics of {name}"),
                        world.ports.metrics.compare(&env, &targets, METRIC_MINUTES),
                    )
                    .await
                }
                Err(e) => Err(e),
            };
            Some(Action::Metrics(name, Fetched::at(now, result)))
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
        // The terminal layer writes these; without a terminal there is nothing to ring.
        Effect::Notify(_) | Effect::Quit => None,
    }
}

/// A port call that has not answered by `limit` ends as a time-out error, so no pane stays
/// "loading" for good. The adapters set tighter limits of their own; this one holds whatever
/// they miss.
async fn within<T>(
    limit: Duration,
    what: &str,
    call: impl Future<Output = Result<T, PortError>>,
) -> Result<T, PortError> {
    tokio::time::timeout(limit, call).await.unwrap_or_else(|_| {
        Err(PortError::new(
            ErrorKind::Timeout,
            format!("{what} did not answer within {}s", limit.as_secs()),
        )
        .with_hint("shiftdeck tries again at the next refresh"))
    })
}

/// `within` the read deadline.
pub async fn within_read<T>(
    what: &str,
    call: impl Future<Output = Result<T, PortError>>,
) -> Result<T, PortError> {
    within(READ_DEADLINE, what, call).await
}

/// A mutation that has not answered by `limit` may still have happened: its outcome is
/// unknown, it is never retried, and the state is read again.
async fn mutation<T>(
    what: &str,
    call: impl Future<Output = Result<T, PortError>>,
) -> Result<T, PortError> {
    tokio::time::timeout(MUTATION_DEADLINE, call)
        .await
        .unwrap_or_else(|_| {
            Err(PortError::new(
                ErrorKind::OutcomeUnknown,
                format!(
                    "{what} was sent but did not answer within {}s: it may or may not have taken effect",
                    MUTATION_DEADLINE.as_secs()
                ),
            )
            .with_hint("shiftdeck reads the state again; check it before acting again"))
        })
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
                    Ok(call) => ex.calls.push(call.to_string()),
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
                    Ok(call) => ex.calls.push(call.to_string()),
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
