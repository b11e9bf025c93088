//! The operations layer: what a person may do, worked out the same way for the cockpit and the
//! command line.
//!
//! A person's wish is an [`Intent`]; [`plan`] turns it and a [`Snapshot`] of what was read into
//! a [`Planned`] action or a [`Refusal`]. The confirm modal, `--dry-run` and the audit record
//! are all made from the plan, and [`execute`] carries out exactly that plan. Nothing here knows
//! of keys, panes or terminals: the cockpit maps keys and selection to intents, the CLI maps
//! arguments to the same intents.

pub mod audit;
pub mod deadline;
pub mod execute;
pub mod failures;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod intent;
pub mod plan;
mod plan_approve;
mod plan_freeze;
mod plan_pin;
mod plan_rollback;
pub mod reads;
pub mod refusal;
pub mod snapshot;
#[cfg(test)]
mod tests;
pub mod world;

pub use execute::{Execution, execute};
pub use intent::Intent;
pub use plan::{Gate, Needs, Plan, Planned, plan, summary};
pub use refusal::{Refusal, RefusalKind};
pub use snapshot::Snapshot;
pub use world::World;
