//! Fetching the deploy branch and the proposal branches.

use git2::{AutotagOption, FetchOptions, FetchPrune, Repository};

use super::credentials::callbacks;
use super::error::Context;
use super::fork::GitFork;
use crate::ports::PortResult;

impl GitFork {
    /// Fetches the deploy branch and every proposal branch, pruning proposals deleted upstream;
    /// git records the time of one that succeeded in FETCH_HEAD.
    pub(super) fn fetch(&self, repo: &Repository) -> PortResult<String> {
        let (remote_name, branch) = (&self.remote, &self.branch);
        let refspecs = [
            format!("+refs/heads/{branch}:refs/remotes/{remote_name}/{branch}"),
            format!(
                "+refs/heads/{prefix}*:refs/remotes/{remote_name}/{prefix}*",
                prefix = crate::ports::PROPOSAL_PREFIX
            ),
        ];
        let call = format!("git fetch --prune {remote_name}");
        if self.use_git_cli {
            self.git_cli_checked(
                &format!("fetching from {remote_name}"),
                &[
                    "fetch",
                    "--prune",
                    "--no-tags",
                    "--progress",
                    remote_name,
                    &refspecs[0],
                    &refspecs[1],
                ],
            )?;
            return Ok(call);
        }
        let mut remote = repo
            .find_remote(remote_name)
            .doing(&format!("finding the remote {remote_name}"))?;
        let transfer = self.network.start(remote_name);
        let url = remote.url().ok().map(str::to_string);
        let mut cbs = callbacks(
            repo.config().ok(),
            url.as_deref(),
            &transfer,
            self.ask_passphrase,
        );
        cbs.sideband_progress(|_| transfer.alive());
        let mut options = FetchOptions::new();
        options
            .remote_callbacks(cbs)
            .prune(FetchPrune::On)
            .download_tags(AutotagOption::None);
        remote
            .fetch(&refspecs, Some(&mut options), Some("shiftdeck: fetch"))
            .map_err(|e| transfer.fail(&format!("fetching from {remote_name}"), e))?;
        Ok(call)
    }
}
