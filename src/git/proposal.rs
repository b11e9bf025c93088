//! Proposals: pin changes waiting on a branch of their own until someone else approves them.

use git2::{Commit, Repository};

use super::commit::{changed_paths, locate_in, short_id, signature};
use super::error::Context;
use super::fork::GitFork;
use crate::domain::commit_message::with_approval;
use crate::domain::env::Environment;
use crate::domain::version::Version;
use crate::ports::{ErrorKind, Identity, PinCommit, PortError, PortResult, Proposal};

fn author_of(commit: &Commit<'_>) -> Identity {
    let author = commit.author();
    Identity {
        name: String::from_utf8_lossy(author.name_bytes()).into_owned(),
        email: String::from_utf8_lossy(author.email_bytes()).into_owned(),
    }
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
        let fetched = self.fetch_before_writing(repo)?;
        let branch = self.proposal_branch(&env.name);
        let tracking = self.proposal_tracking_ref(&env.name);
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
        let proposer = author_of(&proposal);
        if proposer
            .email
            .trim()
            .eq_ignore_ascii_case(approver.email.trim())
        {
            return Err(PortError::new(
                ErrorKind::Refused,
                format!(
                    "{approver} proposed this pin of {} and cannot also approve it: separation of duties needs a second person",
                    env.name
                ),
            )
            .with_hint("ask another release manager to approve it"));
        }
        let tip = self.check_ready(repo, true)?;
        if proposal.parent_id(0).ok() != Some(tip.id()) {
            return Err(PortError::new(
                ErrorKind::Conflict,
                format!(
                    "the proposal for {} was made on an older {} (it is now at {}); approving it would undo what landed since",
                    env.name,
                    self.branch,
                    short_id(&tip)
                ),
            )
            .with_hint(format!("propose again: promote the version to {} once more", env.name)));
        }

        let message = with_approval(
            &String::from_utf8_lossy(proposal.message_bytes()),
            &approver.to_string(),
        );
        let committer = signature(approver)?;
        let tree = proposal.tree().doing("reading the proposal")?;
        let oid = repo
            .commit(
                None,
                &proposal.author(),
                &committer,
                &message,
                &tree,
                &[&tip],
            )
            .doing("creating the approved commit")?;
        let paths = changed_paths(repo, &tip, &proposal)?;
        let mut calls = self.land(repo, tip.id(), oid, &paths, "shiftdeck: approve", fetched)?;
        calls.push(self.delete_proposal(repo, &branch, &tracking));
        Ok(self.on_deploy_branch(oid, message, calls))
    }

    /// Deletes the landed proposal's branch; the approval stands even when this fails, and the
    /// stale proposal then shows as such.
    fn delete_proposal(&self, repo: &Repository, branch: &str, tracking: &str) -> String {
        let call = format!("git push {} --delete {branch}", self.remote);
        match self.push(repo, &format!(":refs/heads/{branch}")) {
            Ok(()) => {
                if let Ok(mut reference) = repo.find_reference(tracking) {
                    // A leftover tracking ref is pruned by the next fetch.
                    let _ = reference.delete();
                }
                call
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
