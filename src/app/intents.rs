//! The cockpit's side of the operations layer: keys and selection become intents, and the
//! state becomes the snapshot the rules plan from. The rules themselves live in `ops`.

use crate::domain::env::EnvName;
use crate::ops::{self, Intent, Planned, Refusal, RefusalKind, Snapshot};

use super::action::Command;
use super::state::{Pane, State};

/// What planning sees of the cockpit's state.
pub fn snapshot(state: &State) -> Snapshot<'_> {
    Snapshot {
        stages: state
            .settings
            .environments
            .iter()
            .map(|e| e.stage())
            .collect(),
        releases: state.releases.value.as_deref(),
        fork: state.fork.value.as_ref(),
        rollouts: state
            .rollouts
            .iter()
            .filter_map(|(name, remote)| {
                let read = match (&remote.value, &remote.error) {
                    (Some(v), _) => Ok(v),
                    (None, Some(e)) => Err(e),
                    (None, None) => return None,
                };
                Some((name.as_str(), read))
            })
            .collect(),
        identity: state.identity.as_ref(),
        read_only: state.settings.read_only,
        busy: state.busy.as_deref(),
        now: state.now,
        failure_window: state.settings.failure_window,
    }
}

/// The intent a key asks for, given what is selected.
pub fn intent_for(state: &State, command: Command) -> Result<Intent, Refusal> {
    let env = state
        .env()
        .map(|e| EnvName::new(&e.name))
        .ok_or_else(|| Refusal::new(RefusalKind::NothingToDo, "no environment is selected"))?;
    let override_check = command == Command::PromoteOverride;
    Ok(match command {
        // From the versions pane, promote pins the selected version in the selected
        // environment; from anywhere else it carries that environment's pin onward.
        Command::Promote | Command::PromoteOverride if state.focus == Pane::Versions => {
            let release = state
                .selected_release()
                .ok_or_else(|| Refusal::new(RefusalKind::NothingToDo, "no version is selected"))?;
            Intent::Pin {
                env,
                version: release.version.clone(),
                override_check,
            }
        }
        Command::Promote | Command::PromoteOverride => Intent::Promote {
            from: env,
            to: None,
            override_check,
        },
        Command::Approve => Intent::Approve { env },
        Command::Rollback => Intent::Rollback { env, reason: None },
        // The reason is asked for in the modal, with the plan on screen.
        Command::Reject => Intent::Reject {
            env,
            reason: String::new(),
        },
        Command::Freeze => {
            let frozen = state
                .fork
                .value
                .as_ref()
                .and_then(|f| f.freezes.as_ref().ok())
                .is_some_and(|l| l.of(env.as_str()).is_some());
            if frozen {
                Intent::Unfreeze { env }
            } else {
                Intent::Freeze {
                    env,
                    reason: String::new(),
                }
            }
        }
        other => {
            return Err(Refusal::new(
                RefusalKind::NothingToDo,
                format!("{} is not an action", other.name()),
            ));
        }
    })
}

/// The plan `command` would carry out for the current selection.
pub fn plan_for(state: &State, command: Command) -> Result<(Intent, Planned), Box<Refused>> {
    let intent = intent_for(state, command).map_err(|refusal| Refused {
        intent: None,
        refusal,
    })?;
    match ops::plan(&snapshot(state), &intent) {
        Ok(planned) => Ok((intent, planned)),
        Err(refusal) => Err(Box::new(Refused {
            intent: Some(intent),
            refusal,
        })),
    }
}

/// A key refused: the intent it asked for (none when nothing was selected) and why.
#[derive(Debug)]
pub struct Refused {
    pub intent: Option<Intent>,
    pub refusal: Refusal,
}

/// For each mutating command: what it would do for the current selection, or why it cannot.
pub fn availability(state: &State) -> Vec<(Command, Result<String, String>)> {
    [Command::Promote, Command::Approve, Command::Rollback]
        .into_iter()
        .map(|c| {
            let plan = plan_for(state, c)
                .map(|(_, planned)| ops::summary(&planned.plan))
                .map_err(|r| r.refusal.message);
            (c, plan)
        })
        .collect()
}
