//! Each environment's pin history, read from the deploy branch: every first-parent commit that
//! changed a pin, with who made it, when, and its trailers.

use git2::{Commit, Oid, Repository};
use std::path::Path;

use super::commit::{locate_in, short_id};
use super::fork::GitFork;
use super::proposal::author_of;
use crate::domain::time::Timestamp;
use crate::environment::Environment;
use crate::ports::PinEvent;

/// How many first-parent commits back the history goes; older changes are long settled.
const HISTORY_DEPTH: usize = 200;

impl GitFork {
    /// The pin changes at `tip`, newest first; walked once per tip.
    pub(super) fn history_cached(
        &self,
        repo: &Repository,
        tip: &Commit<'_>,
        envs: &[Environment],
    ) -> Vec<PinEvent> {
        let mut cache = self.history.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((oid, events)) = cache.as_ref()
            && *oid == tip.id()
        {
            return events.clone();
        }
        let events = history(repo, tip, envs);
        *cache = Some((tip.id(), events.clone()));
        events
    }
}

pub(super) type HistoryCache = std::sync::Arc<std::sync::Mutex<Option<(Oid, Vec<PinEvent>)>>>;

fn blob_id(commit: &Commit<'_>, file: &Path) -> Option<Oid> {
    commit.tree().ok()?.get_path(file).ok().map(|e| e.id())
}

fn history(repo: &Repository, tip: &Commit<'_>, envs: &[Environment]) -> Vec<PinEvent> {
    let mut events = Vec::new();
    let mut commit = tip.clone();
    for _ in 0..HISTORY_DEPTH {
        let parent = commit.parent(0).ok();
        for env in envs {
            let file = env.pin.file.as_path();
            // Most commits leave the pin file alone: compare blob ids before parsing anything.
            if parent.as_ref().and_then(|p| blob_id(p, file)) == blob_id(&commit, file) {
                continue;
            }
            let Ok((now, _)) = locate_in(repo, &commit, &env.pin) else {
                continue;
            };
            let before = parent
                .as_ref()
                .and_then(|p| locate_in(repo, p, &env.pin).ok())
                .map(|(m, _)| m.literal);
            if before.as_deref() == Some(now.literal.as_str()) {
                continue;
            }
            events.push(event(&commit, env, now.literal, before));
        }
        match parent {
            Some(parent) => commit = parent,
            None => break,
        }
    }
    events
}

fn event(commit: &Commit<'_>, env: &Environment, to: String, from: Option<String>) -> PinEvent {
    let message = String::from_utf8_lossy(commit.message_bytes()).into_owned();
    let trailers: Vec<(String, String)> = git2::message_trailers_strs(&message)
        .map(|t| {
            t.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .unwrap_or_default();
    let trailer = |key: &str| {
        trailers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.clone())
    };
    PinEvent {
        env: env.name.clone(),
        from,
        to,
        commit: commit.id().to_string(),
        short: short_id(commit),
        subject: commit
            .summary()
            .ok()
            .flatten()
            .unwrap_or_default()
            .to_string(),
        author: author_of(commit),
        at: Timestamp(commit.time().seconds() * 1000),
        action: trailer("Shiftdeck-Action"),
        released_by: trailer("Released-by"),
        approved_by: trailer("Approved-by"),
        trailers,
    }
}
