//! Signed commits when the repository's git config asks for them, checked with
//! `git verify-commit`; a signing failure writes nothing.

mod git_world;

use std::path::Path;
use std::process::Command;

use git_world::*;
use shiftdeck::ports::{ErrorKind, Fork, PinChange};

/// An ed25519 key made for the test, and the allowed-signers file `git verify-commit` reads.
fn ssh_signing(clone: &Path, who: &shiftdeck::ports::Identity) {
    let key = clone
        .parent()
        .unwrap()
        .join(format!("{}-key", who.name.replace(' ', "-")));
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", &who.email, "-f"])
        .arg(&key)
        .output()
        .expect("ssh-keygen must be installed for this test");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    let allowed = clone.parent().unwrap().join("allowed_signers");
    let mut lines = std::fs::read_to_string(&allowed).unwrap_or_default();
    lines.push_str(&format!("{} {}", who.email, public));
    std::fs::write(&allowed, lines).unwrap();
    git(clone, &["config", "commit.gpgsign", "true"]);
    git(clone, &["config", "gpg.format", "ssh"]);
    git(clone, &["config", "user.signingkey", key.to_str().unwrap()]);
    git(
        clone,
        &[
            "config",
            "gpg.ssh.allowedSignersFile",
            allowed.to_str().unwrap(),
        ],
    );
}

#[test]
fn a_pin_is_signed_with_the_ssh_key_git_config_names() {
    let world = World::new();
    let clone = world.clone_as("alice", &alice());
    ssh_signing(&clone, &alice());

    let done = fork(&clone)
        .pin(&change(dev(), "v1.0.0", "v1.1.0"))
        .unwrap();

    let out = git_output(&clone, &["verify-commit", "--raw", &done.commit]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("alice@example.com"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        git(&clone, &["log", "-1", "--format=%G?", "main"]).trim(),
        "G"
    );
    fsck(&clone);
    fsck(&world.origin);
}

#[test]
fn an_approval_is_signed_by_the_approver() {
    let world = World::new();
    let alice_clone = world.clone_as("alice", &alice());
    let bob_clone = world.clone_as("bob", &bob());
    fork(&alice_clone)
        .pin(&change(prod(), "v1.0.0", "v1.1.0"))
        .unwrap();
    ssh_signing(&bob_clone, &bob());

    let done = fork(&bob_clone)
        .with_identity(bob())
        .approve(&prod(), &bob())
        .unwrap();

    let out = git_output(&bob_clone, &["verify-commit", &done.commit]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        world.origin(&["log", "-1", "--format=%an|%cn", "main"]),
        "Alice Release|Bob Approver\n"
    );
}

#[test]
fn a_signing_failure_is_a_clear_error_that_writes_nothing() {
    let world = World::new();
    let clone = world.clone_as("alice", &alice());
    ssh_signing(&clone, &alice());
    git(&clone, &["config", "user.signingkey", "/nonexistent/key"]);
    let before = snapshot(&clone);
    let origin_before = world.origin(&["rev-parse", "main"]);

    let error = expect_error(
        fork(&clone).pin(&PinChange {
            ..change(dev(), "v1.0.0", "v1.1.0")
        }),
        ErrorKind::Credentials,
    );

    assert!(
        error
            .message
            .contains("signing the commit with ssh-keygen failed, so nothing was committed"),
        "{}",
        error.full()
    );
    assert_eq!(snapshot(&clone), before);
    assert_eq!(world.origin(&["rev-parse", "main"]), origin_before);
    assert_eq!(git(&clone, &["for-each-ref", "refs/shiftdeck/"]), "");

    git(&clone, &["config", "gpg.format", "pgp-ish"]);
    let error = expect_error(
        fork(&clone).pin(&change(dev(), "v1.0.0", "v1.1.0")),
        ErrorKind::Credentials,
    );
    assert!(error.message.contains("\"pgp-ish\""), "{}", error.full());
}

#[test]
fn where_a_signed_approval_is_required_an_unsigned_one_is_refused_and_a_signed_one_lands() {
    let world = World::new();
    let alice_clone = world.clone_as("alice", &alice());
    let bob_clone = world.clone_as("bob", &bob());
    let prod = shiftdeck::environment::Environment {
        require_signed_approval: true,
        ..prod()
    };
    fork(&alice_clone)
        .pin(&change(prod.clone(), "v1.0.0", "v1.1.0"))
        .unwrap();
    git(&bob_clone, &["fetch", "--quiet", "origin"]);
    let before = snapshot(&bob_clone);
    let origin_before = world.origin(&["for-each-ref", "--format=%(refname) %(objectname)"]);

    let error = expect_error(
        fork(&bob_clone).with_identity(bob()).approve(&prod, &bob()),
        ErrorKind::Refused,
    );
    assert!(
        error.message.contains(
            "prod requires a signed approval (require_signed_approval), but the approval commit would not be signed"
        ),
        "{}",
        error.full()
    );
    assert!(
        error
            .hint
            .as_deref()
            .is_some_and(|h| h.contains("git config commit.gpgsign true")),
        "{}",
        error.full()
    );
    assert_eq!(snapshot(&bob_clone), before);
    assert_eq!(
        world.origin(&["for-each-ref", "--format=%(refname) %(objectname)"]),
        origin_before,
        "the proposal is still there and the deploy branch did not move"
    );
    assert_eq!(git(&bob_clone, &["for-each-ref", "refs/shiftdeck/"]), "");

    // Signing on, but in a way git itself could not sign with: refused the same way.
    git(&bob_clone, &["config", "commit.gpgsign", "true"]);
    git(&bob_clone, &["config", "gpg.format", "ssh"]);
    let error = expect_error(
        fork(&bob_clone).with_identity(bob()).approve(&prod, &bob()),
        ErrorKind::Credentials,
    );
    assert!(error.message.contains("names no key"), "{}", error.full());
    assert_eq!(
        world.origin(&["for-each-ref", "--format=%(refname) %(objectname)"]),
        origin_before
    );

    ssh_signing(&bob_clone, &bob());
    let done = fork(&bob_clone)
        .with_identity(bob())
        .approve(&prod, &bob())
        .unwrap();

    let tip = world.origin(&["rev-parse", "main"]);
    assert!(
        tip.starts_with(&done.commit),
        "{tip} is the approval {}",
        done.commit
    );
    let out = git_output(&bob_clone, &["verify-commit", "--raw", tip.trim()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("bob@example.com"),
        "signed by the approver: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        world
            .origin(&["log", "-1", "--format=%B", "main"])
            .contains("Approved-by: Bob Approver <bob@example.com>"),
    );
    fsck(&world.origin);
}
