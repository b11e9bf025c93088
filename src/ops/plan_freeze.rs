//! Planning a freeze and its end. A freeze refuses pins and promotions into the environment for
//! everyone who reads the fork's remote; rollback stays allowed.

use crate::domain::env::EnvName;
use crate::ports::FreezeList;

use super::plan::{Needs, Plan, Planned};
use super::refusal::{Refusal, RefusalKind};
use super::snapshot::Snapshot;

fn freezes<'a>(s: &Snapshot<'a>) -> Result<&'a FreezeList, Refusal> {
    s.fork()?.freezes.as_ref().map_err(|e| {
        Refusal::new(
            RefusalKind::NotRead,
            format!("the freezes could not be read: {e}"),
        )
    })
}

pub(super) fn freeze(s: &Snapshot, env: &EnvName, reason: &str) -> Result<Planned, Refusal> {
    let fork = s.fork()?;
    if let Some(f) = freezes(s)?.of(env.as_str()) {
        return Err(Refusal::new(
            RefusalKind::NothingToDo,
            format!("{env} is already {}", f.describe()),
        ));
    }
    let reason = reason.trim();
    let by = s
        .identity
        .map(|i| i.to_string())
        .unwrap_or_else(|| "(git identity)".into());
    Ok(Planned {
        plan: Plan::Freeze {
            env: env.clone(),
            reason: reason.to_string(),
        },
        details: vec![
            ("environment".into(), env.to_string()),
            ("by".into(), by),
            (
                "push".into(),
                format!(
                    "{} refs/shiftdeck/freeze (no pipeline watches it)",
                    fork.remote
                ),
            ),
            (
                "then".into(),
                format!(
                    "pin and promote into {env} are refused for everyone until it is unfrozen; rollback stays allowed"
                ),
            ),
        ],
        // The reason is part of the confirmation, so the team knows when it may end.
        needs: Needs {
            reason_for: Some(format!("freezing {env}")),
            ..Needs::default()
        },
    })
}

pub(super) fn unfreeze(s: &Snapshot, env: &EnvName) -> Result<Planned, Refusal> {
    let fork = s.fork()?;
    let Some(f) = freezes(s)?.of(env.as_str()) else {
        return Err(Refusal::new(
            RefusalKind::NothingToDo,
            format!("{env} is not frozen"),
        ));
    };
    Ok(Planned {
        plan: Plan::Unfreeze { env: env.clone() },
        details: vec![
            ("environment".into(), env.to_string()),
            ("lifts".into(), f.describe()),
            (
                "push".into(),
                format!("{} refs/shiftdeck/freeze", fork.remote),
            ),
            (
                "then".into(),
                format!("pins and promotions into {env} are allowed again"),
            ),
        ],
        needs: Needs::default(),
    })
}
