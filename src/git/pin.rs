//! Pinning a version: rewrite the pin at the deploy branch tip, commit, and push.

use git2::{Oid, Repository};

use super::commit::{commit_file, locate_in, repo_path, short_oid, signature};
use super::error::Context;
use super::fork::{GitFork, message_for};
use crate::domain::pin;
use crate::ports::{ErrorKind, PinChange, PinCommit, PortError, PortResult};

impl GitFork {
    pub(super) fn pin_change(
        &self,
        repo: &Repository,
        change: &PinChange,
    ) -> PortResult<PinCommit> {
        let env = &change.env;
        let identity = self.identity_in(repo)?;
        let fetched = self.fetch_before_writing(repo)?;
        let tip = self.check_ready(repo, !change.as_proposal)?;
        let (found, content) = locate_in(repo, &tip, &env.pin)?;
        let file = env.pin.file.display();
        if let Some(from) = change
            .from
            .as_ref()
            .filter(|from| found.literal != from.as_str())
        {
            return Err(PortError::new(
                ErrorKind::Conflict,
                format!(
                    "{} now pins {} to {:?} (at {file}:{}), not {from}: someone changed it meanwhile",
                    self.branch, env.name, found.literal, found.line
                ),
            )
            .with_hint("refresh to see the current pin, then decide again"));
        }
        if found.literal == change.to.as_str() {
            return Err(PortError::new(
                ErrorKind::Refused,
                format!(
                    "{} already pins {} to {}; there is nothing to commit",
                    self.branch, env.name, change.to
                ),
            ));
        }
        // Found above at this very tip: replace it rather than search again.
        let rewritten = pin::replace(&content, &found, &change.to);
        if change.as_proposal {
            self.check_proposal_unchanged(repo, &env.name, change.replaces_proposal.as_deref())?;
        }
        let message = message_for(change, &identity);
        let sig = signature(&identity)?;
        let oid = commit_file(repo, &tip, &env.pin.file, &rewritten, &sig, &sig, &message)?;

        if change.as_proposal {
            return self.push_proposal(repo, &env.name, oid, tip.id(), message, fetched);
        }

        let paths = [repo_path(&env.pin.file)?];
        let calls = self.land(repo, tip.id(), oid, &paths, "shiftdeck: pin", fetched)?;
        Ok(self.on_deploy_branch(oid, message, calls))
    }

    /// Moves the deploy branch from `tip` to the new commit `oid` and pushes it; returns the git
    /// calls made, starting with the fetch that came before.
    pub(super) fn land(
        &self,
        repo: &Repository,
        tip: Oid,
        oid: Oid,
        paths: &[String],
        reflog: &str,
        fetched: String,
    ) -> PortResult<Vec<String>> {
        self.advance(repo, tip, oid, paths, reflog)?;
        let short = short_oid(repo, oid);
        Ok(vec![
            fetched,
            format!("git commit {short} on {}", self.branch),
            self.publish(repo, oid, &short)?,
        ])
    }

    /// A proposal is force-pushed over the pending one, so it may only replace the one the person
    /// saw: one pushed or approved since then is a conflict, and nothing is written.
    fn check_proposal_unchanged(
        &self,
        repo: &Repository,
        env: &str,
        seen: Option<&str>,
    ) -> PortResult<()> {
        let now = repo.refname_to_id(&self.proposal_tracking_ref(env)).ok();
        if now.map(|oid| oid.to_string()).as_deref() == seen {
            return Ok(());
        }
        let message = match now {
            Some(oid) => format!(
                "a proposal for {env} was pushed meanwhile ({}); shiftdeck does not overwrite a proposal you have not seen",
                short_oid(repo, oid)
            ),
            None => format!(
                "the proposal for {env} you meant to replace is gone: it was approved or withdrawn meanwhile"
            ),
        };
        Err(PortError::new(ErrorKind::Conflict, message)
            .with_hint("refresh to see the proposal as it is now, then decide again"))
    }

    /// What a commit that landed on the deploy branch reports.
    pub(super) fn on_deploy_branch(
        &self,
        oid: Oid,
        message: String,
        calls: Vec<String>,
    ) -> PinCommit {
        PinCommit {
            commit: oid.to_string(),
            branch: self.branch.clone(),
            remote: self.remote.clone(),
            message,
            calls,
        }
    }

    /// Force-pushes the proposal commit to the environment's proposal branch, superseding any
    /// older proposal; the deploy branch is left alone.
    fn push_proposal(
        &self,
        repo: &Repository,
        env: &str,
        oid: Oid,
        parent: Oid,
        message: String,
        fetched: String,
    ) -> PortResult<PinCommit> {
        let branch = self.proposal_branch(env);
        self.push(repo, &format!("+{oid}:refs/heads/{branch}"))
            .map_err(|e| PortError {
                message: format!(
                    "the proposal could not be pushed, so nothing was changed: {}",
                    e.message
                ),
                ..e
            })?;
        repo.reference(
            &self.proposal_tracking_ref(env),
            oid,
            true,
            "shiftdeck: proposal pushed",
        )
        .doing("recording the pushed proposal")?;
        let short = short_oid(repo, oid);
        let calls = vec![
            fetched,
            format!("git commit {short} (parent {})", short_oid(repo, parent)),
            format!(
                "git push --force {} {short}:refs/heads/{branch}",
                self.remote
            ),
        ];
        Ok(PinCommit {
            commit: oid.to_string(),
            branch,
            remote: self.remote.clone(),
            message,
            calls,
        })
    }

    /// Fetches so the checks see the remote as it is; without it nothing is written.
    pub(super) fn fetch_before_writing(&self, repo: &Repository) -> PortResult<String> {
        self.fetch(repo).map_err(|e| PortError {
            message: format!(
                "{}; without a fresh view of {} shiftdeck changes nothing",
                e.message, self.remote
            ),
            ..e
        })
    }

    /// Pushes the deploy branch (fast-forward only). When the push fails the commit stays local
    /// and the error says how to finish.
    pub(super) fn publish(&self, repo: &Repository, oid: Oid, short: &str) -> PortResult<String> {
        let (remote, branch) = (&self.remote, &self.branch);
        if let Err(e) = self.push(repo, &format!("refs/heads/{branch}:refs/heads/{branch}")) {
            let cause = e.hint.map(|h| format!(" ({h})")).unwrap_or_default();
            return Err(PortError::new(
                e.kind,
                format!(
                    "committed {short} on {branch}, but the push to {remote} failed: {}. The commit is kept: {branch} is 1 commit ahead of {remote}/{branch} and nothing was deployed",
                    e.message
                ),
            )
            .with_hint(format!("run `git push {remote} {branch}` to finish{cause}")));
        }
        repo.reference(&self.tracking_ref(), oid, true, "shiftdeck: push")
            .doing("recording the push")?;
        Ok(format!("git push {remote} {branch}"))
    }
}
