//! Environments as the configuration declares them.

use serde::{Deserialize, Serialize};

use super::pin::PinLocator;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    pub name: String,
    pub pin: PinLocator,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub profile: Option<String>,
    #[serde(default)]
    pub application: String,
    #[serde(default)]
    pub deployment_groups: Vec<String>,
    /// Promotions into this environment are pushed as proposals that someone else approves.
    #[serde(default)]
    pub requires_approval: bool,
    /// Rollback asks for the environment's name to be typed; the environment gets its own accent.
    #[serde(default)]
    pub protected: bool,
    /// Theme role or colour name that marks this environment everywhere it is shown.
    #[serde(default)]
    pub accent: Option<String>,
    /// Lambda alias that CodeDeploy shifts.
    #[serde(default = "default_alias")]
    pub alias: String,
}

fn default_alias() -> String {
    "Prod".into()
}
