//! The fork adapter over git2: pins at the deploy branch tip, commits, pushes, proposals; and
//! beside the branches, the team's freezes and audit trail.

mod commit;
mod credentials;
mod error;
mod fetch;
mod fork;
mod freeze;
mod git_command;
mod guard;
mod history;
mod land;
mod network;
mod pin;
mod proposal;
mod push;
mod side_ref;
mod sign;
mod status;
mod survey;
mod trail;

pub use fork::GitFork;
pub use freeze::FREEZE_REF;
pub use land::REFUSED_PREFIX;
pub use network::NetworkLimits;
pub use survey::{ForkSurvey, survey};
pub use trail::TRAIL_REF;
