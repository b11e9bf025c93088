//! An environment as the configuration declares it: its pin locator and rules, and beside them
//! how to reach its AWS account and how to draw it. The rules see only its [`Stage`].

use serde::{Deserialize, Serialize};

use crate::domain::env::{EnvName, Stage};
use crate::domain::pin::PinLocator;

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
    /// Approving a proposal for this environment is refused unless the approval commit will be
    /// signed (the approver's clone has `commit.gpgsign` on with a signing setup): an
    /// `Approved-by:` line alone is only as true as the approver's `user.email`, a signature
    /// can be verified, and a branch that demands signed commits would refuse it anyway.
    #[serde(default)]
    pub require_signed_approval: bool,
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

impl Environment {
    /// What the rules of promote, approve and rollback see of this environment.
    pub fn stage(&self) -> Stage {
        Stage {
            name: EnvName::new(&self.name),
            pin: self.pin.describe(),
            pin_file: self.pin.file.display().to_string(),
            requires_approval: self.requires_approval,
            protected: self.protected,
        }
    }
}
