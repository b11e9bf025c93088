//! Landing a commit on the deploy branch: fetch, build on the remote's tip, push fast-forward
//! only, and only then move the local branch and work tree. When a colleague pushed meanwhile
//! the commit is built again on the new tip; a refused push moves nothing and keeps the attempt.

use git2::{Commit, Oid, Repository};

use super::commit::{changed_paths, short_oid};
use super::error::Context;
use super::fork::GitFork;
use super::push::Pushed;
use crate::ports::{ErrorKind, PinCommit, PortError, PortResult};

/// Rounds of fetch, rebuild and push while others keep pushing; past this, try again later.
const ATTEMPTS: usize = 3;

/// Where refused attempts are kept, one reference each: `<prefix><env>-<UTC time>`.
pub const REFUSED_PREFIX: &str = "refs/shiftdeck/refused/";

impl GitFork {
    /// Builds a commit with `build` on the remote deploy branch's tip (it refuses when the change
    /// no longer applies there) and lands it. `env` names the kept attempt of a refused push.
    pub(super) fn land<F>(
        &self,
        repo: &Repository,
        env: &str,
        reflog: &str,
        mut build: F,
    ) -> PortResult<PinCommit>
    where
        F: FnMut(&Commit<'_>) -> PortResult<(Oid, String)>,
    {
        let (remote, branch) = (&self.remote, &self.branch);
        let mut calls = Vec::new();
        let mut moved = Vec::new();
        for _ in 0..ATTEMPTS {
            calls.push(self.fetch_before_writing(repo)?);
            let local = self.local_tip(repo)?;
            let tip = self.check_ready(repo)?;
            let (oid, message) = build(&tip)?;
            let new = repo.find_commit(oid).doing("reading the new commit")?;
            let paths = changed_paths(repo, &local, &new)?;
            self.check_paths_clean(repo, &paths)?;
            let short = short_oid(repo, oid);
            calls.push(format!(
                "git commit {short} on {branch} (parent {})",
                short_oid(repo, tip.id())
            ));
            match self.push(repo, &format!("{oid}:refs/heads/{branch}")) {
                Ok(Pushed::Accepted) => {
                    calls.push(format!("git push {remote} {short}:{branch}"));
                    repo.reference(&self.tracking_ref(), oid, true, "shiftdeck: push")
                        .doing("recording the push")?;
                    self.advance(repo, local.id(), oid, &paths, reflog)
                        .map_err(|e| PortError {
                            message: format!(
                                "{short} was pushed to {remote}/{branch}, but the local {branch} could not follow: {}",
                                e.message
                            ),
                            ..e
                        })?;
                    return Ok(self.on_deploy_branch(oid, message, calls));
                }
                Ok(Pushed::Moved(why)) => moved.push(why),
                Ok(Pushed::Refused(words)) => {
                    return Err(self.refused(repo, env, oid, &local, &words));
                }
                Err(e) => return Err(self.push_failed(repo, env, oid, &local, e)),
            }
        }
        Err(PortError::new(
            ErrorKind::Conflict,
            format!(
                "{remote}/{branch} moved {ATTEMPTS} times while shiftdeck pushed ({}); nothing was changed",
                moved.join("; ")
            ),
        )
        .with_hint("others are pushing right now; refresh and try again in a moment"))
    }

    /// Keeps the attempted commit on a reference of its own so nothing is lost and the local
    /// branch stays where the remote is.
    fn keep_attempt(&self, repo: &Repository, env: &str, oid: Oid) -> String {
        let stamp = humantime::format_rfc3339_seconds(std::time::SystemTime::now())
            .to_string()
            .replace(['-', ':'], "");
        let mut name = format!("{REFUSED_PREFIX}{env}-{stamp}");
        for n in 2.. {
            if repo.find_reference(&name).is_err() {
                break;
            }
            name = format!("{REFUSED_PREFIX}{env}-{stamp}-{n}");
        }
        match repo.reference(&name, oid, false, "shiftdeck: push refused") {
            Ok(_) => name,
            Err(e) => {
                tracing::warn!("could not keep {oid} as {name}: {}", e.message());
                oid.to_string()
            }
        }
    }

    fn unchanged(&self, repo: &Repository, local: &Commit<'_>) -> String {
        format!(
            "nothing changed here: {} is still at {}",
            self.branch,
            short_oid(repo, local.id())
        )
    }

    fn refused(
        &self,
        repo: &Repository,
        env: &str,
        oid: Oid,
        local: &Commit<'_>,
        words: &str,
    ) -> PortError {
        let kept = self.keep_attempt(repo, env, oid);
        PortError::new(
            ErrorKind::Refused,
            format!(
                "push refused by {}: {words}. {}, and the attempted commit is kept as {kept}",
                self.remote,
                self.unchanged(repo, local)
            ),
        )
        .with_hint(format!(
            "a retry meets the same rule until what {remote} objects to is fixed (a required signature, a protected branch, a hook); then push it with `git push {remote} {kept}:{branch}`, or discard it with `git update-ref -d {kept}`",
            remote = self.remote,
            branch = self.branch
        ))
    }

    fn push_failed(
        &self,
        repo: &Repository,
        env: &str,
        oid: Oid,
        local: &Commit<'_>,
        e: PortError,
    ) -> PortError {
        let kept = self.keep_attempt(repo, env, oid);
        PortError {
            message: format!(
                "{}. {}, and the attempted commit is kept as {kept}; it may or may not have reached {}",
                e.message,
                self.unchanged(repo, local),
                self.remote
            ),
            hint: Some(format!(
                "{}refresh to see whether {} has it before trying again",
                e.hint.map(|h| format!("{h}; ")).unwrap_or_default(),
                self.remote
            )),
            ..e
        }
    }
}
