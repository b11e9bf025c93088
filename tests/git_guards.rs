//! The repository states in which a pin would break what the person is doing: each is refused
//! before anything is written, and says why and what to do.

mod git_world;

use std::fs;

use git_world::*;
use shiftdeck::ports::{ErrorKind, Fork};

#[test]
fn a_detached_head_is_refused_and_main_stays_put() {
    let world = World::new();
    let clone = world.clone_as("alice", &alice());
    git(&clone, &["checkout", "--quiet", "--detach", "main"]);
    let before = snapshot(&clone);

    let error = expect_error(
        fork(&clone).pin(&change(dev(), "v1.0.0", "v1.1.0")),
        ErrorKind::Conflict,
    );

    assert!(
        error.message.contains("HEAD is detached"),
        "{}",
        error.full()
    );
    assert!(error.hint.unwrap().contains("git switch main"));
    assert_eq!(snapshot(&clone), before);
    assert_eq!(world.origin(&["rev-list", "--count", "main"]), "1\n");
}

#[test]
fn a_rebase_in_progress_is_refused_and_can_still_be_continued() {
    let world = World::new();
    let clone = world.clone_as("alice", &alice());
    fs::write(clone.join("README.md"), "# fork\nline\n").unwrap();
    git(&clone, &["commit", "--quiet", "-am", "Local one"]);
    git(&clone, &["checkout", "--quiet", "-b", "topic", "main~1"]);
    fs::write(clone.join("README.md"), "# fork\nother\n").unwrap();
    git(&clone, &["commit", "--quiet", "-am", "Topic one"]);
    git(&clone, &["checkout", "--quiet", "main"]);
    let out = git_output(&clone, &["rebase", "topic"]);
    assert!(!out.status.success(), "the rebase stops on the conflict");
    let origin_before = world.origin(&["rev-parse", "main"]);
    let refs_before = git(&clone, &["show-ref"]);

    let error = expect_error(
        fork(&clone).pin(&change(dev(), "v1.0.0", "v1.1.0")),
        ErrorKind::Conflict,
    );

    assert!(
        error.message.contains("a rebase is in progress"),
        "{}",
        error.full()
    );
    assert!(error.hint.unwrap().contains("git rebase --continue"));
    assert_eq!(world.origin(&["rev-parse", "main"]), origin_before);
    assert_eq!(git(&clone, &["show-ref"]), refs_before);
    fs::write(clone.join("README.md"), "# fork\nresolved\n").unwrap();
    git(&clone, &["add", "README.md"]);
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(&clone)
        .args(["rebase", "--continue"])
        .env("GIT_EDITOR", "true")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    fsck(&clone);
}

#[test]
fn a_merge_and_a_cherry_pick_in_progress_are_refused() {
    let world = World::new();
    let clone = world.clone_as("alice", &alice());
    git(&clone, &["checkout", "--quiet", "-b", "topic"]);
    fs::write(clone.join("README.md"), "# fork\ntopic\n").unwrap();
    git(&clone, &["commit", "--quiet", "-am", "Topic"]);
    git(&clone, &["checkout", "--quiet", "main"]);
    git(
        &clone,
        &["merge", "--quiet", "--no-ff", "--no-commit", "topic"],
    );
    let error = expect_error(
        fork(&clone).pin(&change(dev(), "v1.0.0", "v1.1.0")),
        ErrorKind::Conflict,
    );
    assert!(
        error.message.contains("a merge is in progress"),
        "{}",
        error.full()
    );
    git(&clone, &["merge", "--abort"]);

    git(&clone, &["cherry-pick", "--no-commit", "topic"]);
    // `--no-commit` leaves no sequencer state; a conflicting pick does.
    git(&clone, &["reset", "--quiet", "--hard"]);
    fs::write(clone.join("README.md"), "# fork\nmain\n").unwrap();
    git(&clone, &["commit", "--quiet", "-am", "Main"]);
    assert!(
        !git_output(&clone, &["cherry-pick", "topic"])
            .status
            .success()
    );
    let error = expect_error(
        fork(&clone).pin(&change(dev(), "v1.0.0", "v1.1.0")),
        ErrorKind::Conflict,
    );
    assert!(
        error.message.contains("a cherry-pick is in progress"),
        "{}",
        error.full()
    );
    assert!(error.hint.unwrap().contains("git cherry-pick --abort"));
}

#[test]
fn a_deploy_branch_checked_out_in_another_work_tree_is_refused() {
    let world = World::new();
    let clone = world.clone_as("alice", &alice());
    let linked = world.dir.path().join("alice-topic");
    git(
        &clone,
        &[
            "worktree",
            "add",
            "--quiet",
            "-b",
            "topic",
            linked.to_str().unwrap(),
        ],
    );
    let before = snapshot(&clone);

    // From the linked work tree, main is checked out in the main one.
    let error = expect_error(
        fork(&linked).pin(&change(dev(), "v1.0.0", "v1.1.0")),
        ErrorKind::Conflict,
    );

    assert!(
        error
            .message
            .contains("main is checked out in another work tree")
            && error.message.contains("alice"),
        "{}",
        error.full()
    );
    assert_eq!(snapshot(&clone), before);
    assert_eq!(
        git(&clone, &["status", "--porcelain"]),
        "",
        "nothing staged in reverse"
    );
    assert_eq!(git(&linked, &["status", "--porcelain"]), "");
    assert_eq!(world.origin(&["rev-list", "--count", "main"]), "1\n");

    // With main checked out in the linked tree instead, the main tree is refused the same way.
    git(&clone, &["checkout", "--quiet", "-b", "elsewhere"]);
    git(&linked, &["checkout", "--quiet", "main"]);
    let error = expect_error(
        fork(&clone).pin(&change(dev(), "v1.0.0", "v1.1.0")),
        ErrorKind::Conflict,
    );
    assert!(error.message.contains("alice-topic"), "{}", error.full());
}

#[test]
fn a_deploy_branch_not_checked_out_anywhere_is_moved_without_touching_the_work_tree() {
    let world = World::new();
    let clone = world.clone_as("alice", &alice());
    git(&clone, &["checkout", "--quiet", "-b", "topic"]);
    fs::write(clone.join("lib/config.ts"), "// on topic\n").unwrap();

    let done = fork(&clone)
        .pin(&change(dev(), "v1.0.0", "v1.1.0"))
        .unwrap();

    assert_eq!(git(&clone, &["rev-parse", "main"]).trim(), done.commit);
    assert_eq!(
        fs::read_to_string(clone.join("lib/config.ts")).unwrap(),
        "// on topic\n"
    );
    assert_eq!(
        git(&clone, &["status", "--porcelain"]),
        " M lib/config.ts\n"
    );
    fsck(&clone);
}
