//! The simulated AWS side as one state: environments, deployment groups and the pipeline,
//! advanced lazily to the clock's time by processing every due event in time order.

use crate::domain::rollout::{DeploymentStatus, LambdaVersion};
use crate::domain::schedule::DeploymentConfig;
use crate::domain::time::Timestamp;
use crate::domain::version::Version;
use crate::ports::{EnvRollout, ErrorKind, MetricTarget, PortError, PortResult, VersionMetrics};

use super::codedeploy::{Deployment, Hooks};
use super::environments::{EnvSpec, function_name};
use super::group::Group;
use super::metrics::{MINUTE, minute_of, splitmix};
use super::pipeline::{Build, Pipeline};

/// Every deployment group has automatic rollback on alarm configured.
const AUTO_ROLLBACK_ON_ALARM: bool = true;

struct EnvWorld {
    spec: EnvSpec,
    groups: Vec<Group>,
}

impl EnvWorld {
    fn idle(&self) -> bool {
        self.groups.iter().all(|g| g.active().is_none())
    }
}

/// Deployment and hook execution ids, drawn from the seed so runs repeat exactly.
struct Ids {
    seed: u64,
    drawn: u64,
}

impl Ids {
    fn draw(&mut self) -> u64 {
        self.drawn += 1;
        splitmix(self.seed ^ self.drawn.wrapping_mul(0x2545_f491_4f6c_dd1d))
    }

    /// `d-` and nine characters, like CodeDeploy's.
    fn deployment(&mut self) -> String {
        const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        let mut n = self.draw();
        let id: String = (0..9)
            .map(|_| {
                let c = DIGITS[(n % 36) as usize] as char;
                n /= 36;
                c
            })
            .collect();
        format!("d-{id}")
    }

    /// A UUID, like `lifecycleEventHookExecutionId`.
    fn execution(&mut self) -> String {
        let (a, b) = (self.draw(), self.draw());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | (b >> 48) & 0x3fff,
            b & 0xffff_ffff_ffff
        )
    }
}

pub struct World {
    now: Timestamp,
    seed: u64,
    /// The last minute boundary at which the alarms were evaluated.
    evaluated: Timestamp,
    envs: Vec<EnvWorld>,
    pipeline: Pipeline,
    /// Versions in the release repository: the pipeline cannot build any other.
    releases: Vec<Version>,
    ids: Ids,
}

impl World {
    /// Every group's alias points at version 1, built from `first`, at `at`.
    pub fn new(
        seed: u64,
        specs: Vec<EnvSpec>,
        first: &Version,
        releases: Vec<Version>,
        pipeline: Pipeline,
        at: Timestamp,
    ) -> Self {
        let envs = specs
            .into_iter()
            .map(|spec| {
                let env = &spec.env;
                let groups = env
                    .deployment_groups
                    .iter()
                    .map(|g| {
                        Group::new(
                            &env.name,
                            g,
                            function_name(&env.name, g),
                            &env.alias,
                            spec.config_name(),
                            first.clone(),
                            at,
                        )
                    })
                    .collect();
                EnvWorld { spec, groups }
            })
            .collect();
        Self {
            now: at,
            seed,
            evaluated: minute_of(at),
            envs,
            pipeline,
            releases,
            ids: Ids { seed, drawn: 0 },
        }
    }

    /// Brings the world to `now` and lets the pipeline look for new commits.
    pub fn sync(&mut self, now: Timestamp) {
        self.run_until(now);
        self.pipeline.poll(self.now);
    }

    /// Processes every event due by `target`, in time order.
    pub fn run_until(&mut self, target: Timestamp) {
        loop {
            let next = self.next_event().max(self.now);
            if next > target {
                break;
            }
            self.process(next);
        }
        self.now = self.now.max(target);
    }

    fn next_event(&self) -> Timestamp {
        let evaluation = self.evaluated.plus(MINUTE);
        let steps = self
            .envs
            .iter()
            .flat_map(|e| &e.groups)
            .filter_map(Group::next_at)
            .min();
        let builds = self.pipeline.next_ready(|name| idle(&self.envs, name));
        [steps, builds]
            .into_iter()
            .flatten()
            .fold(evaluation, Timestamp::min)
    }

    fn process(&mut self, t: Timestamp) {
        self.now = t;
        let envs = &self.envs;
        let builds = self.pipeline.take_ready(t, |name| idle(envs, name));
        for build in builds {
            self.deploy_build(build);
        }
        let ids = &mut self.ids;
        for group in self.envs.iter_mut().flat_map(|e| &mut e.groups) {
            group.run_until(t, &mut || ids.execution());
        }
        if self.evaluated.plus(MINUTE) <= t {
            self.evaluated = self.evaluated.plus(MINUTE);
            self.evaluate_alarms(self.evaluated);
        }
    }

    /// Evaluates every alarm on the minute that ended at `boundary`; a firing alarm rolls back
    /// its group's deployment at once.
    fn evaluate_alarms(&mut self, boundary: Timestamp) {
        let minute = Timestamp(boundary.millis() - 60_000);
        for group in self.envs.iter_mut().flat_map(|e| &mut e.groups) {
            let Some((name, reason)) = group.evaluate_alarms(self.seed, minute) else {
                continue;
            };
            if let Some(d) = group.active_mut().filter(|_| AUTO_ROLLBACK_ON_ALARM) {
                d.roll_back(
                    boundary,
                    DeploymentStatus::Failed,
                    format!("alarm {name} fired: {reason}"),
                );
                group.record_routing(boundary);
            }
        }
    }

    fn deploy_build(&mut self, build: Build) {
        if !self.releases.contains(&build.release) {
            tracing::warn!(env = %build.env, "simulated pipeline: {} is not in the release repository", build.release);
            return;
        }
        if let Err(e) = self.deploy_release(&build.env, &build.release) {
            tracing::warn!(env = %build.env, "simulated pipeline: {}", e.message);
        }
    }

    /// What the pipeline does once built: in every group of `env` that does not run `release`
    /// yet, publish it as a new Lambda version and start a deployment to it.
    pub fn deploy_release(&mut self, env: &str, release: &Version) -> PortResult<Vec<String>> {
        let mut started = Vec::new();
        let groups: Vec<String> = self
            .env(env)?
            .groups
            .iter()
            .filter(|g| g.serving().and_then(|v| v.release.as_ref()) != Some(release))
            .map(|g| g.name.clone())
            .collect();
        for group in groups {
            started.push(self.start_deployment(env, &group, release, None)?);
        }
        Ok(started)
    }

    /// Publishes `release` in `group` and deploys it with `config`, or the group's own config.
    pub fn start_deployment(
        &mut self,
        env: &str,
        group: &str,
        release: &Version,
        config: Option<DeploymentConfig>,
    ) -> PortResult<String> {
        let id = self.ids.deployment();
        let now = self.now;
        let e = self.env_mut(env)?;
        let (config, hooks) = (config.unwrap_or(e.spec.config), e.spec.hooks);
        let g = group_mut(e, group)?;
        if let Some(active) = g.active() {
            return Err(busy(group, active.id()));
        }
        let from = g.serving().cloned().ok_or_else(|| no_alias(g))?;
        let to = g.publish(release.clone());
        let deployment = Deployment::new(id.clone(), config, from, to, hooks, now, false);
        g.start(deployment, now);
        Ok(id)
    }

    pub fn environment(&self, env: &str) -> PortResult<EnvRollout> {
        let e = self.env(env)?;
        let targets = e
            .groups
            .iter()
            .map(|g| g.target(AUTO_ROLLBACK_ON_ALARM))
            .collect();
        Ok(EnvRollout::new(env, targets, self.now))
    }

    /// `StopDeployment` with auto-rollback.
    pub fn stop(&mut self, env: &str, deployment_id: &str) -> PortResult<()> {
        let now = self.now;
        let group = self
            .env_mut(env)?
            .groups
            .iter_mut()
            .find(|g| g.find(deployment_id).is_some())
            .ok_or_else(|| no_deployment(env, deployment_id))?;
        let Some(d) = group.find_mut(deployment_id).filter(|d| d.is_active()) else {
            let status = group.find(deployment_id).map(|d| d.shift().status.label());
            return Err(PortError::new(
                ErrorKind::Conflict,
                format!(
                    "CodeDeploy refused StopDeployment: deployment {deployment_id} already ended ({})",
                    status.unwrap_or("unknown")
                ),
            )
            .with_hint("only a deployment in progress can be stopped; roll back a finished one with a new deployment"));
        };
        d.roll_back(now, DeploymentStatus::Stopped, "stopped by operator".into());
        group.record_routing(now);
        Ok(())
    }

    /// A `LambdaAllAtOnce` deployment of `group` from `from` back to `to`, without hooks: the
    /// AppSpec is shiftdeck's own, made for an emergency.
    pub fn redeploy(
        &mut self,
        env: &str,
        group: &str,
        from: &LambdaVersion,
        to: &LambdaVersion,
    ) -> PortResult<String> {
        let id = self.ids.deployment();
        let now = self.now;
        let g = group_mut(self.env_mut(env)?, group)?;
        if let Some(active) = g.active() {
            return Err(busy(group, active.id()));
        }
        let serving = g.serving().cloned().ok_or_else(|| no_alias(g))?;
        if serving.number != from.number {
            return Err(PortError::new(
                ErrorKind::Conflict,
                format!(
                    "alias {} of {} points at version {}, not {}",
                    g.alias(),
                    g.function,
                    serving.label(),
                    from.label()
                ),
            )
            .with_hint("refresh to see where the alias points, then decide again"));
        }
        let to = g.version(&to.number).cloned().ok_or_else(|| {
            PortError::new(
                ErrorKind::NotFound,
                format!("{} has no version {}", g.function, to.number),
            )
        })?;
        if to.number == serving.number {
            return Err(PortError::new(
                ErrorKind::Invalid,
                format!("alias {} already points at {}", g.alias(), to.label()),
            ));
        }
        let deployment = Deployment::new(
            id.clone(),
            DeploymentConfig::AllAtOnce,
            serving,
            to,
            Hooks::default(),
            now,
            true,
        );
        g.start(deployment, now);
        Ok(id)
    }

    /// `PutLifecycleEventHookExecutionStatus`.
    pub fn answer_gate(
        &mut self,
        env: &str,
        deployment_id: &str,
        execution_id: &str,
        succeeded: bool,
    ) -> PortResult<()> {
        let now = self.now;
        let missing = self.no_env(env);
        let ids = &mut self.ids;
        let group = self
            .envs
            .iter_mut()
            .find(|e| e.spec.env.name == env)
            .ok_or(missing)?
            .groups
            .iter_mut()
            .find(|g| g.find(deployment_id).is_some())
            .ok_or_else(|| no_deployment(env, deployment_id))?;
        let d = group
            .find_mut(deployment_id)
            .ok_or_else(|| no_deployment(env, deployment_id))?;
        d.answer_gate(execution_id, succeeded, now, || ids.execution())
            .map_err(|why| {
                PortError::new(
                    ErrorKind::Conflict,
                    format!("CodeDeploy refused PutLifecycleEventHookExecutionStatus: {why}"),
                )
            })?;
        group.record_routing(now);
        Ok(())
    }

    /// Makes the new version of every deployment running in `env` misbehave from now on.
    pub fn inject_fault(&mut self, env: &str) -> PortResult<String> {
        let now = self.now;
        let faulted: Vec<String> = self
            .env_mut(env)?
            .groups
            .iter_mut()
            .filter_map(|g| g.inject_fault(now))
            .collect();
        if faulted.is_empty() {
            return Err(PortError::new(
                ErrorKind::Conflict,
                format!("nothing is shifting in {env}: a fault goes into the canary of a running deployment"),
            )
            .with_hint(format!("promote a version to {env} first")));
        }
        Ok(format!(
            "fault injected into {}: its error rate and p99 rise now, and the alarms evaluate every minute",
            faulted.join(", ")
        ))
    }

    /// Canary against baseline: per-minute series of each requested function version.
    pub fn compare(
        &self,
        env: &str,
        targets: &[MetricTarget],
        minutes: u32,
    ) -> PortResult<Vec<VersionMetrics>> {
        let e = self.env(env)?;
        Ok(targets
            .iter()
            .filter_map(|t| {
                let g = e.groups.iter().find(|g| g.function == t.function)?;
                Some(
                    t.versions
                        .iter()
                        .map(|v| g.series(self.seed, v, minutes, self.now))
                        .collect::<Vec<_>>(),
                )
            })
            .flatten()
            .collect())
    }

    fn env(&self, name: &str) -> PortResult<&EnvWorld> {
        self.envs
            .iter()
            .find(|e| e.spec.env.name == name)
            .ok_or_else(|| self.no_env(name))
    }

    fn env_mut(&mut self, name: &str) -> PortResult<&mut EnvWorld> {
        let missing = self.no_env(name);
        self.envs
            .iter_mut()
            .find(|e| e.spec.env.name == name)
            .ok_or(missing)
    }

    fn no_env(&self, name: &str) -> PortError {
        let known: Vec<&str> = self.envs.iter().map(|e| e.spec.env.name.as_str()).collect();
        PortError::new(
            ErrorKind::NotFound,
            format!(
                "the simulated world has no environment {name} (it has {})",
                known.join(", ")
            ),
        )
    }
}

/// Whether no deployment runs in `env`.
fn idle(envs: &[EnvWorld], env: &str) -> bool {
    envs.iter()
        .find(|e| e.spec.env.name == env)
        .is_none_or(EnvWorld::idle)
}

fn group_mut<'a>(env: &'a mut EnvWorld, group: &str) -> PortResult<&'a mut Group> {
    let name = env.spec.env.name.clone();
    env.groups
        .iter_mut()
        .find(|g| g.name == group)
        .ok_or_else(|| {
            PortError::new(
                ErrorKind::NotFound,
                format!("{name} has no deployment group {group}"),
            )
        })
}

fn busy(group: &str, active: &str) -> PortError {
    PortError::new(
        ErrorKind::Conflict,
        format!(
            "CodeDeploy refused the deployment: {group} already has an active deployment ({active})"
        ),
    )
    .with_hint("wait for it to finish, or stop it")
}

fn no_alias(group: &Group) -> PortError {
    PortError::new(
        ErrorKind::NotFound,
        format!(
            "alias {} of {} points at no known version",
            group.alias(),
            group.function
        ),
    )
}

fn no_deployment(env: &str, id: &str) -> PortError {
    PortError::new(
        ErrorKind::NotFound,
        format!("CodeDeploy has no deployment {id} in {env}"),
    )
}
