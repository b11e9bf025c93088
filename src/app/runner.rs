//! Executes effects against the ports as tokio tasks and sends the results back as actions.

use std::collections::HashMap;

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use crate::ops::deadline::{
    DOWNLOAD_DEADLINE, GIT_DEADLINE, READ_DEADLINE, aws_identity, blocking, within,
};
use crate::ports::{ErrorKind, PortError};

use super::action::{Action, Effect, Fetched, Now, Source};
pub use crate::ops::World;

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
            let execution = crate::ops::execute(world, &plan).await;
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
        Effect::DiscardRefused(reference) => {
            let fork = world.ports.fork.clone();
            let r = reference.clone();
            let result = blocking(move || fork.discard_refused(&r)).await;
            Some(Action::Discarded(result.map(|()| reference)))
        }
        Effect::Verify(version) => {
            let result = within(
                DOWNLOAD_DEADLINE,
                &format!("the download of {version}'s artifacts"),
                world.ports.releases.verify_by_download(&version),
            )
            .await;
            Some(Action::Verified(version, result))
        }
        Effect::CancelGit => {
            world.ports.fork.cancel();
            None
        }
        Effect::Notify(_) | Effect::Quit => None,
    }
}
