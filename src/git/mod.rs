//! The fork adapter over git2: pins at the deploy branch tip, commits, pushes, proposals.

mod commit;
mod credentials;
mod error;
mod fetch;
mod fork;
mod guard;
mod pin;
mod proposal;
mod push;
mod status;

pub use fork::GitFork;
