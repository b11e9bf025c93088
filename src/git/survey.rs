//! What `shiftdeck init` reads of a fork before any configuration exists: its root, its remote
//! and deploy branch, and the files committed at the branch tip (what shiftdeck will read pins
//! from; ignored and untracked files are left out by construction).

use git2::{ObjectType, Repository, TreeWalkMode, TreeWalkResult};
use std::path::{Path, PathBuf};

use super::error::Context;
use crate::ports::{ErrorKind, PortError, PortResult};

/// Larger files are generated or vendored, not where a person writes a pin.
const MAX_FILE_BYTES: usize = 1024 * 1024;

#[derive(Clone, Debug)]
pub struct ForkSurvey {
    /// The work tree's root, where `shiftdeck.toml` goes.
    pub root: PathBuf,
    pub remote: String,
    pub branch: String,
    /// Path in the repository and content, of every file `wanted` accepts.
    pub files: Vec<(String, Vec<u8>)>,
}

/// Surveys the repository around `start`: `branch` (default: the checked-out branch) and
/// `remote` (default: the branch's upstream remote, else `origin`, else the only one).
pub fn survey(
    start: &Path,
    branch: Option<&str>,
    remote: Option<&str>,
    wanted: impl Fn(&str) -> bool,
) -> PortResult<ForkSurvey> {
    let repo = Repository::discover(start).map_err(|e| {
        PortError::new(
            ErrorKind::NotFound,
            format!(
                "{} is not inside a git repository: {}",
                start.display(),
                e.message()
            ),
        )
        .with_hint("run shiftdeck init in your clone of the fork, or pass --path to it")
    })?;
    let root = repo
        .workdir()
        .ok_or_else(|| {
            PortError::new(
                ErrorKind::Invalid,
                "the repository is bare: it has no work tree for shiftdeck.toml",
            )
            .with_hint("run shiftdeck init in a clone with a work tree")
        })?
        .to_path_buf();
    let branch = match branch {
        Some(b) => b.to_string(),
        None => checked_out(&repo)?,
    };
    let remote = match remote {
        Some(r) if repo.find_remote(r).is_ok() => r.to_string(),
        Some(r) => {
            return Err(PortError::new(
                ErrorKind::NotFound,
                format!("the fork has no remote {r:?}"),
            )
            .with_hint("list them with `git remote -v`"));
        }
        None => remote_of(&repo, &branch)?,
    };
    let tip = repo
        .find_branch(&branch, git2::BranchType::Local)
        .and_then(|b| b.get().peel_to_commit())
        .map_err(|_| {
            PortError::new(
                ErrorKind::NotFound,
                format!("the fork has no local branch {branch}"),
            )
            .with_hint("name the deploy branch with --branch")
        })?;
    let tree = tip.tree().doing("reading the deploy branch's tree")?;
    let mut files = Vec::new();
    tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
        if entry.kind() != Some(ObjectType::Blob) {
            return TreeWalkResult::Ok;
        }
        let path = format!("{dir}{}", entry.name().unwrap_or(""));
        if !wanted(&path) {
            return TreeWalkResult::Ok;
        }
        if let Ok(blob) = repo.find_blob(entry.id())
            && blob.size() <= MAX_FILE_BYTES
            && !blob.is_binary()
        {
            files.push((path, blob.content().to_vec()));
        }
        TreeWalkResult::Ok
    })
    .doing("listing the deploy branch's files")?;
    Ok(ForkSurvey {
        root,
        remote,
        branch,
        files,
    })
}

fn checked_out(repo: &Repository) -> PortResult<String> {
    let head = repo.head().map_err(|_| {
        PortError::new(ErrorKind::NotFound, "the repository has no commit yet")
            .with_hint("commit the fork's files first, or name the deploy branch with --branch")
    })?;
    if !head.is_branch() {
        return Err(PortError::new(
            ErrorKind::Invalid,
            "HEAD is detached, so there is no branch to call the deploy branch",
        )
        .with_hint("check out the deploy branch (`git switch main`), or pass --branch"));
    }
    Ok(head.shorthand().unwrap_or("main").to_string())
}

fn remote_of(repo: &Repository, branch: &str) -> PortResult<String> {
    let configured = repo
        .config()
        .ok()
        .and_then(|c| c.get_string(&format!("branch.{branch}.remote")).ok());
    let remotes: Vec<String> = repo
        .remotes()
        .map(|r| r.iter().flatten().flatten().map(str::to_string).collect())
        .unwrap_or_default();
    configured
        .filter(|r| remotes.contains(r))
        .or_else(|| remotes.iter().find(|r| *r == "origin").cloned())
        .or_else(|| (remotes.len() == 1).then(|| remotes[0].clone()))
        .ok_or_else(|| {
            PortError::new(
                ErrorKind::NotFound,
                if remotes.is_empty() {
                    "the fork has no remote to push pins to".to_string()
                } else {
                    format!(
                        "the fork has several remotes ({}) and none is origin",
                        remotes.join(", ")
                    )
                },
            )
            .with_hint("add it with `git remote add origin <url of your fork>`, or pass --remote")
        })
}
