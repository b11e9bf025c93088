//! The simulated world behind the same ports as AWS and git: the default demo and the test harness.
//!
//! A release repository embedded from `assets/demo`, a real git fork with a bare origin in a
//! temporary folder, a pipeline watching the origin, and CodeDeploy, Lambda and CloudWatch on a
//! virtual clock. Given a seed and a manual clock, everything repeats exactly.

mod alarms;
mod clock;
mod codedeploy;
mod environments;
mod fork_setup;
mod group;
mod handle;
mod metrics;
mod opening;
mod pipeline;
mod releases;
mod world;

use std::path::PathBuf;
use std::sync::Arc;

use tempfile::TempDir;

use crate::audit_log::{JsonlAudit, SharedAudit};
use crate::environment::Environment;
use crate::git::GitFork;
use crate::ports::{ErrorKind, PortError, PortResult, Ports};

pub use clock::ClockMode;
use clock::SimClock;
pub use codedeploy::{HOOK_TIMEOUT, START_DELAY};
pub use fork_setup::{colleague, operator};
pub use handle::SimHandle;
pub use pipeline::BUILD_TIME;
pub use releases::{MISBEHAVING_RELEASE, SimReleases, artifact_bytes, demo_public_key};

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SimOptions {
    /// Seeds the synthetic metrics and the ids.
    pub seed: u64,
    pub clock: ClockMode,
    /// Deployment groups per environment: `api` and `worker`, then numbered ones.
    pub targets_per_env: usize,
}

/// A running simulated world with every port wired, and the folder it lives in.
pub struct Demo {
    pub ports: Ports,
    pub environments: Vec<Environment>,
    /// The fork's clone; its `shiftdeck.toml` describes the environments.
    pub fork_path: PathBuf,
    pub control: Arc<SimHandle>,
    /// Removed with the demo.
    _dir: TempDir,
}

impl Demo {
    /// Builds the world as the user finds it: dev mid-shift from v1.2.1 to v1.3.0, staging on
    /// v1.2.1, prod on v1.2.0 with a colleague's proposal of v1.2.1 awaiting approval.
    pub fn start(opts: SimOptions) -> PortResult<Demo> {
        let dir = tempfile::Builder::new()
            .prefix("shiftdeck-demo-")
            .tempdir()
            .map_err(|e| {
                PortError::new(
                    ErrorKind::Unavailable,
                    format!("cannot create a temporary folder for the demo: {e}"),
                )
                .with_hint("check that the temporary directory (TMPDIR) exists and is writable")
            })?;
        let specs = environments::demo_environments(opts.targets_per_env);
        let envs: Vec<Environment> = specs.iter().map(|s| s.env.clone()).collect();
        let paths = fork_setup::create(dir.path(), &envs, demo_public_key())?;
        let releases = Arc::new(SimReleases::load()?);
        let clock = Arc::new(SimClock::new(opts.clock));
        let pipeline = pipeline::Pipeline::watch(&paths.origin, fork_setup::BRANCH, envs.clone())?;
        let world = opening::world(
            opts.seed,
            specs,
            releases.versions().cloned().collect(),
            pipeline,
            clock.start(),
        )?;
        let control = Arc::new(SimHandle::new(clock.clone(), world, paths.origin.clone()));
        let fork = Arc::new(GitFork::open(
            &paths.fork,
            fork_setup::REMOTE,
            fork_setup::BRANCH,
        )?);
        let ports = Ports {
            releases,
            fork: fork.clone(),
            rollouts: control.clone(),
            metrics: control.clone(),
            clock,
            // The demo's team trail goes to its own origin, like everyone else's.
            audit: Arc::new(SharedAudit::new(
                JsonlAudit::in_dir(dir.path()),
                fork.clone(),
            )),
            freezes: fork,
            sim: Some(control.clone()),
        };
        Ok(Demo {
            ports,
            environments: envs,
            fork_path: paths.fork,
            control,
            _dir: dir,
        })
    }

    /// Keeps the audit log in `dir` instead of the demo's temporary folder, so that it can be
    /// read after the demo ends (`shiftdeck audit --audit-dir DIR`). The team trail still goes
    /// to the demo's own origin.
    pub fn keep_audit_in(&mut self, dir: &std::path::Path) -> PortResult<()> {
        std::fs::create_dir_all(dir).map_err(|e| {
            PortError::new(
                ErrorKind::Unavailable,
                format!("cannot create the audit folder {}: {e}", dir.display()),
            )
            .with_hint("name a writable folder with --audit-dir")
        })?;
        let fork = GitFork::open(&self.fork_path, fork_setup::REMOTE, fork_setup::BRANCH)?;
        self.ports.audit = Arc::new(SharedAudit::new(JsonlAudit::in_dir(dir), Arc::new(fork)));
        Ok(())
    }

    /// The fork's `shiftdeck.toml`.
    pub fn config_path(&self) -> PathBuf {
        self.fork_path.join("shiftdeck.toml")
    }
}
