//! git2 errors in the user's words, with what to do about them.

use git2::{ErrorClass, ErrorCode};

use crate::ports::{ErrorKind, PortError};

/// Maps a git2 error met while `doing` something (e.g. "reading the deploy branch").
pub(super) fn git_error(doing: &str, e: git2::Error) -> PortError {
    let message = format!("git failed while {doing}: {}", e.message());
    let (kind, hint) = match (e.code(), e.class()) {
        (ErrorCode::Auth, _) | (_, ErrorClass::Ssh) => (
            ErrorKind::Credentials,
            Some(
                "check that your ssh agent holds the key (`ssh-add -l`) or that a credential helper is set (`git config credential.helper`)",
            ),
        ),
        (ErrorCode::Certificate, _) => (
            ErrorKind::Credentials,
            Some(
                "the server's certificate was not accepted; check the remote URL with `git remote -v`",
            ),
        ),
        (ErrorCode::NotFastForward, _) => (
            ErrorKind::Conflict,
            Some("the remote moved on; run `git pull --ff-only`, then try again"),
        ),
        (ErrorCode::Locked, _) => (
            ErrorKind::Conflict,
            Some(
                "another git command holds a lock on the repository; wait for it to finish, then try again",
            ),
        ),
        (ErrorCode::NotFound, _) => (ErrorKind::NotFound, None),
        (_, ErrorClass::Net | ErrorClass::Http | ErrorClass::Os) => (
            ErrorKind::Unavailable,
            Some("check the network and the remote URL (`git remote -v`)"),
        ),
        _ => (ErrorKind::Other, None),
    };
    let error = PortError::new(kind, message);
    match hint {
        Some(hint) => error.with_hint(hint),
        None => error,
    }
}

/// Shorthand for `map_err(|e| git_error(doing, e))`.
pub(super) trait Context<T> {
    fn doing(self, doing: &str) -> Result<T, PortError>;
}

impl<T> Context<T> for Result<T, git2::Error> {
    fn doing(self, doing: &str) -> Result<T, PortError> {
        self.map_err(|e| git_error(doing, e))
    }
}
