//! The checks that refuse a pin or an approval before anything is written.

use git2::{Commit, Oid, Repository, StatusOptions};

use super::error::Context;
use super::fork::GitFork;
use crate::ports::{ErrorKind, PortError, PortResult};

impl GitFork {
    /// Whether tracked files differ from HEAD in the work tree or the index.
    pub(super) fn is_dirty(&self, repo: &Repository) -> PortResult<bool> {
        if repo.is_bare() {
            return Ok(false);
        }
        let mut options = StatusOptions::new();
        options
            .include_untracked(false)
            .include_ignored(false)
            .exclude_submodules(true);
        let statuses = repo
            .statuses(Some(&mut options))
            .doing("reading the work tree status")?;
        Ok(!statuses.is_empty())
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

    /// Refuses when the work tree would have to change but holds uncommitted changes, or when
    /// the local deploy branch is not exactly the remote one. Returns the deploy branch tip.
    pub(super) fn check_ready<'r>(
        &self,
        repo: &'r Repository,
        touches_work_tree: bool,
    ) -> PortResult<Commit<'r>> {
        let (branch, remote) = (&self.branch, &self.remote);
        if touches_work_tree && self.is_checked_out(repo) && self.is_dirty(repo)? {
            return Err(PortError::new(
                ErrorKind::Conflict,
                format!("{branch} is checked out and the work tree has uncommitted changes; shiftdeck will not commit over them"),
            )
            .with_hint("commit them, or set them aside with `git stash`, then try again"));
        }
        let local = self.local_tip(repo)?;
        let remote_tip = self.remote_tip(repo)?;
        let (ahead, behind) = repo
            .graph_ahead_behind(local.id(), remote_tip)
            .doing("comparing the local and remote branches")?;
        let refuse = |message: String, hint: String| {
            Err(PortError::new(ErrorKind::Conflict, message).with_hint(hint))
        };
        match (ahead, behind) {
            (0, 0) => Ok(local),
            (0, behind) => refuse(
                format!("{branch} is {behind} commit(s) behind {remote}/{branch}"),
                format!("update it with `git pull --ff-only {remote} {branch}`, then try again"),
            ),
            (ahead, 0) => refuse(
                format!(
                    "{branch} has {ahead} commit(s) that are not on {remote} yet; shiftdeck pushes only its own commit"
                ),
                format!("push them first with `git push {remote} {branch}`, or drop them"),
            ),
            (ahead, behind) => refuse(
                format!(
                    "{branch} has diverged from {remote}/{branch} ({ahead} ahead, {behind} behind)"
                ),
                format!(
                    "reconcile them (e.g. `git pull --rebase {remote} {branch}`, then `git push`), then try again"
                ),
            ),
        }
    }
}
