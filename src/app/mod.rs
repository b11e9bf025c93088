//! State, actions and the one `update` function; the effect runner executes what `update` asks.

pub mod action;
pub mod plan;
pub mod state;
