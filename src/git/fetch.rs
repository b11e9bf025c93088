//! Fetching the deploy branch and the proposal branches.

use git2::{AutotagOption, FetchOptions, FetchPrune, Repository};

use super::credentials::callbacks;
use super::error::Context;
use super::fork::GitFork;
use crate::ports::PortResult;

impl GitFork {
    /// Fetches the deploy branch and every proposal branch, pruning proposals deleted upstream.
    pub(super) fn fetch(&self, repo: &Repository) -> PortResult<String> {
        let (remote_name, branch) = (&self.remote, &self.branch);
        let refspecs = [
            format!("+refs/heads/{branch}:refs/remotes/{remote_name}/{branch}"),
            format!(
                "+refs/heads/{prefix}*:refs/remotes/{remote_name}/{prefix}*",
                prefix = crate::ports::PROPOSAL_PREFIX
            ),
        ];
        let mut remote = repo
            .find_remote(remote_name)
            .doing(&format!("finding the remote {remote_name}"))?;
        let mut options = FetchOptions::new();
        options
            .remote_callbacks(callbacks(repo.config().ok()))
            .prune(FetchPrune::On)
            .download_tags(AutotagOption::None);
        remote
            .fetch(&refspecs, Some(&mut options), Some("shiftdeck: fetch"))
            .doing(&format!("fetching from {remote_name}"))?;
        Ok(format!("git fetch --prune {remote_name}"))
    }
}
