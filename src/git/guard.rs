//! The checks that refuse a pin or an approval before anything is written.

use git2::{Commit, Oid, Repository, RepositoryState, Status, StatusOptions};
use std::path::PathBuf;

use super::error::Context;
use super::fork::GitFork;
use crate::ports::{ErrorKind, PortError, PortResult};

fn conflict(message: String, hint: impl Into<String>) -> PortError {
    PortError::new(ErrorKind::Conflict, message).with_hint(hint)
}

impl GitFork {
    /// Tracked files that differ from HEAD in the work tree or the index, by path.
    pub(super) fn modified_files(&self, repo: &Repository) -> PortResult<Vec<String>> {
        if repo.is_bare() {
            return Ok(Vec::new());
        }
        let mut options = StatusOptions::new();
        options
            .include_untracked(false)
            .include_ignored(false)
            .exclude_submodules(true)
            .renames_head_to_index(false);
        let statuses = repo
            .statuses(Some(&mut options))
            .doing("reading the work tree status")?;
        Ok(statuses
            .iter()
            .filter(|s| s.status() != Status::CURRENT)
            .filter_map(|s| s.path().ok().map(str::to_string))
            .collect())
    }

    /// Refuses, before anything is written, when the repository is in a state where moving the
    /// deploy branch would break what the person is doing: an operation in progress, a detached
    /// HEAD, or the deploy branch checked out in another work tree.
    pub(super) fn check_repository_state(&self, repo: &Repository) -> PortResult<()> {
        if let Some((operation, finish)) = in_progress(repo.state()) {
            return Err(conflict(
                format!(
                    "a {operation} is in progress in {}; shiftdeck changes nothing until it is finished",
                    self.path.display()
                ),
                format!("finish it ({finish}), then try again"),
            ));
        }
        if !repo.is_bare() && repo.head_detached().unwrap_or(false) {
            let at = repo
                .head()
                .ok()
                .and_then(|h| h.target())
                .map(|oid| super::commit::short_oid(repo, oid))
                .unwrap_or_default();
            return Err(conflict(
                format!(
                    "HEAD is detached (at {at}), not on {}; shiftdeck would move {} behind your back",
                    self.branch, self.branch
                ),
                format!(
                    "check out the deploy branch with `git switch {}` (or any branch), then try again",
                    self.branch
                ),
            ));
        }
        if let Some(elsewhere) = self.checked_out_elsewhere(repo) {
            return Err(conflict(
                format!(
                    "{} is checked out in another work tree, {}; moving it from here would leave that work tree's index holding the reverse of the pin",
                    self.branch,
                    elsewhere.display()
                ),
                format!(
                    "run shiftdeck in {} (set [fork] path), or switch that work tree to another branch, then try again",
                    elsewhere.display()
                ),
            ));
        }
        Ok(())
    }

    /// The work tree, other than this one, that has the deploy branch checked out.
    fn checked_out_elsewhere(&self, repo: &Repository) -> Option<PathBuf> {
        let here = repo.path().canonicalize().ok();
        let main = Repository::open(repo.commondir()).ok()?;
        let mut trees = vec![main.path().to_path_buf()];
        if let Ok(names) = main.worktrees() {
            for name in names.iter().flatten().flatten() {
                if let Ok(worktree) = main.find_worktree(name)
                    && worktree.validate().is_ok()
                    && let Ok(linked) = Repository::open_from_worktree(&worktree)
                {
                    trees.push(linked.path().to_path_buf());
                }
            }
        }
        trees
            .into_iter()
            .filter(|git_dir| git_dir.canonicalize().ok() != here)
            .filter_map(|git_dir| Repository::open(&git_dir).ok())
            .find(|other| !other.is_bare() && self.is_checked_out(other))
            .and_then(|other| other.workdir().map(|p| p.to_path_buf()))
    }

    /// Refuses when the deploy branch is checked out and one of `paths`, which the write brings
    /// up to date in the work tree, holds uncommitted changes; other modified files are left as
    /// they are.
    pub(super) fn check_paths_clean(&self, repo: &Repository, paths: &[String]) -> PortResult<()> {
        if paths.is_empty() || !self.is_checked_out(repo) {
            return Ok(());
        }
        let modified: Vec<String> = self
            .modified_files(repo)?
            .into_iter()
            .filter(|f| paths.contains(f))
            .collect();
        if modified.is_empty() {
            return Ok(());
        }
        Err(conflict(
            format!(
                "{} is checked out and {} has uncommitted changes; shiftdeck will not commit over them",
                self.branch,
                modified.join(", ")
            ),
            format!(
                "commit them, or set them aside with `git stash push -- {}`, then try again",
                modified.join(" ")
            ),
        ))
    }

    pub(super) fn local_tip<'r>(&self, repo: &'r Repository) -> PortResult<Commit<'r>> {
        repo.find_reference(&self.local_ref())
            .and_then(|r| r.peel_to_commit())
            .map_err(|_| {
                PortError::new(
                    ErrorKind::NotFound,
                    format!("the fork has no local branch {}", self.branch),
                )
                .with_hint(format!(
                    "create it from the remote with `git branch {b} {r}/{b}`, or set [fork] branch in the config",
                    b = self.branch,
                    r = self.remote
                ))
            })
    }

    pub(super) fn remote_tip(&self, repo: &Repository) -> PortResult<Oid> {
        repo.refname_to_id(&self.tracking_ref()).map_err(|_| {
            PortError::new(
                ErrorKind::NotFound,
                format!("{} has no branch {}", self.remote, self.branch),
            )
            .with_hint(format!(
                "publish it with `git push -u {} {}`",
                self.remote, self.branch
            ))
        })
    }

    /// Refuses when the local deploy branch has commits the remote lacks. Returns the local tip
    /// when it equals the remote's, and the remote's tip when the local branch is only behind
    /// (it is then fast-forwarded with the pin commit).
    pub(super) fn check_ready<'r>(&self, repo: &'r Repository) -> PortResult<Commit<'r>> {
        let (branch, remote) = (&self.branch, &self.remote);
        let local = self.local_tip(repo)?;
        let remote_tip = self.remote_tip(repo)?;
        let (ahead, behind) = repo
            .graph_ahead_behind(local.id(), remote_tip)
            .doing("comparing the local and remote branches")?;
        match (ahead, behind) {
            (0, 0) => Ok(local),
            (0, _) => repo
                .find_commit(remote_tip)
                .doing("reading the remote's deploy branch"),
            (ahead, 0) => Err(conflict(
                format!(
                    "{branch} has {ahead} commit(s) that are not on {remote} yet; shiftdeck pushes only its own commit"
                ),
                format!("push them first with `git push {remote} {branch}`, or drop them"),
            )),
            (ahead, behind) => Err(conflict(
                format!(
                    "{branch} has diverged from {remote}/{branch} ({ahead} ahead, {behind} behind)"
                ),
                format!(
                    "reconcile them (e.g. `git pull --rebase {remote} {branch}`, then `git push`), then try again"
                ),
            )),
        }
    }
}

/// The operation in progress, and how to finish or leave it.
fn in_progress(state: RepositoryState) -> Option<(&'static str, &'static str)> {
    use RepositoryState::*;
    match state {
        Clean => None,
        Merge => Some(("merge", "`git merge --continue` or `git merge --abort`")),
        Revert | RevertSequence => {
            Some(("revert", "`git revert --continue` or `git revert --abort`"))
        }
        CherryPick | CherryPickSequence => Some((
            "cherry-pick",
            "`git cherry-pick --continue` or `git cherry-pick --abort`",
        )),
        Bisect => Some(("bisect", "`git bisect reset`")),
        Rebase | RebaseInteractive | RebaseMerge => {
            Some(("rebase", "`git rebase --continue` or `git rebase --abort`"))
        }
        ApplyMailbox | ApplyMailboxOrRebase => {
            Some(("git am", "`git am --continue` or `git am --abort`"))
        }
    }
}
