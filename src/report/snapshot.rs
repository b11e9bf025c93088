//! Everything read once, concurrently, each read with its own deadline and error: one broken
//! environment never hides the others.

use std::collections::BTreeMap;

use futures::future::join_all;

use crate::app::action::Fetched;
use crate::app::runner::{World, aws_identity, within_read};
use crate::domain::release::Release;
use crate::ports::{AwsIdentity, EnvRollout, ForkStatus, PortError};

pub struct Snapshot {
    pub releases: Fetched<Vec<Release>>,
    pub fork: Fetched<ForkStatus>,
    /// By environment name, in configuration order of `environments`.
    pub rollouts: BTreeMap<String, Fetched<EnvRollout>>,
    pub identities: BTreeMap<String, Result<AwsIdentity, PortError>>,
    /// The environments read, in configuration order.
    pub environments: Vec<String>,
}

impl Snapshot {
    /// Reads the releases, the fork, and `only` (or every) environment's rollouts and identity.
    pub async fn read(world: &World, only: Option<&str>) -> Snapshot {
        let now = || world.ports.clock.now();
        let envs: Vec<_> = world
            .environments
            .iter()
            .filter(|e| only.is_none_or(|o| e.name == o))
            .cloned()
            .collect();
        let releases = async {
            let at = now();
            Fetched::new(
                at,
                within_read("the release repository", world.ports.releases.releases()).await,
            )
        };
        let fork = async {
            let at = now();
            let fork = world.ports.fork.clone();
            let all = world.environments.clone();
            let status = tokio::task::spawn_blocking(move || fork.status(&all));
            let result = within_read("the fork's status", async {
                status.await.unwrap_or_else(|e| {
                    Err(PortError::new(
                        crate::ports::ErrorKind::Other,
                        format!("background task failed: {e}"),
                    ))
                })
            })
            .await;
            Fetched::new(at, result)
        };
        let rollouts = join_all(envs.iter().map(|env| async move {
            let at = now();
            let read = within_read(
                &format!("the deployments of {}", env.name),
                world.ports.rollouts.environment(env),
            )
            .await;
            let identity = aws_identity(world, env).await;
            (env.name.clone(), Fetched::new(at, read), identity)
        }));
        let (releases, fork, rollouts) = tokio::join!(releases, fork, rollouts);
        let mut snapshot = Snapshot {
            releases,
            fork,
            rollouts: BTreeMap::new(),
            identities: BTreeMap::new(),
            environments: envs.iter().map(|e| e.name.clone()).collect(),
        };
        for (name, read, identity) in rollouts {
            snapshot.rollouts.insert(name.clone(), read);
            snapshot.identities.insert(name, identity);
        }
        snapshot
    }

    /// Whether any read failed, wholly or for a group.
    pub fn partial(&self) -> bool {
        self.releases.result.is_err()
            || self.fork.result.is_err()
            || self.rollouts.values().any(|r| match &r.result {
                Ok(r) => !r.group_errors.is_empty(),
                Err(_) => true,
            })
    }
}
