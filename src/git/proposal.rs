//! Proposals: pin changes waiting on a branch of their own until someone else approves them.

use git2::{Commit, Repository};

use super::commit::{commit_file, create_commit, locate_in, short_id, signature};
use super::error::Context;
use super::fork::GitFork;
use crate::domain::commit_message::with_approval;
use crate::domain::version::Version;
use crate::environment::Environment;
use crate::ports::{ErrorKind, Identity, PinCommit, PortError, PortResult, Proposal};

pub(super) fn author_of(commit: &Commit<'_>) -> Identity {
    let author = commit.author();
    Identity {
        name: String::from_utf8_lossy(author.name_bytes()).into_owned(),
        email: String::from_utf8_lossy(author.email_bytes()).into_owned(),
    }
}

/// One person under two spellings of their email is still one person.
fn same_person(a: &Identity, b: &Identity) -> bool {
    a.email.trim().eq_ignore_ascii_case(b.email.trim())
}

impl GitFork {
    /// The proposals on the remote (as last fetched) for the given environments.
    pub(super) fn proposals(&self, repo: &Repository, envs: &[Environment]) -> Vec<Proposal> {
        let deploy_tip = self.remote_tip(repo).ok();
        envs.iter()
            .filter_map(|env| {
                let reference = repo
                    .find_reference(&self.proposal_tracking_ref(&env.name))
                    .ok()?;
                let commit = reference.peel_to_commit().ok()?;
                let version = match locate_in(repo, &commit, &env.pin).and_then(|(m, _)| {
                    Version::parse(&m.literal)
                        .map_err(|e| PortError::new(ErrorKind::Invalid, e.to_string()))
                }) {
                    Ok(version) => version,
                    Err(e) => {
                        tracing::warn!(env = %env.name, "unreadable proposal: {}", e.message);
                        return None;
                    }
                };
                Some(Proposal {
                    env: env.name.clone(),
                    branch: self.proposal_branch(&env.name),
                    version,
                    proposer: author_of(&commit),
                    commit: commit.id().to_string(),
                    current: commit.parent_id(0).ok() == deploy_tip,
                })
            })
            .collect()
    }

    pub(super) fn approve_proposal(
        &self,
        repo: &Repository,
        env: &Environment,
        approver: &Identity,
    ) -> PortResult<PinCommit> {
        self.check_repository_state(repo)?;
        if env.require_signed_approval {
            self.check_signed_approval(repo, env)?;
        }
        let branch = self.proposal_branch(&env.name);
        let tracking = self.proposal_tracking_ref(&env.name);
        let committer = signature(approver)?;
        let mut done = self.land(repo, &env.name, "shiftdeck: approve", |tip| {
            // Read after each fetch: the proposal may have been replaced or withdrawn.
            let proposal = repo
                .find_reference(&tracking)
                .and_then(|r| r.peel_to_commit())
                .map_err(|_| {
                    PortError::new(
                        ErrorKind::NotFound,
                        format!(
                            "{} has no proposal for {} (no branch {branch})",
                            self.remote, env.name
                        ),
                    )
                    .with_hint(format!("promote a version to {} to propose one", env.name))
                })?;
            if same_person(&author_of(&proposal), approver) {
                return Err(PortError::new(
                    ErrorKind::Refused,
                    format!(
                        "{approver} proposed this pin of {} and cannot also approve it: separation of duties needs a second person",
                        env.name
                    ),
                )
                .with_hint("ask another release manager to approve it"));
            }
            let tree = self.approved_tree(repo, env, &proposal, tip)?;
            let message = with_approval(
                &String::from_utf8_lossy(proposal.message_bytes()),
                &approver.to_string(),
            );
            let oid = create_commit(repo, &proposal.author(), &committer, &message, &tree, &[tip])?;
            Ok((oid, message))
        })?;
        done.calls
            .push(self.delete_proposal(repo, &branch, &tracking));
        Ok(done)
    }

    /// Refuses, before anything is fetched or written, when `env` demands a signed approval and
    /// this clone's git config would make an unsigned commit.
    fn check_signed_approval(&self, repo: &Repository, env: &Environment) -> PortResult<()> {
        let config = repo.config().doing("reading the git configuration")?;
        // A signing setup that is there but broken (an unknown gpg.format, an ssh format
        // without a key) is refused here with its own words; one that fails only when the
        // signing program runs writes nothing either.
        if super::sign::Signing::from_config(&config)?.is_some() {
            return Ok(());
        }
        Err(PortError::new(
            ErrorKind::Refused,
            format!(
                "{} requires a signed approval (require_signed_approval), but the approval commit would not be signed: commit.gpgsign is not on in the git configuration of {}; nothing was approved",
                env.name,
                self.path.display()
            ),
        )
        .with_hint(
            "turn commit signing on for this clone, e.g. with an ssh key: `git config commit.gpgsign true`, `git config gpg.format ssh`, `git config user.signingkey ~/.ssh/id_ed25519.pub` (or gpg: `git config user.signingkey <key id>`), then approve again",
        ))
    }

    /// The proposal's tree when it was made on `tip`; else `tip`'s tree with the proposal's pin
    /// applied, when the pin at `tip` still holds the value the proposal started from (what
    /// landed since touched other things); else a refusal.
    fn approved_tree<'r>(
        &self,
        repo: &'r Repository,
        env: &Environment,
        proposal: &Commit<'r>,
        tip: &Commit<'r>,
    ) -> PortResult<git2::Tree<'r>> {
        if proposal.parent_id(0).ok() == Some(tip.id()) {
            return proposal.tree().doing("reading the proposal");
        }
        let stale = |why: String| {
            PortError::new(
                ErrorKind::Conflict,
                format!(
                    "the proposal for {} was made on an older {} (it is now at {}) and {why}",
                    env.name,
                    self.branch,
                    short_id(tip)
                ),
            )
            .with_hint(format!(
                "propose again: promote the version to {} once more",
                env.name
            ))
        };
        let base = proposal
            .parent(0)
            .map_err(|_| stale("has no parent to compare with".into()))?;
        let (was, _) = locate_in(repo, &base, &env.pin)?;
        let (proposed, _) = locate_in(repo, proposal, &env.pin)?;
        let (now, content) = locate_in(repo, tip, &env.pin)?;
        if now.literal != was.literal {
            let by = super::status::pin_set_by(repo, tip, &env.pin, &now.literal)
                .map(|c| format!(" by {} in {}", author_of(&c), short_id(&c)))
                .unwrap_or_default();
            return Err(stale(format!(
                "the pin there is now {:?}, not the {:?} it started from (changed{by}); approving it would undo that",
                now.literal, was.literal
            )));
        }
        let version = Version::parse(&proposed.literal)
            .map_err(|e| stale(format!("its pin is unreadable: {e}")))?;
        let rewritten = crate::domain::pin::replace(&content, &now, &version);
        let rebuilt = commit_file(
            repo,
            tip,
            &env.pin.file,
            &rewritten,
            &proposal.author(),
            &proposal.author(),
            "rebuilt proposal",
        )?;
        repo.find_commit(rebuilt)
            .and_then(|c| c.tree())
            .doing("reading the rebuilt proposal")
    }

    /// Turns down `env`'s proposal: deletes its branch on the remote, provided it is still the
    /// commit the person saw (a replaced proposal is not deleted unseen).
    pub(super) fn reject_proposal(
        &self,
        repo: &Repository,
        env: &Environment,
        seen: &str,
        reason: &str,
    ) -> PortResult<PinCommit> {
        let fetched = self.fetch(repo)?;
        let branch = self.proposal_branch(&env.name);
        let tracking = self.proposal_tracking_ref(&env.name);
        let now = repo
            .find_reference(&tracking)
            .and_then(|r| r.peel_to_commit())
            .map_err(|_| {
                PortError::new(
                    ErrorKind::NotFound,
                    format!(
                        "{} has no proposal for {} any more (no branch {branch})",
                        self.remote, env.name
                    ),
                )
                .with_hint("someone approved or withdrew it meanwhile; refresh to see")
            })?;
        if now.id().to_string() != seen {
            return Err(PortError::new(
                ErrorKind::Conflict,
                format!(
                    "the proposal for {} changed since it was read: it is now {} by {}",
                    env.name,
                    short_id(&now),
                    author_of(&now)
                ),
            )
            .with_hint("read it again before turning it down"));
        }
        let call = format!("git push {} --delete {branch}", self.remote);
        match self.push(repo, &format!(":refs/heads/{branch}"))? {
            super::push::Pushed::Accepted => {
                if let Ok(mut reference) = repo.find_reference(&tracking) {
                    let _ = reference.delete();
                }
                Ok(PinCommit {
                    commit: short_id(&now),
                    branch,
                    remote: self.remote.clone(),
                    message: reason.to_string(),
                    calls: vec![fetched, call],
                })
            }
            super::push::Pushed::Moved(why) | super::push::Pushed::Refused(why) => {
                Err(PortError::new(
                    ErrorKind::Conflict,
                    format!("{} refused to delete {branch}: {why}", self.remote),
                ))
            }
        }
    }

    /// Deletes the landed proposal's branch; the approval stands even when this fails, and the
    /// stale proposal then shows as such.
    fn delete_proposal(&self, repo: &Repository, branch: &str, tracking: &str) -> String {
        let call = format!("git push {} --delete {branch}", self.remote);
        match self.push(repo, &format!(":refs/heads/{branch}")) {
            Ok(super::push::Pushed::Accepted) => {
                if let Ok(mut reference) = repo.find_reference(tracking) {
                    // A leftover tracking ref is pruned by the next fetch.
                    let _ = reference.delete();
                }
                call
            }
            Ok(super::push::Pushed::Moved(why) | super::push::Pushed::Refused(why)) => {
                tracing::warn!("could not delete {branch}: {why}");
                format!("{call} (refused: {why}; run it to remove the landed proposal)")
            }
            Err(e) => {
                tracing::warn!("could not delete {branch}: {}", e.message);
                format!(
                    "{call} (failed: {}; run it to remove the landed proposal)",
                    e.message
                )
            }
        }
    }
}
