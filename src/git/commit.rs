//! Reading a pin file from a commit, committing a rewritten file, and advancing the deploy branch.

use git2::build::{CheckoutBuilder, TreeUpdateBuilder};
use git2::{Commit, Oid, Repository, Signature};
use std::path::{Component, Path};

use super::error::{Context, git_error};
use super::fork::GitFork;
use crate::domain::pin::{self, PinLocator, PinMatch};
use crate::ports::{ErrorKind, Identity, PortError, PortResult};

/// The pin file's path inside the repository, refused when it could escape it.
pub(super) fn repo_path(file: &Path) -> PortResult<String> {
    let normal = file.components().all(|c| matches!(c, Component::Normal(_)));
    match file.to_str() {
        Some(path) if normal && !path.is_empty() && !path.contains('\0') => Ok(path.to_string()),
        _ => Err(PortError::new(
            ErrorKind::Invalid,
            format!(
                "the pin file {:?} is not a path inside the fork",
                file.display().to_string()
            ),
        )
        .with_hint("write the pin file relative to the fork's root, e.g. lib/config.ts")),
    }
}

/// The bytes of `file` in `commit`'s tree.
pub(super) fn read_file(
    repo: &Repository,
    commit: &Commit<'_>,
    file: &Path,
) -> PortResult<Vec<u8>> {
    let path = repo_path(file)?;
    let short = short_id(commit);
    let entry = commit
        .tree()
        .and_then(|tree| tree.get_path(Path::new(&path)))
        .map_err(|_| {
            PortError::new(
                ErrorKind::NotFound,
                format!("{path} does not exist in commit {short}"),
            )
            .with_hint("check the pin file of this environment in the config")
        })?;
    let blob = entry
        .to_object(repo)
        .and_then(|o| o.peel_to_blob())
        .map_err(|_| {
            PortError::new(
                ErrorKind::Invalid,
                format!("{path} is not a file in commit {short}"),
            )
        })?;
    Ok(blob.content().to_vec())
}

/// Where `locator` points in `commit`, with the file's bytes.
pub(super) fn locate_in(
    repo: &Repository,
    commit: &Commit<'_>,
    locator: &PinLocator,
) -> PortResult<(PinMatch, Vec<u8>)> {
    let content = read_file(repo, commit, &locator.file)?;
    let found = pin::locate(&content, locator)
        .map_err(|e| PortError::new(ErrorKind::Invalid, e.to_string()))?;
    Ok((found, content))
}

pub(super) fn short_id(commit: &Commit<'_>) -> String {
    commit
        .as_object()
        .short_id()
        .ok()
        .and_then(|b| b.as_str().ok().map(str::to_string))
        .unwrap_or_else(|| commit.id().to_string()[..7].to_string())
}

pub(super) fn short_oid(repo: &Repository, oid: Oid) -> String {
    repo.find_commit(oid)
        .map(|c| short_id(&c))
        .unwrap_or_else(|_| oid.to_string()[..7].to_string())
}

pub(super) fn signature(identity: &Identity) -> PortResult<Signature<'static>> {
    Signature::now(&identity.name, &identity.email).map_err(|e| {
        PortError::new(
            ErrorKind::Invalid,
            format!("{identity} cannot sign a commit: {}", e.message()),
        )
        .with_hint(
            "set a plain name and email with `git config user.name` and `git config user.email`",
        )
    })
}

/// A commit on `parent` whose tree differs from the parent's only in `file`, created without
/// moving any reference.
pub(super) fn commit_file(
    repo: &Repository,
    parent: &Commit<'_>,
    file: &Path,
    content: &[u8],
    author: &Signature<'_>,
    committer: &Signature<'_>,
    message: &str,
) -> PortResult<Oid> {
    let path = repo_path(file)?;
    let base = parent.tree().doing("reading the deploy branch's tree")?;
    let mode = base
        .get_path(Path::new(&path))
        .map(|e| e.filemode())
        .unwrap_or(i32::from(git2::FileMode::Blob));
    let blob = repo.blob(content).doing("storing the rewritten pin file")?;
    let tree_id = TreeUpdateBuilder::new()
        .upsert(path.as_str(), blob, file_mode(mode))
        .create_updated(repo, &base)
        .doing("building the new tree")?;
    let tree = repo.find_tree(tree_id).doing("reading the new tree")?;
    create_commit(repo, author, committer, message, &tree, &[parent])
}

/// A commit object, signed when the repository's git config asks for it, created without
/// moving any reference.
pub(super) fn create_commit(
    repo: &Repository,
    author: &Signature<'_>,
    committer: &Signature<'_>,
    message: &str,
    tree: &git2::Tree<'_>,
    parents: &[&Commit<'_>],
) -> PortResult<Oid> {
    let config = repo.config().doing("reading the git configuration")?;
    match super::sign::Signing::from_config(&config)? {
        None => repo
            .commit(None, author, committer, message, tree, parents)
            .doing("creating the commit"),
        Some(signing) => {
            let buffer = repo
                .commit_create_buffer(author, committer, message, tree, parents)
                .doing("preparing the commit")?;
            let content = std::str::from_utf8(&buffer).map_err(|_| {
                PortError::new(ErrorKind::Invalid, "the commit to sign is not UTF-8 text")
            })?;
            let signature = signing.sign(content)?;
            repo.commit_signed(content, &signature, None)
                .doing("creating the signed commit")
        }
    }
}

fn file_mode(mode: i32) -> git2::FileMode {
    if mode == i32::from(git2::FileMode::BlobExecutable) {
        git2::FileMode::BlobExecutable
    } else {
        git2::FileMode::Blob
    }
}

impl GitFork {
    /// Whether the deploy branch is the checked-out branch of a work tree.
    pub(super) fn is_checked_out(&self, repo: &Repository) -> bool {
        !repo.is_bare()
            && repo
                .head()
                .ok()
                .and_then(|h| h.name().ok().map(|n| n == self.local_ref()))
                .unwrap_or(false)
    }

    /// Moves the deploy branch from `old` to `new` and, when it is checked out, brings `paths` in
    /// the work tree and index up to date (they were clean, so nothing of the user's is lost).
    pub(super) fn advance(
        &self,
        repo: &Repository,
        old: Oid,
        new: Oid,
        paths: &[String],
        reason: &str,
    ) -> PortResult<()> {
        let checked_out = self.is_checked_out(repo);
        repo.reference_matching(&self.local_ref(), new, true, old, reason)
            .doing(&format!("moving {} to the new commit", self.branch))?;
        if !checked_out {
            return Ok(());
        }
        let tree = repo
            .find_commit(new)
            .and_then(|c| c.tree())
            .doing("reading the new commit")?;
        let mut checkout = CheckoutBuilder::new();
        checkout.force().update_index(true);
        for path in paths {
            checkout.path(path.as_str());
        }
        repo.checkout_tree(tree.as_object(), Some(&mut checkout))
            .map_err(|e| {
                let error = git_error("updating the work tree", e);
                error.with_hint(format!(
                    "the commit is on {}; run `git checkout -- {}` to update the work tree",
                    self.branch,
                    paths.join(" ")
                ))
            })
    }
}

/// Paths whose content differs between two commits' trees.
pub(super) fn changed_paths(
    repo: &Repository,
    old: &Commit<'_>,
    new: &Commit<'_>,
) -> PortResult<Vec<String>> {
    let old_tree = old.tree().doing("reading a tree")?;
    let new_tree = new.tree().doing("reading a tree")?;
    let diff = repo
        .diff_tree_to_tree(Some(&old_tree), Some(&new_tree), None)
        .doing("comparing two commits")?;
    Ok(diff
        .deltas()
        .flat_map(|d| [d.old_file().path(), d.new_file().path()])
        .flatten()
        .filter_map(|p| p.to_str().map(str::to_string))
        .collect())
}
