//! The ports together with the configured environments they serve.

use std::sync::Arc;

use crate::environment::Environment;
use crate::ports::{ErrorKind, PortError, Ports};

#[derive(Clone)]
pub struct World {
    pub ports: Ports,
    pub environments: Arc<[Environment]>,
}

impl World {
    pub fn new(ports: Ports, environments: Vec<Environment>) -> Self {
        Self {
            ports,
            environments: environments.into(),
        }
    }

    /// The configured environment called `name`.
    pub fn environment(&self, name: &str) -> Result<Environment, PortError> {
        self.environments
            .iter()
            .find(|e| e.name == name)
            .cloned()
            .ok_or_else(|| {
                PortError::new(ErrorKind::NotFound, format!("no environment named {name}"))
                    .with_hint(format!(
                        "the configured environments are {}",
                        self.environments
                            .iter()
                            .map(|e| e.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
            })
    }
}
