//! What the fork says: pins at the deploy branch tip, work tree state, proposals.

use git2::Repository;

use super::commit::{locate_in, short_id};
use super::fork::GitFork;
use crate::domain::env::Environment;
use crate::domain::time::Timestamp;
use crate::domain::version::Version;
use crate::ports::{ForkStatus, PinnedVersion, PortResult};

impl GitFork {
    pub(super) fn read_status(
        &self,
        repo: &Repository,
        envs: &[Environment],
    ) -> PortResult<ForkStatus> {
        let fetch_error = self.fetch(repo).err().map(|e| e.full());
        let tip = self.local_tip(repo)?;
        let pins = envs
            .iter()
            .map(|env| {
                let found = locate_in(repo, &tip, &env.pin);
                PinnedVersion {
                    env: env.name.clone(),
                    line: found.as_ref().ok().map(|(m, _)| m.line),
                    pinned_at: found
                        .as_ref()
                        .ok()
                        .and_then(|(m, _)| self.pinned_at_cached(repo, &tip, env, &m.literal)),
                    version: found.map_err(|e| e.message).and_then(|(m, _)| {
                        Version::parse(&m.literal).map_err(|e| {
                            format!("{}: line {}: {e}", env.pin.file.display(), m.line)
                        })
                    }),
                }
            })
            .collect();
        let (ahead, behind) = match self.remote_tip(repo) {
            Ok(remote) => repo.graph_ahead_behind(tip.id(), remote).unwrap_or((0, 0)),
            Err(_) => (0, 0),
        };
        Ok(ForkStatus {
            branch: self.branch.clone(),
            remote: self.remote.clone(),
            head: short_id(&tip),
            dirty: self.is_dirty(repo)?,
            ahead,
            behind,
            pins,
            proposals: self.proposals(repo, envs),
            fetch_error,
        })
    }
}

impl GitFork {
    fn pinned_at_cached(
        &self,
        repo: &Repository,
        tip: &git2::Commit<'_>,
        env: &Environment,
        literal: &str,
    ) -> Option<Timestamp> {
        let key = (tip.id(), env.name.clone());
        let mut cache = self.pinned_at.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(at) = cache.get(&key) {
            return *at;
        }
        let at = pinned_at(repo, tip, &env.pin, literal);
        // Only the current tip matters; older tips are never asked again.
        cache.retain(|(oid, _), _| *oid == key.0);
        cache.insert(key, at);
        at
    }
}

/// How far back the time a pin got its value is looked for; a pin unchanged for longer is long
/// settled, and nothing waits for a pipeline any more.
const PIN_HISTORY: usize = 50;

/// The commit time of the first-parent commit that gave the pin its current `literal`.
fn pinned_at(
    repo: &Repository,
    tip: &git2::Commit<'_>,
    locator: &crate::domain::pin::PinLocator,
    literal: &str,
) -> Option<Timestamp> {
    let mut commit = tip.clone();
    for _ in 0..PIN_HISTORY {
        let set_here = match commit.parent(0) {
            Ok(parent) => match locate_in(repo, &parent, locator) {
                Ok((m, _)) if m.literal == literal => {
                    commit = parent;
                    false
                }
                _ => true,
            },
            Err(_) => true,
        };
        if set_here {
            return Some(Timestamp(commit.time().seconds() * 1000));
        }
    }
    None
}
