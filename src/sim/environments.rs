//! The demo's three environments and how CodeDeploy is set up in each.

use std::time::Duration;

use crate::domain::pin::{PinLocator, PinRule};
use crate::domain::schedule::DeploymentConfig;
use crate::environment::Environment;

use super::codedeploy::{Hook, Hooks};

pub const APPLICATION: &str = "ltbase";

/// One environment with the settings its deployment groups share.
#[derive(Clone, Debug)]
pub struct EnvSpec {
    pub env: Environment,
    pub config: DeploymentConfig,
    pub hooks: Hooks,
}

impl EnvSpec {
    /// The deployment group's configured config, by its CodeDeploy name.
    pub fn config_name(&self) -> String {
        format!("CodeDeployDefault.Lambda{}", self.config.label())
    }
}

/// `api` and `worker`, then numbered groups up to `n` (for benchmarks with many targets).
pub fn group_names(n: usize) -> Vec<String> {
    ["api", "worker"]
        .into_iter()
        .map(String::from)
        .chain((3..=n).map(|i| format!("fn-{i:03}")))
        .take(n.max(1))
        .collect()
}

pub fn function_name(env: &str, group: &str) -> String {
    format!("{APPLICATION}-{env}-{group}")
}

pub fn demo_environments(targets_per_env: usize) -> Vec<EnvSpec> {
    let groups = group_names(targets_per_env);
    let env = |name: &str, file: &str, rule: PinRule, protected: bool| Environment {
        name: name.into(),
        pin: PinLocator {
            file: file.into(),
            rule,
        },
        region: Some("eu-west-1".into()),
        profile: None,
        application: APPLICATION.into(),
        deployment_groups: groups.clone(),
        requires_approval: protected,
        require_signed_approval: false,
        protected,
        accent: None,
        alias: "Prod".into(),
    };
    vec![
        EnvSpec {
            env: env(
                "dev",
                "lib/config.ts",
                PinRule::Pattern("devVersion = \"{version}\"".into()),
                false,
            ),
            config: DeploymentConfig::Linear {
                percent: 10,
                interval_minutes: 1,
            },
            hooks: Hooks::default(),
        },
        EnvSpec {
            env: env(
                "staging",
                "lib/config.ts",
                PinRule::Pattern("stagingVersion = \"{version}\"".into()),
                false,
            ),
            config: DeploymentConfig::Canary {
                percent: 10,
                interval_minutes: 5,
            },
            hooks: Hooks {
                before: Some(Hook::Check {
                    takes: Duration::from_secs(30),
                }),
                after: None,
            },
        },
        EnvSpec {
            env: env(
                "prod",
                "cdk.json",
                PinRule::JsonPointer("/context/prodVersion".into()),
                true,
            ),
            config: DeploymentConfig::Linear {
                percent: 10,
                interval_minutes: 1,
            },
            hooks: Hooks {
                before: Some(Hook::ManualGate),
                after: Some(Hook::Check {
                    takes: Duration::from_secs(60),
                }),
            },
        },
    ]
}
