//! Pushing to the remote, with the server's per-reference rejections turned into errors.

use git2::{PushOptions, Repository};
use std::cell::RefCell;

use super::credentials::callbacks;
use super::error::git_error;
use super::fork::GitFork;
use crate::ports::{ErrorKind, PortError, PortResult};

impl GitFork {
    /// Pushes one refspec; `Ok` only when the remote accepted it.
    pub(super) fn push(&self, repo: &Repository, refspec: &str) -> PortResult<()> {
        let mut remote = repo
            .find_remote(&self.remote)
            .map_err(|e| git_error(&format!("finding the remote {}", self.remote), e))?;
        let rejected = RefCell::new(Vec::new());
        let mut cbs = callbacks(repo.config().ok());
        cbs.push_update_reference(|name, status| {
            if let Some(status) = status {
                rejected.borrow_mut().push(format!("{name}: {status}"));
            }
            Ok(())
        });
        let mut options = PushOptions::new();
        options.remote_callbacks(cbs);
        remote
            .push(&[refspec], Some(&mut options))
            .map_err(|e| git_error(&format!("pushing to {}", self.remote), e))?;
        drop(options);
        let rejected = rejected.into_inner();
        if rejected.is_empty() {
            return Ok(());
        }
        Err(PortError::new(
            ErrorKind::Conflict,
            format!("{} rejected the push: {}", self.remote, rejected.join("; ")),
        ))
    }
}
