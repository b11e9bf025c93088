//! Pure model of releases, pins, schedules and rollouts: no I/O, no async.

pub mod audit;
pub mod commit_message;
pub mod env;
pub mod freeze;
pub mod init;
pub mod pin;
pub mod pipeline;
pub mod provenance;
pub mod release;
pub mod rollout;
pub mod schedule;
pub mod time;
pub mod version;
