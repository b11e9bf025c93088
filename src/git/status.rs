//! What the fork says: pins at the deploy branch tip, work tree state, proposals.

use git2::{Commit, Repository};

use super::commit::{locate_in, short_id};
use super::fork::GitFork;
use super::land::REFUSED_PREFIX;
use crate::domain::pin::PinLocator;
use crate::domain::time::Timestamp;
use crate::domain::version::Version;
use crate::environment::Environment;
use crate::ports::{ForkStatus, PinnedVersion, PortResult, RefusedPush};

impl GitFork {
    pub(super) fn read_status(
        &self,
        repo: &Repository,
        envs: &[Environment],
    ) -> PortResult<ForkStatus> {
        let fetch_error = self.fetch(repo).err().map(|e| e.full());
        let local = self.local_tip(repo)?;
        // What the remote has is what the pipeline deploys; a local commit pins nothing yet.
        let tip = match self.remote_tip(repo) {
            Ok(oid) => repo.find_commit(oid).unwrap_or_else(|_| local.clone()),
            Err(_) => local.clone(),
        };
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
        let (ahead, behind) = repo
            .graph_ahead_behind(local.id(), tip.id())
            .unwrap_or((0, 0));
        let modified = self.modified_files(repo)?;
        let dirty = self.is_checked_out(repo)
            && envs.iter().any(|env| {
                env.pin
                    .file
                    .to_str()
                    .is_some_and(|f| modified.iter().any(|m| m == f))
            });
        Ok(ForkStatus {
            branch: self.branch.clone(),
            remote: self.remote.clone(),
            head: short_id(&tip),
            dirty,
            modified,
            ahead,
            behind,
            pins,
            proposals: self.proposals(repo, envs),
            fetch_error,
            last_fetch: last_fetch(repo),
            refused: refused(repo),
            history: self.history_cached(repo, &tip, envs),
            // Filled in by `status`, which reads the freeze ref.
            freezes: Ok(Default::default()),
        })
    }

    fn pinned_at_cached(
        &self,
        repo: &Repository,
        tip: &Commit<'_>,
        env: &Environment,
        literal: &str,
    ) -> Option<Timestamp> {
        let key = (tip.id(), env.name.clone());
        let mut cache = self.pinned_at.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(at) = cache.get(&key) {
            return *at;
        }
        let at = pin_set_by(repo, tip, &env.pin, literal)
            .map(|commit| Timestamp(commit.time().seconds() * 1000));
        // Only the current tip matters; older tips are never asked again.
        cache.retain(|(oid, _), _| *oid == key.0);
        cache.insert(key, at);
        at
    }
}

/// git writes FETCH_HEAD on every fetch that succeeds, whoever ran it.
fn last_fetch(repo: &Repository) -> Option<Timestamp> {
    let modified = std::fs::metadata(repo.path().join("FETCH_HEAD"))
        .and_then(|m| m.modified())
        .ok()?;
    let millis = modified
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_millis();
    Some(Timestamp(i64::try_from(millis).ok()?))
}

/// The refused pushes kept under `refs/shiftdeck/refused/`, newest first.
fn refused(repo: &Repository) -> Vec<RefusedPush> {
    let Ok(references) = repo.references_glob(&format!("{REFUSED_PREFIX}*")) else {
        return Vec::new();
    };
    let mut kept: Vec<RefusedPush> = references
        .flatten()
        .filter_map(|reference| {
            let name = reference.name().ok()?.to_string();
            let commit = reference.peel_to_commit().ok()?;
            let env = name
                .strip_prefix(REFUSED_PREFIX)?
                .rsplit_once('-')
                .map_or(String::new(), |(env, _)| env.to_string());
            Some(RefusedPush {
                reference: name,
                env,
                commit: commit.id().to_string(),
                subject: commit
                    .summary()
                    .ok()
                    .flatten()
                    .unwrap_or_default()
                    .to_string(),
                at: Timestamp(commit.time().seconds() * 1000),
            })
        })
        .collect();
    kept.sort_by(|a, b| b.at.cmp(&a.at).then(b.reference.cmp(&a.reference)));
    kept
}

/// How far back the commit that gave a pin its value is looked for; a pin unchanged for longer
/// is long settled, and nothing waits for a pipeline any more.
const PIN_HISTORY: usize = 50;

/// The first-parent commit that gave the pin its current `literal`.
pub(super) fn pin_set_by<'r>(
    repo: &'r Repository,
    tip: &Commit<'r>,
    locator: &PinLocator,
    literal: &str,
) -> Option<Commit<'r>> {
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
            return Some(commit);
        }
    }
    None
}
