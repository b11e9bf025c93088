//! Fetching the deploy branch and the proposal branches.

use git2::{AutotagOption, FetchOptions, FetchPrune, Repository};

use super::credentials::callbacks;
use super::error::Context;
use super::fork::GitFork;
use crate::ports::PortResult;

impl GitFork {
    /// Fetches the deploy branch, every proposal branch and the freezes, pruning proposals
    /// deleted upstream; git records the time of one that succeeded in FETCH_HEAD. The
    /// freezes come with the branches so that a status costs one round trip to the remote
    /// (each is a new connection over ssh), and no pin is planned on branches fetched after
    /// the freezes they must respect.
    pub(super) fn fetch(&self, repo: &Repository) -> PortResult<String> {
        let (remote_name, branch) = (&self.remote, &self.branch);
        let refspecs = [
            format!("+refs/heads/{branch}:refs/remotes/{remote_name}/{branch}"),
            format!(
                "+refs/heads/{prefix}*:refs/remotes/{remote_name}/{prefix}*",
                prefix = crate::ports::PROPOSAL_PREFIX
            ),
            self.side_refspec(super::freeze::FREEZE_REF),
        ];
        self.fetch_refspecs(repo, &refspecs, true)?;
        Ok(format!("git fetch --prune {remote_name}"))
    }

    /// Fetches `refspecs` from the remote within the network limits, with the git command line
    /// where so configured; `prune` drops tracking refs whose source is gone.
    pub(super) fn fetch_refspecs(
        &self,
        repo: &Repository,
        refspecs: &[String],
        prune: bool,
    ) -> PortResult<()> {
        let remote_name = &self.remote;
        let what = format!("fetching from {remote_name}");
        if self.use_git_cli {
            let mut args = vec!["fetch"];
            if prune {
                args.push("--prune");
            }
            args.extend(["--no-tags", "--progress", remote_name]);
            args.extend(refspecs.iter().map(String::as_str));
            self.git_cli_checked(&what, &args)?;
            return Ok(());
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
            .prune(if prune {
                FetchPrune::On
            } else {
                FetchPrune::Off
            })
            .download_tags(AutotagOption::None);
        remote
            .fetch(refspecs, Some(&mut options), Some("shiftdeck: fetch"))
            .map_err(|e| transfer.fail(&what, e))
    }
}
