//! `GitFork`: the customer's fork as a local clone with a remote and a deploy branch.

use git2::Repository;
use std::path::{Path, PathBuf};

use super::error::{Context, git_error};
use super::land::REFUSED_PREFIX;
use super::network::{Network, NetworkLimits};
use crate::domain::commit_message::pin_commit_message;
use crate::environment::Environment;
use crate::ports::{
    ErrorKind, Fork, ForkStatus, Identity, PROPOSAL_PREFIX, PinChange, PinCommit, PortError,
    PortResult,
};

/// The fork at `path`, pushing to `remote`, deploying from `branch`. The repository is opened
/// afresh for every call, so the adapter is `Sync` and always sees the current state.
#[derive(Clone, Debug)]
pub struct GitFork {
    pub(super) path: PathBuf,
    pub(super) remote: String,
    pub(super) branch: String,
    identity: Option<Identity>,
    pub(super) network: Network,
    /// Fetch and push with the `git` command line instead of libgit2.
    pub(super) use_git_cli: bool,
    /// Whether a key file's passphrase may be asked for on the terminal.
    pub(super) ask_passphrase: bool,
    /// When each pin got its value, by (deploy branch tip, environment): found by walking the
    /// history, so walked once per tip rather than on every refresh.
    pub(super) pinned_at: PinTimes,
    pub(super) history: super::history::HistoryCache,
}

pub(super) type PinTimes = std::sync::Arc<
    std::sync::Mutex<
        std::collections::HashMap<(git2::Oid, String), Option<crate::domain::time::Timestamp>>,
    >,
>;

impl GitFork {
    /// Opens the clone at `path`; fails when it is not a git repository or lacks `remote`.
    pub fn open(path: &Path, remote: &str, branch: &str) -> PortResult<GitFork> {
        let fork = GitFork {
            path: path.to_path_buf(),
            remote: remote.to_string(),
            branch: branch.to_string(),
            identity: None,
            network: Network::default(),
            use_git_cli: false,
            ask_passphrase: false,
            pinned_at: PinTimes::default(),
            history: Default::default(),
        };
        let repo = fork.repo()?;
        if repo.find_remote(remote).is_err() {
            let known = repo
                .remotes()
                .map(|r| r.iter().flatten().flatten().collect::<Vec<_>>().join(", "))
                .unwrap_or_default();
            return Err(PortError::new(
                ErrorKind::NotFound,
                format!(
                    "the fork at {} has no remote {remote:?} (it has: {})",
                    path.display(),
                    if known.is_empty() { "none" } else { &known }
                ),
            )
            .with_hint(format!(
                "add it with `git remote add {remote} <url of your fork>`, or set [fork] remote in the config"
            )));
        }
        Ok(fork)
    }

    /// Acts as `identity` instead of the repository's `user.name` and `user.email`.
    pub fn with_identity(mut self, identity: Identity) -> Self {
        self.identity = Some(identity);
        self
    }

    /// Ends fetches and pushes that exceed `limits`.
    pub fn with_network_limits(mut self, limits: NetworkLimits) -> Self {
        self.network = Network::new(limits);
        self
    }

    /// Fetches and pushes with the `git` command line (`true`) instead of libgit2, for what
    /// libssh2 lacks: `~/.ssh/config` ProxyJump, certificates, security keys.
    pub fn with_git_cli(mut self, use_git_cli: bool) -> Self {
        self.use_git_cli = use_git_cli;
        self
    }

    /// Allows asking for the passphrase of an encrypted key file in `~/.ssh` (`true`), when
    /// stdin and stderr are a terminal that no full-screen interface holds in raw mode. Off
    /// by default: without it such keys are skipped, and the error says to load them into the
    /// ssh agent.
    pub fn with_passphrase_prompt(mut self, ask: bool) -> Self {
        self.ask_passphrase = ask;
        self
    }

    pub(super) fn repo(&self) -> PortResult<Repository> {
        Repository::open(&self.path).map_err(|e| {
            PortError::new(
                ErrorKind::NotFound,
                format!("{} is not a git repository: {}", self.path.display(), e.message()),
            )
            .with_hint("set [fork] path in the config to your clone of the fork, or clone it with `git clone <url>`")
        })
    }

    pub(super) fn local_ref(&self) -> String {
        format!("refs/heads/{}", self.branch)
    }

    pub(super) fn tracking_ref(&self) -> String {
        format!("refs/remotes/{}/{}", self.remote, self.branch)
    }

    pub(super) fn proposal_branch(&self, env: &str) -> String {
        format!("{PROPOSAL_PREFIX}{env}")
    }

    pub(super) fn proposal_tracking_ref(&self, env: &str) -> String {
        format!("refs/remotes/{}/{PROPOSAL_PREFIX}{env}", self.remote)
    }

    pub(super) fn identity_in(&self, repo: &Repository) -> PortResult<Identity> {
        if let Some(identity) = &self.identity {
            return Ok(identity.clone());
        }
        let config = repo
            .config()
            .map_err(|e| git_error("reading the git configuration", e))?;
        let read = |key: &str, example: &str| {
            config
                .get_string(key)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .ok_or_else(|| {
                    PortError::new(
                        ErrorKind::Credentials,
                        format!("git does not know who you are: {key} is not set"),
                    )
                    .with_hint(format!("run `git config --global {key} \"{example}\"`"))
                })
        };
        Ok(Identity {
            name: read("user.name", "Your Name")?,
            email: read("user.email", "you@example.com")?,
        })
    }
}

impl Fork for GitFork {
    fn identity(&self) -> PortResult<Identity> {
        self.identity_in(&self.repo()?)
    }

    fn status(&self, envs: &[Environment]) -> PortResult<ForkStatus> {
        let repo = self.repo()?;
        let mut status = self.read_status(&repo, envs)?;
        // Freezes live on a ref of their own beside the branches, fetched with them so that no
        // pin is planned past one. When the remote did not answer, they are those of the last
        // fetch, and say so.
        status.freezes = self
            .freezes_as_fetched(&repo, status.fetch_error.clone())
            .map_err(|e| e.full());
        Ok(status)
    }

    fn commit_message(&self, change: &PinChange) -> PortResult<String> {
        let identity = self.identity()?;
        Ok(message_for(change, &identity))
    }

    fn pin(&self, change: &PinChange) -> PortResult<PinCommit> {
        self.pin_change(&self.repo()?, change)
    }

    fn approve(&self, env: &Environment, approver: &Identity) -> PortResult<PinCommit> {
        self.approve_proposal(&self.repo()?, env, approver)
    }

    fn reject(&self, env: &Environment, commit: &str, reason: &str) -> PortResult<PinCommit> {
        self.reject_proposal(&self.repo()?, env, commit, reason)
    }

    fn cancel(&self) {
        self.network.cancel();
    }

    fn discard_refused(&self, reference: &str) -> PortResult<()> {
        if !reference.starts_with(REFUSED_PREFIX) {
            return Err(PortError::new(
                ErrorKind::Invalid,
                format!("{reference} is not a refused push ({REFUSED_PREFIX}…)"),
            ));
        }
        let repo = self.repo()?;
        repo.find_reference(reference)
            .and_then(|mut r| r.delete())
            .doing(&format!("deleting {reference}"))
    }
}

pub(super) fn message_for(change: &PinChange, identity: &Identity) -> String {
    pin_commit_message(
        &change.env.name,
        change.from.as_ref(),
        &change.to,
        change.action,
        change.as_proposal,
        change.reason.as_deref(),
        &identity.to_string(),
    )
}
