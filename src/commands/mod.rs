//! The scripting commands that act: each turns its arguments into an intent and goes through
//! the same operations layer as the cockpit.

pub mod act;
mod act_output;
pub mod exit;
