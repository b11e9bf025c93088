//! Pinning a version: rewrite the pin at the deploy branch tip, commit, and push.

use git2::{Commit, Oid, Repository};

use super::commit::{commit_file, locate_in, short_id, short_oid, signature};
use super::error::Context;
use super::fork::{GitFork, message_for};
use super::push::Pushed;
use crate::domain::pin::{self, PinMatch};
use crate::ports::{ErrorKind, PinChange, PinCommit, PortError, PortResult};

impl GitFork {
    pub(super) fn pin_change(
        &self,
        repo: &Repository,
        change: &PinChange,
    ) -> PortResult<PinCommit> {
        let env = &change.env;
        let identity = self.identity_in(repo)?;
        self.check_repository_state(repo)?;
        let message = message_for(change, &identity);
        let sig = signature(&identity)?;
        if change.as_proposal {
            let fetched = self.fetch_before_writing(repo)?;
            let tip = self.check_ready(repo)?;
            let (found, content) = self.check_pin_applies(repo, &tip, change)?;
            // Found above at this very tip: replace it rather than search again.
            let rewritten = pin::replace(&content, &found, &change.to);
            self.check_proposal_unchanged(repo, &env.name, change.replaces_proposal.as_deref())?;
            let oid = commit_file(repo, &tip, &env.pin.file, &rewritten, &sig, &sig, &message)?;
            return self.push_proposal(repo, &env.name, oid, tip.id(), message, fetched);
        }
        self.land(repo, &env.name, "shiftdeck: pin", |tip| {
            let (found, content) = self.check_pin_applies(repo, tip, change)?;
            let rewritten = pin::replace(&content, &found, &change.to);
            let oid = commit_file(repo, tip, &env.pin.file, &rewritten, &sig, &sig, &message)?;
            Ok((oid, message.clone()))
        })
    }

    /// Finds the pin at `tip` and refuses when it no longer holds what the person saw, naming
    /// who changed it to what, or already holds the new version.
    fn check_pin_applies(
        &self,
        repo: &Repository,
        tip: &Commit<'_>,
        change: &PinChange,
    ) -> PortResult<(PinMatch, Vec<u8>)> {
        let env = &change.env;
        let (found, content) = locate_in(repo, tip, &env.pin)?;
        let file = env.pin.file.display();
        if let Some(from) = change
            .from
            .as_ref()
            .filter(|from| found.literal != from.as_str())
        {
            let by = super::status::pin_set_by(repo, tip, &env.pin, &found.literal)
                .map(|c| {
                    format!(
                        ": {} set it in {} ({})",
                        super::proposal::author_of(&c),
                        short_id(&c),
                        c.summary().ok().flatten().unwrap_or_default()
                    )
                })
                .unwrap_or_default();
            return Err(PortError::new(
                ErrorKind::Conflict,
                format!(
                    "{}/{} now pins {} to {:?} (at {file}:{}), not {from}: someone changed it meanwhile{by}",
                    self.remote, self.branch, env.name, found.literal, found.line
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
        Ok((found, content))
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
        let refused = |words: String| {
            PortError::new(
                ErrorKind::Refused,
                format!(
                    "push refused by {}: {words}; the proposal was not made",
                    self.remote
                ),
            )
        };
        match self.push(repo, &format!("+{oid}:refs/heads/{branch}")) {
            Ok(Pushed::Accepted) => {}
            Ok(Pushed::Moved(words) | Pushed::Refused(words)) => return Err(refused(words)),
            Err(e) => {
                return Err(PortError {
                    message: format!(
                        "the proposal could not be pushed, so nothing was changed: {}",
                        e.message
                    ),
                    ..e
                });
            }
        }
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
}
