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

/// The name of an environment, as the configuration spells it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EnvName(String);

impl EnvName {
    pub fn new(name: impl Into<String>) -> Self {
        Self(name.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for EnvName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for EnvName {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for EnvName {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for EnvName {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

/// An environment as the rules see it: its place in the promotion order comes from its
/// position among the others; its AWS connection and colours are none of their business.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Stage {
    pub name: EnvName,
    /// Where its pin lives, for the plan's details (`file: locator`).
    pub pin: String,
    /// The file that holds its pin.
    pub pin_file: String,
    /// Promotions into it are proposals that someone else approves.
    pub requires_approval: bool,
    /// Rollback asks for its name to be typed.
    pub protected: bool,
}

impl From<&str> for EnvName {
    fn from(name: &str) -> Self {
        Self::new(name)
    }
}

impl From<String> for EnvName {
    fn from(name: String) -> Self {
        Self(name)
    }
}
