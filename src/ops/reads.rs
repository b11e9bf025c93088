//! Everything read once, concurrently, each read with its own deadline and error: one broken
//! environment never hides the others.

use std::collections::BTreeMap;

use futures::future::join_all;

use crate::domain::release::Release;
use crate::domain::time::Timestamp;
use crate::ports::{AwsIdentity, EnvRollout, ForkStatus, Identity, PortError};

use super::deadline::{aws_identity, blocking, within_read};
use super::snapshot::Snapshot;
use super::world::World;

/// The time on both clocks: the world's (the simulator's virtual clock in the demo, which moves
/// deployments and timelines) and the machine's (which measures how old data on screen is: a
/// read 4 real seconds ago is 4 s old, however fast the demo runs). Outside the demo they agree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Now {
    pub world: Timestamp,
    pub wall: Timestamp,
}

impl Now {
    /// The machine's clock, beside the world's `world`.
    pub fn with_wall_clock(world: Timestamp) -> Now {
        Now {
            world,
            wall: Timestamp::from_system(std::time::SystemTime::now()),
        }
    }
}

impl From<Timestamp> for Now {
    /// One clock for both, as outside the demo and in tests.
    fn from(t: Timestamp) -> Now {
        Now { world: t, wall: t }
    }
}

/// The result of a read, with the time the request was made: data is as old as its request,
/// not as its arrival.
#[derive(Clone, Debug)]
pub struct Fetched<T> {
    pub requested_at: Timestamp,
    /// The same moment by the machine's clock, for the age shown on screen.
    pub wall_at: Timestamp,
    pub result: Result<T, PortError>,
}

impl<T> Fetched<T> {
    /// A read whose world and machine clocks agree.
    pub fn new(requested_at: Timestamp, result: Result<T, PortError>) -> Self {
        Self::at(requested_at.into(), result)
    }

    /// The same read with its value turned into another.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Fetched<U> {
        Fetched {
            requested_at: self.requested_at,
            wall_at: self.wall_at,
            result: self.result.map(f),
        }
    }

    pub fn at(at: Now, result: Result<T, PortError>) -> Self {
        Self {
            requested_at: at.world,
            wall_at: at.wall,
            result,
        }
    }
}

/// Everything the command line reads before it reports or plans.
pub struct Reads {
    pub releases: Fetched<Vec<Release>>,
    /// The API calls of the releases read, by IAM action (none when it failed).
    pub release_calls: BTreeMap<String, u32>,
    pub fork: Fetched<ForkStatus>,
    /// By environment name, in configuration order of `environments`.
    pub rollouts: BTreeMap<String, Fetched<EnvRollout>>,
    pub identities: BTreeMap<String, Result<AwsIdentity, PortError>>,
    /// The environments read, in configuration order.
    pub environments: Vec<String>,
    /// The person acting, as the fork's git configuration names them.
    pub git_identity: Result<Identity, PortError>,
}

impl Reads {
    /// Reads the releases, the fork, and `only` (or every) environment's rollouts and identity.
    pub async fn read(world: &World, only: Option<&str>) -> Reads {
        let only: Vec<&str> = only.into_iter().collect();
        Self::read_envs(world, &only).await
    }

    /// Reads the releases, the fork, and the rollouts and identities of the environments named
    /// in `only` (of all of them when it is empty).
    pub async fn read_envs(world: &World, only: &[&str]) -> Reads {
        let now = || world.ports.clock.now();
        let envs: Vec<_> = world
            .environments
            .iter()
            .filter(|e| only.is_empty() || only.contains(&e.name.as_str()))
            .cloned()
            .collect();
        let releases = async {
            let at = now();
            let read = Fetched::new(
                at,
                within_read("the release repository", world.ports.releases.releases()).await,
            );
            let mut calls = BTreeMap::new();
            let read = read.map(|r| {
                calls = r.api_calls;
                r.releases
            });
            (read, calls)
        };
        let fork = async {
            let at = now();
            let fork = world.ports.fork.clone();
            let all = world.environments.clone();
            let result =
                within_read("the fork's status", blocking(move || fork.status(&all))).await;
            Fetched::new(at, result)
        };
        let git_identity = {
            let fork = world.ports.fork.clone();
            within_read("the git identity", blocking(move || fork.identity()))
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
        let ((releases, release_calls), fork, rollouts, git_identity) =
            tokio::join!(releases, fork, rollouts, git_identity);
        let mut snapshot = Reads {
            releases,
            release_calls,
            fork,
            rollouts: BTreeMap::new(),
            identities: BTreeMap::new(),
            environments: envs.iter().map(|e| e.name.clone()).collect(),
            git_identity,
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

    /// What planning sees of these reads, for `world`'s environments.
    pub fn snapshot<'a>(
        &'a self,
        world: &World,
        read_only: bool,
        now: Timestamp,
        failure_window: std::time::Duration,
    ) -> Snapshot<'a> {
        Snapshot {
            stages: world.environments.iter().map(|e| e.stage()).collect(),
            releases: self.releases.result.as_ref().ok().map(Vec::as_slice),
            fork: self.fork.result.as_ref().ok(),
            rollouts: self
                .rollouts
                .iter()
                .map(|(name, read)| (name.as_str(), read.result.as_ref()))
                .collect(),
            identity: self.git_identity.as_ref().ok(),
            read_only,
            busy: None,
            now,
            failure_window,
        }
    }
}
