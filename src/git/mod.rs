//! The fork adapter over git2: pins at the deploy branch tip, commits, pushes, proposals.

mod commit;
mod credentials;
mod error;
mod fetch;
mod fork;
mod git_command;
mod guard;
mod history;
mod land;
mod network;
mod pin;
mod proposal;
mod push;
mod sign;
mod status;

pub use fork::GitFork;
pub use land::REFUSED_PREFIX;
pub use network::NetworkLimits;
