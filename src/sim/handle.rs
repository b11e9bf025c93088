//! `SimHandle`: the simulated world behind the `Rollouts`, `Metrics` and `SimControl` ports, and
//! the controls tests use. Every call first brings the world to the clock's time.

use async_trait::async_trait;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::domain::schedule::DeploymentConfig;
use crate::domain::time::Timestamp;
use crate::domain::version::Version;
use crate::environment::Environment;
use crate::ports::{
    ApiCall, AwsIdentity, Clock, EnvRollout, MetricTarget, Metrics, MetricsRead, PortResult,
    RedeployRequest, Rollouts, SimControl,
};

use super::clock::SimClock;
use super::world::World;

/// The AWS identity the demo acts as (AWS's documentation account).
const CALLER: &str = "arn:aws:sts::111122223333:assumed-role/ShiftdeckOperator/demo-operator";
const CALLER_ACCOUNT: &str = "111122223333";

/// The simulated world has no request ids: what it did is named, and the id left empty.
fn call(action: &str, detail: String) -> ApiCall {
    ApiCall {
        action: action.into(),
        detail,
        request_id: None,
    }
}

pub struct SimHandle {
    clock: Arc<SimClock>,
    world: Mutex<World>,
    origin: PathBuf,
}

impl SimHandle {
    pub(super) fn new(clock: Arc<SimClock>, world: World, origin: PathBuf) -> Self {
        Self {
            clock,
            world: Mutex::new(world),
            origin,
        }
    }

    /// The world as of now.
    fn world(&self) -> MutexGuard<'_, World> {
        let mut world = self.world.lock().unwrap_or_else(|e| e.into_inner());
        world.sync(self.clock.now());
        world
    }

    /// Moves the clock forward by `d` (in real mode: skips ahead) and processes everything due.
    /// Pushes made before the call are noticed at the time they were made, not after the jump.
    pub fn advance(&self, d: Duration) {
        let mut world = self.world();
        self.clock.advance(d);
        world.sync(self.clock.now());
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The bare repository the fork pushes to and the pipeline watches.
    pub fn origin_path(&self) -> PathBuf {
        self.origin.clone()
    }

    /// Publishes `release` in `group` of `env` and deploys it now, with `config` or the group's
    /// own, as the pipeline would; for tests that drive a deployment without a push.
    pub fn start_deployment(
        &self,
        env: &str,
        group: &str,
        release: &Version,
        config: Option<DeploymentConfig>,
    ) -> PortResult<String> {
        self.world().start_deployment(env, group, release, config)
    }
}

#[async_trait]
impl Rollouts for SimHandle {
    async fn environment(&self, env: &Environment) -> PortResult<EnvRollout> {
        self.world().environment(&env.name)
    }

    async fn stop(&self, env: &Environment, deployment_id: &str) -> PortResult<ApiCall> {
        self.world().stop(&env.name, deployment_id)?;
        Ok(call(
            "codedeploy:StopDeployment",
            format!("{deployment_id} autoRollbackEnabled=true"),
        ))
    }

    async fn redeploy(
        &self,
        env: &Environment,
        request: &RedeployRequest,
    ) -> PortResult<(ApiCall, String)> {
        let id = self
            .world()
            .redeploy(&env.name, &request.group, &request.from, &request.to)?;
        let detail = format!(
            "{} LambdaAllAtOnce {} → {} ({id})",
            request.group,
            request.from.label(),
            request.to.label()
        );
        Ok((call("codedeploy:CreateDeployment", detail), id))
    }

    async fn answer_gate(
        &self,
        env: &Environment,
        deployment_id: &str,
        execution_id: &str,
        succeeded: bool,
    ) -> PortResult<ApiCall> {
        self.world()
            .answer_gate(&env.name, deployment_id, execution_id, succeeded)?;
        let status = if succeeded { "Succeeded" } else { "Failed" };
        Ok(call(
            "codedeploy:PutLifecycleEventHookExecutionStatus",
            format!("{deployment_id} {execution_id} {status}"),
        ))
    }

    async fn caller(&self, _env: &Environment) -> PortResult<AwsIdentity> {
        Ok(AwsIdentity {
            account: CALLER_ACCOUNT.into(),
            arn: CALLER.into(),
        })
    }
}

#[async_trait]
impl Metrics for SimHandle {
    async fn compare(
        &self,
        env: &Environment,
        targets: &[MetricTarget],
        minutes: u32,
    ) -> PortResult<MetricsRead> {
        // The simulated world makes no API calls, so it counts none.
        Ok(MetricsRead {
            series: self.world().compare(&env.name, targets, minutes)?,
            api_calls: Default::default(),
        })
    }
}

impl SimControl for SimHandle {
    fn inject_fault(&self, env: &str) -> PortResult<String> {
        self.world().inject_fault(env)
    }
}
