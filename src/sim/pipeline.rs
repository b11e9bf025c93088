//! The customer's pipeline: notices a new commit on the deploy branch of the bare origin, reads
//! every environment's pin in it, and after a build deploys the environments whose pin changed.

use git2::{Oid, Repository};
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use crate::domain::pin;
use crate::domain::time::Timestamp;
use crate::domain::version::Version;
use crate::environment::Environment;
use crate::ports::{ErrorKind, PortError, PortResult};

/// Synth, pull the artifact, publish: about a minute.
pub const BUILD_TIME: Duration = Duration::from_secs(60);

/// Each environment's pin at a commit, or why it cannot be read.
type Pins = Vec<(String, Result<Version, String>)>;

/// A pipeline run that will deploy `release` to `env` once built.
#[derive(Clone, Debug, PartialEq)]
pub struct Build {
    pub env: String,
    pub release: Version,
    pub ready_at: Timestamp,
}

pub struct Pipeline {
    /// Opened once: the pipeline looks at the origin on every read of the simulated world.
    origin: Repository,
    /// `refs/heads/<deploy branch>`.
    branch_ref: String,
    envs: Vec<Environment>,
    tip: Option<Oid>,
    pins: HashMap<String, Version>,
    builds: Vec<Build>,
}

impl Pipeline {
    /// Watches `branch` of the bare repository at `origin`, taking its current pins as deployed.
    pub fn watch(origin: &Path, branch: &str, envs: Vec<Environment>) -> PortResult<Self> {
        let unreadable = |e: git2::Error| {
            PortError::new(
                ErrorKind::Unavailable,
                format!(
                    "the simulated pipeline cannot read its origin: {}",
                    e.message()
                ),
            )
        };
        let mut pipeline = Self {
            origin: Repository::open_bare(origin).map_err(unreadable)?,
            branch_ref: format!("refs/heads/{branch}"),
            envs,
            tip: None,
            pins: HashMap::new(),
            builds: Vec::new(),
        };
        let (tip, pins) = pipeline.read().map_err(unreadable)?;
        pipeline.tip = Some(tip);
        pipeline.pins = pins
            .into_iter()
            .filter_map(|(e, v)| Some((e, v.ok()?)))
            .collect();
        Ok(pipeline)
    }

    /// Checks the deploy branch (cheaply: its tip) and queues a build for every pin that changed.
    /// A newer build of an environment supersedes one that has not deployed yet.
    pub fn poll(&mut self, at: Timestamp) {
        let read = match self.tip_now() {
            Ok(tip) if Some(tip) == self.tip => return,
            Ok(_) => self.read(),
            Err(e) => Err(e),
        };
        let (tip, pins) = match read {
            Ok(found) => found,
            Err(e) => {
                tracing::warn!(
                    "simulated pipeline: cannot read the origin: {}",
                    e.message()
                );
                return;
            }
        };
        self.tip = Some(tip);
        for (env, pin) in pins {
            let release = match pin {
                Ok(release) => release,
                Err(why) => {
                    tracing::warn!(%env, "simulated pipeline: no deployment, the pin is unreadable: {why}");
                    continue;
                }
            };
            if self.pins.get(&env) == Some(&release) {
                continue;
            }
            self.pins.insert(env.clone(), release.clone());
            self.builds.retain(|b| b.env != env);
            self.builds.push(Build {
                env,
                release,
                ready_at: at.plus(BUILD_TIME),
            });
        }
    }

    /// When the next build can deploy, given which environments have no deployment running.
    pub fn next_ready(&self, idle: impl Fn(&str) -> bool) -> Option<Timestamp> {
        self.builds
            .iter()
            .filter(|b| idle(&b.env))
            .map(|b| b.ready_at)
            .min()
    }

    /// Removes and returns the builds that deploy at `at`; a build waits while its environment
    /// still has a deployment running, as a pipeline stage takes one execution at a time.
    pub fn take_ready(&mut self, at: Timestamp, idle: impl Fn(&str) -> bool) -> Vec<Build> {
        let (ready, waiting) = std::mem::take(&mut self.builds)
            .into_iter()
            .partition(|b| b.ready_at <= at && idle(&b.env));
        self.builds = waiting;
        ready
    }

    fn tip_now(&self) -> Result<Oid, git2::Error> {
        self.origin.refname_to_id(&self.branch_ref)
    }

    /// The tip and each environment's pin in it.
    fn read(&self) -> Result<(Oid, Pins), git2::Error> {
        let repo = &self.origin;
        let commit = repo.find_reference(&self.branch_ref)?.peel_to_commit()?;
        let tree = commit.tree()?;
        let pins = self
            .envs
            .iter()
            .map(|env| {
                let pin = tree
                    .get_path(&env.pin.file)
                    .and_then(|entry| entry.to_object(repo))
                    .and_then(|object| object.peel_to_blob())
                    .map_err(|e| format!("{}: {}", env.pin.file.display(), e.message()))
                    .and_then(|blob| {
                        let found =
                            pin::locate(blob.content(), &env.pin).map_err(|e| e.to_string())?;
                        Version::parse(&found.literal).map_err(|e| e.to_string())
                    });
                (env.name.clone(), pin)
            })
            .collect();
        Ok((commit.id(), pins))
    }
}
