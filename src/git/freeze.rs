//! Freezes on `refs/shiftdeck/freeze` of the fork's remote: a chain of commits whose tree holds
//! one small JSON file per frozen environment (`prod.json`: env, reason, by, at). Freezing adds
//! the file, unfreezing removes it; the history says who did which, when.

use git2::build::TreeUpdateBuilder;
use git2::{FileMode, Repository, Tree};
use serde::{Deserialize, Serialize};

use super::error::Context;
use super::fork::GitFork;
use super::side_ref::Edit;
use crate::domain::freeze::{Freeze, freeze_message, unfreeze_message};
use crate::domain::time::Timestamp;
use crate::ports::{ErrorKind, FreezeList, Freezes, Identity, PinCommit, PortError, PortResult};

/// The name under `refs/shiftdeck/`.
pub const FREEZE_REF: &str = "freeze";

/// The file as stored: times in RFC 3339 so that `git show` reads plainly.
#[derive(Serialize, Deserialize)]
struct FreezeFile {
    env: String,
    reason: String,
    by: String,
    at: String,
}

/// The file that holds `env`'s freeze: the name itself where it is a plain file name, else
/// percent-encoded, so no environment name can reach outside the tree's root.
fn file_name(env: &str) -> String {
    let mut out = String::new();
    for b in env.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_') || (b == b'.' && !out.is_empty()) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    format!("{out}.json")
}

/// Every freeze in `tree`, each with the name of the file that holds it.
fn read_freezes(repo: &Repository, tree: &Tree<'_>) -> PortResult<Vec<(String, Freeze)>> {
    let mut out = Vec::new();
    for entry in tree.iter() {
        let name = entry.name().unwrap_or("?").to_string();
        if !name.ends_with(".json") {
            continue;
        }
        let blob = entry
            .to_object(repo)
            .and_then(|o| o.peel_to_blob())
            .doing("reading a freeze")?;
        let bad = |why: String| {
            PortError::new(
                ErrorKind::Invalid,
                format!("refs/shiftdeck/freeze:{name} is not a freeze: {why}"),
            )
            .with_hint(format!(
                "it was written by hand; unfreeze the environment with `shiftdeck unfreeze`, or fix the file (`git show refs/shiftdeck/remotes/<remote>/freeze:{name}`)"
            ))
        };
        let file: FreezeFile =
            serde_json::from_slice(blob.content()).map_err(|e| bad(e.to_string()))?;
        let at = humantime::parse_rfc3339_weak(&file.at)
            .map_err(|e| bad(format!("at {:?}: {e}", file.at)))?;
        let freeze = Freeze {
            env: file.env,
            reason: file.reason,
            by: file.by,
            at: Timestamp::from_system(at),
        };
        out.push((name, freeze));
    }
    out.sort_by(|a, b| a.1.env.cmp(&b.1.env));
    Ok(out)
}

/// `env`'s freeze and the file holding it (which a hand-written file may have named otherwise).
fn find(repo: &Repository, tree: &Tree<'_>, env: &str) -> PortResult<Option<(String, Freeze)>> {
    Ok(read_freezes(repo, tree)?
        .into_iter()
        .find(|(_, f)| f.env == env))
}

impl GitFork {
    fn freeze_result(
        &self,
        oid: Option<git2::Oid>,
        message: String,
        calls: Vec<String>,
    ) -> PinCommit {
        PinCommit {
            commit: oid.map(|o| o.to_string()).unwrap_or_default(),
            branch: self.side_ref(FREEZE_REF),
            remote: self.remote.clone(),
            message,
            calls,
        }
    }
}

impl Freezes for GitFork {
    fn freezes(&self) -> PortResult<FreezeList> {
        let repo = self.repo()?;
        let fetch_error = self.fetch_side(&repo, FREEZE_REF).err().map(|e| e.full());
        self.freezes_as_fetched(&repo, fetch_error)
    }

    fn freeze(&self, freeze: &Freeze) -> PortResult<PinCommit> {
        let repo = self.repo()?;
        let author = self.identity_in(&repo)?;
        let message = freeze_message(freeze);
        let file = FreezeFile {
            env: freeze.env.clone(),
            reason: freeze.reason.clone(),
            by: freeze.by.clone(),
            at: freeze.at.rfc3339(),
        };
        let mut content = serde_json::to_vec_pretty(&file).unwrap_or_default();
        content.push(b'\n');
        let updated = self.update_side(&repo, FREEZE_REF, |repo, tree| {
            if let Some((_, already)) = find(repo, tree, &freeze.env)? {
                return Err(PortError::new(
                    ErrorKind::Refused,
                    format!("{} is already {}", freeze.env, already.describe()),
                )
                .with_hint(format!(
                    "to change the reason, unfreeze it (`shiftdeck unfreeze {}`) and freeze it again",
                    freeze.env
                )));
            }
            let blob = repo.blob(&content).doing("storing the freeze")?;
            let tree = TreeUpdateBuilder::new()
                .upsert(file_name(&freeze.env), blob, FileMode::Blob)
                .create_updated(repo, tree)
                .doing("building the freeze tree")?;
            Ok(Edit::Commit {
                tree,
                message: message.clone(),
                author: author.clone(),
                value: (),
            })
        })?;
        Ok(self.freeze_result(updated.commit, message, updated.calls))
    }

    fn unfreeze(&self, env: &str, by: &Identity) -> PortResult<PinCommit> {
        let repo = self.repo()?;
        let mut message = String::new();
        let updated = self.update_side(&repo, FREEZE_REF, |repo, tree| {
            let Some((stored, lifted)) = find(repo, tree, env)? else {
                return Err(PortError::new(
                    ErrorKind::Refused,
                    format!("{env} is not frozen; there is nothing to unfreeze"),
                ));
            };
            let tree = TreeUpdateBuilder::new()
                .remove(stored)
                .create_updated(repo, tree)
                .doing("building the freeze tree")?;
            message = unfreeze_message(&lifted, &by.to_string());
            Ok(Edit::Commit {
                tree,
                message: message.clone(),
                author: by.clone(),
                value: (),
            })
        })?;
        Ok(self.freeze_result(updated.commit, message, updated.calls))
    }
}

impl GitFork {
    /// The freezes as the freeze ref was last fetched, with why this fetch failed if it did.
    pub(super) fn freezes_as_fetched(
        &self,
        repo: &Repository,
        fetch_error: Option<String>,
    ) -> PortResult<FreezeList> {
        let tree = self.tree_at(repo, self.side_tip(repo, FREEZE_REF))?;
        Ok(FreezeList {
            freezes: read_freezes(repo, &tree)?
                .into_iter()
                .map(|(_, f)| f)
                .collect(),
            fetch_error,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::file_name;

    #[test]
    fn an_environment_name_cannot_leave_the_tree_root() {
        assert_eq!(file_name("prod"), "prod.json");
        assert_eq!(file_name("eu-west.prod"), "eu-west.prod.json");
        assert_eq!(file_name("../x"), "%2E.%2Fx.json");
        assert_eq!(file_name("50%"), "50%25.json");
        assert_eq!(file_name("a/b"), "a%2Fb.json");
    }
}
