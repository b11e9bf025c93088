//! Refs beside the branches (`refs/shiftdeck/<name>` on the fork's remote): small chains of
//! commits for team-wide state that must not trigger the pipeline. Pipelines watch branches
//! (`refs/heads/…`), and a plain `git fetch` leaves these refs alone.
//!
//! Each change is a new commit on the current tip, pushed without force. When a colleague's
//! push lands first the remote refuses ours; the change is then made again on the new tip, a
//! bounded number of times, so concurrent writers lose nothing.

use git2::{Oid, Repository, Tree};
use std::time::Duration;

use super::commit::{short_oid, signature};
use super::error::Context;
use super::fork::GitFork;
use super::push::Pushed;
use crate::ports::{ErrorKind, Identity, PortError, PortResult};

/// Pushes tried before giving up on a busy ref: enough for a handful of people acting in the
/// same second.
const ATTEMPTS: u32 = 8;

/// What an edit of the ref's tree decided, given the tree at the remote's tip.
pub(super) enum Edit<T> {
    /// Nothing to write (the remote has it already); `T` says what was found.
    Unchanged(T),
    /// Commit `tree` on the tip with `message` as `author`.
    Commit {
        tree: Oid,
        message: String,
        author: Identity,
        value: T,
    },
}

/// What an update did.
pub(super) struct Updated<T> {
    pub value: T,
    /// The new tip, or `None` when nothing was written.
    pub commit: Option<Oid>,
    pub calls: Vec<String>,
}

impl GitFork {
    /// `refs/shiftdeck/<name>` on the remote.
    pub(super) fn side_ref(&self, name: &str) -> String {
        format!("refs/shiftdeck/{name}")
    }

    /// Where the last fetch left the remote's `refs/shiftdeck/<name>`. Outside `refs/remotes/`,
    /// so `git fetch --prune` with the usual refspec never removes it.
    pub(super) fn side_tracking_ref(&self, name: &str) -> String {
        format!("refs/shiftdeck/remotes/{}/{name}", self.remote)
    }

    /// The tip of `name` as last fetched; `None` before the first write anywhere.
    pub(super) fn side_tip(&self, repo: &Repository, name: &str) -> Option<Oid> {
        repo.refname_to_id(&self.side_tracking_ref(name)).ok()
    }

    /// The refspec that fetches `refs/shiftdeck/<name>` to its tracking ref.
    pub(super) fn side_refspec(&self, name: &str) -> String {
        // A pattern, not the ref's name: until the first freeze or audit record the remote has
        // no such ref, and the git command line fails a fetch of a named ref that does not
        // exist ("couldn't find remote ref"), while a pattern that matches nothing is no
        // error. The `*` matches the empty rest of the name; no side ref's name begins
        // another's.
        format!(
            "+{}*:{}*",
            self.side_ref(name),
            self.side_tracking_ref(name)
        )
    }

    /// Fetches `refs/shiftdeck/<name>`; returns the call made.
    pub(super) fn fetch_side(&self, repo: &Repository, name: &str) -> PortResult<String> {
        self.fetch_refspecs(repo, &[self.side_refspec(name)], false)?;
        Ok(format!("git fetch {} {}", self.remote, self.side_ref(name)))
    }

    /// The tree at `tip`, or an empty tree when the ref does not exist yet.
    pub(super) fn tree_at<'r>(
        &self,
        repo: &'r Repository,
        tip: Option<Oid>,
    ) -> PortResult<Tree<'r>> {
        match tip {
            Some(oid) => repo
                .find_commit(oid)
                .and_then(|c| c.tree())
                .doing("reading a shiftdeck ref"),
            None => {
                let empty = repo
                    .treebuilder(None)
                    .and_then(|b| b.write())
                    .doing("creating an empty tree")?;
                repo.find_tree(empty).doing("reading an empty tree")
            }
        }
    }

    /// Whether the remote's `name` is no longer at `seen` (fetched afresh to tell).
    fn moved_since(&self, repo: &Repository, name: &str, seen: Option<Oid>) -> bool {
        let _ = self.fetch_side(repo, name);
        self.side_tip(repo, name) != seen
    }

    /// Fetches `name`, lets `edit` decide on the tree at the remote's tip, commits and pushes
    /// fast-forward; when another push won the race, fetches and edits again.
    pub(super) fn update_side<T>(
        &self,
        repo: &Repository,
        name: &str,
        mut edit: impl FnMut(&Repository, &Tree<'_>) -> PortResult<Edit<T>>,
    ) -> PortResult<Updated<T>> {
        let target = self.side_ref(name);
        let mut calls = Vec::new();
        for attempt in 1..=ATTEMPTS {
            calls.push(self.fetch_side(repo, name)?);
            let tip = self.side_tip(repo, name);
            let tree = self.tree_at(repo, tip)?;
            let (tree_id, message, author, value) = match edit(repo, &tree)? {
                Edit::Unchanged(value) => {
                    return Ok(Updated {
                        value,
                        commit: None,
                        calls,
                    });
                }
                Edit::Commit {
                    tree,
                    message,
                    author,
                    value,
                } => (tree, message, author, value),
            };
            let sig = signature(&author)?;
            let new_tree = repo.find_tree(tree_id).doing("reading the new tree")?;
            let parent = tip
                .map(|oid| repo.find_commit(oid))
                .transpose()
                .doing("reading the tip of a shiftdeck ref")?;
            let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
            let oid = repo
                .commit(None, &sig, &sig, &message, &new_tree, &parents)
                .doing("creating the commit")?;
            let short = short_oid(repo, oid);
            let refused = |why: String| {
                PortError::new(
                    ErrorKind::Conflict,
                    format!("{target} could not be pushed to {}: {why}", self.remote),
                )
            };
            match self.push(repo, &format!("{oid}:{target}"))? {
                Pushed::Accepted => {
                    repo.reference(&self.side_tracking_ref(name), oid, true, "shiftdeck: push")
                        .doing("recording the push")?;
                    calls.push(format!("git commit {short} on {target}"));
                    calls.push(format!("git push {} {short}:{target}", self.remote));
                    return Ok(Updated {
                        value,
                        commit: Some(oid),
                        calls,
                    });
                }
                // Someone else's push landed between our fetch and our push: the ref moved.
                // A refusal that is not a race (a hook, a protected ref) leaves it where it was.
                Pushed::Moved(_) | Pushed::Refused(_)
                    if attempt < ATTEMPTS && self.moved_since(repo, name, tip) =>
                {
                    std::thread::sleep(Duration::from_millis(20 * u64::from(attempt)));
                }
                Pushed::Moved(why) | Pushed::Refused(why) => return Err(refused(why)),
            }
        }
        Err(PortError::new(
            ErrorKind::Conflict,
            format!(
                "{target} on {} kept moving: {ATTEMPTS} pushes in a row lost the race to other writers",
                self.remote
            ),
        )
        .with_hint("try again in a moment"))
    }
}
