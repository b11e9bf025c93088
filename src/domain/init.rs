//! `shiftdeck init`, the pure part: version literals found in a fork's files, the environments
//! and locators proposed from them, and the configuration text written.

pub mod propose;
pub mod render;
pub mod scan;

pub use propose::{Proposal, ProposedEnv, propose};
pub use render::{InitSettings, render};
pub use scan::{Candidate, is_scanned, scan};
