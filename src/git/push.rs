//! Pushing to the remote, with the server's own words kept: what its hooks printed on the
//! sideband and the status it gave each reference.

use git2::{ErrorCode, PushOptions, Repository};
use std::cell::RefCell;

use super::credentials::callbacks;
use super::error::git_error;
use super::fork::GitFork;
use crate::ports::PortResult;

/// How the remote answered a push that reached it.
#[derive(Debug)]
pub(super) enum Pushed {
    Accepted,
    /// The reference moved on the remote since it was fetched: fetch again and rebuild.
    Moved(String),
    /// The remote refused the update (a hook, a protected branch, a signature rule).
    Refused(String),
}

impl GitFork {
    /// Pushes one refspec. `Err` is a transport failure (network, credentials, time limit);
    /// an answer from the remote is a [`Pushed`].
    pub(super) fn push(&self, repo: &Repository, refspec: &str) -> PortResult<Pushed> {
        if self.use_git_cli {
            return self.git_cli_push(refspec);
        }
        let mut remote = repo
            .find_remote(&self.remote)
            .map_err(|e| git_error(&format!("finding the remote {}", self.remote), e))?;
        let statuses = RefCell::new(Vec::new());
        let sideband = RefCell::new(Vec::<u8>::new());
        let limits = self.network.start(&self.remote);
        let url = remote.url().ok().map(str::to_string);
        let mut cbs = callbacks(
            repo.config().ok(),
            url.as_deref(),
            &limits,
            self.ask_passphrase,
        );
        cbs.push_update_reference(|name, status| {
            if let Some(status) = status {
                statuses.borrow_mut().push(format!("{name}: {status}"));
            }
            Ok(())
        });
        cbs.sideband_progress(|text| {
            sideband.borrow_mut().extend_from_slice(text);
            limits.alive()
        });
        let mut options = PushOptions::new();
        options.remote_callbacks(cbs);
        let result = remote.push(&[refspec], Some(&mut options));
        drop(options);
        let (statuses, said) = (statuses.into_inner(), remote_words(&sideband.into_inner()));
        let words = |statuses: &[String]| {
            let mut all = statuses.to_vec();
            all.extend(said.iter().cloned());
            all.join("; ")
        };
        match result {
            Err(e) if e.code() == ErrorCode::NotFastForward => {
                Ok(Pushed::Moved(e.message().into()))
            }
            Err(e) => Err(limits.fail(&format!("pushing to {}", self.remote), e)),
            Ok(()) if statuses.is_empty() => Ok(Pushed::Accepted),
            Ok(()) if statuses.iter().all(|s| moved_meanwhile(s)) => {
                Ok(Pushed::Moved(words(&statuses)))
            }
            Ok(()) => Ok(Pushed::Refused(words(&statuses))),
        }
    }
}

/// A reference status that means someone else updated the branch first.
pub(super) fn moved_meanwhile(status: &str) -> bool {
    [
        "non-fast-forward",
        "fetch first",
        "stale info",
        "failed to update ref",
        "cannot lock ref",
    ]
    .iter()
    .any(|s| status.contains(s))
}

/// The remote's sideband text as lines, without progress meters and blank lines.
fn remote_words(sideband: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(sideband)
        .split(['\n', '\r'])
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .filter(|line| !is_progress(line))
        .map(str::to_string)
        .collect()
}

/// Lines such as "Resolving deltas:  50% (1/2)" that servers print while they work.
fn is_progress(line: &str) -> bool {
    line.contains("% (") || line.ends_with(", done.")
}
