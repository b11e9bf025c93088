//! Environments as the rules see them: a name of their own and what promote, approve and
//! rollback weigh. How to reach an environment's AWS account and how to draw it are the
//! configuration's business (`crate::environment`).

use serde::{Deserialize, Serialize};

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
