//! State, actions and the one `update` function; the effect runner executes what `update` asks.

pub mod action;
pub mod call_log;
pub mod headless;
pub mod history;
pub mod intents;
pub mod notify;
pub mod runner;
pub mod state;
pub mod update;

#[cfg(test)]
mod update_tests;
