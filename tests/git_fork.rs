//! The git adapter against real repositories: a bare origin and clones for several people, with
//! every result checked through the `git` command line.

mod git_world;

use std::fs;

use git_world::*;
use shiftdeck::domain::audit::ActionKind;
use shiftdeck::domain::pin::PinRule;
use shiftdeck::git::GitFork;
use shiftdeck::ports::{ErrorKind, Fork, PinChange};

#[test]
fn pins_are_read_at_the_deploy_branch_tip_not_the_work_tree() {
    let world = World::new();
    let clone = world.clone_as("alice", &alice());
    fs::write(
        clone.join("lib/config.ts"),
        CONFIG_TS.replace("devVersion = \"v1.0.0\"", "devVersion = \"v9.9.9\""),
    )
    .unwrap();
    fs::write(clone.join("notes.txt"), "untracked\n").unwrap();

    let status = fork(&clone).status(&[dev(), staging(), prod()]).unwrap();

    let pins: Vec<_> = status
        .pins
        .iter()
        .map(|p| (p.env.as_str(), p.version.clone(), p.line))
        .collect();
    assert_eq!(
        pins,
        [
            ("dev", Ok(v("v1.0.0")), Some(2)),
            ("staging", Ok(v("v1.0.0")), Some(3)),
            ("prod", Ok(v("v1.0.0")), Some(4)),
        ]
    );
    assert!(status.dirty, "a modified tracked file makes the tree dirty");
    assert_eq!(
        (status.ahead, status.behind, status.fetch_error),
        (0, 0, None)
    );
    assert_eq!(
        status.head,
        git(&clone, &["rev-parse", "--short", "main"]).trim()
    );
}

#[test]
fn untracked_files_do_not_make_the_tree_dirty_and_local_commits_count_as_ahead() {
    let world = World::new();
    let clone = world.clone_as("alice", &alice());
    fs::write(clone.join("notes.txt"), "untracked\n").unwrap();
    fs::write(clone.join("README.md"), "# fork\nmore\n").unwrap();
    git(&clone, &["commit", "--quiet", "-am", "Local note"]);

    let status = fork(&clone).status(&[dev()]).unwrap();

    assert!(!status.dirty);
    assert_eq!((status.ahead, status.behind), (1, 0));
}

#[test]
fn an_unreadable_pin_is_reported_for_that_environment_only() {
    let world = World::new();
    let clone = world.clone_as("alice", &alice());
    let missing = env(
        "qa",
        PinRule::Pattern("qaVersion = \"{version}\"".into()),
        "lib/config.ts",
        false,
    );

    let status = fork(&clone).status(&[missing, dev()]).unwrap();

    let why = status.pins[0].version.clone().unwrap_err();
    assert!(
        why.contains("lib/config.ts") && why.contains("matches nowhere"),
        "{why}"
    );
    assert_eq!(status.pins[1].version, Ok(v("v1.0.0")));
}

#[test]
fn an_unreachable_remote_is_a_fetch_error_and_the_rest_is_still_reported() {
    let world = World::new();
    let clone = world.clone_as("alice", &alice());
    git(
        &clone,
        &["remote", "set-url", "origin", "/nonexistent/origin.git"],
    );

    let status = fork(&clone).status(&[dev()]).unwrap();

    assert!(status.fetch_error.is_some());
    assert_eq!(status.pins[0].version, Ok(v("v1.0.0")));
}

#[test]
fn status_sees_what_others_pushed_as_behind() {
    let world = World::new();
    let alice_clone = world.clone_as("alice", &alice());
    let bob_clone = world.clone_as("bob", &bob());
    fork(&bob_clone)
        .pin(&change(dev(), "v1.0.0", "v1.1.0"))
        .unwrap();

    let status = fork(&alice_clone).status(&[dev()]).unwrap();

    assert_eq!((status.ahead, status.behind), (0, 1));
    assert_eq!(
        status.pins[0].version,
        Ok(v("v1.1.0")),
        "what the remote has is what the pipeline deploys"
    );
    assert_eq!(
        status.head,
        git(&alice_clone, &["rev-parse", "--short", "origin/main"]).trim()
    );
}

#[test]
fn promote_pushes_a_commit_that_changes_only_the_version_literal() {
    let world = World::new();
    let clone = world.clone_as("alice", &alice());
    let fork = fork(&clone);
    let promote = change(staging(), "v1.0.0", "v1.1.0");
    let expected_message = fork.commit_message(&promote).unwrap();

    let done = fork.pin(&promote).unwrap();

    let pushed = world.origin(&["show", "main:lib/config.ts"]);
    let parent = world.origin(&["show", "main~1:lib/config.ts"]);
    assert_eq!(parent, CONFIG_TS);
    assert_eq!(
        pushed,
        CONFIG_TS.replace(
            "stagingVersion\t=  \"v1.0.0\"",
            "stagingVersion\t=  \"v1.1.0\""
        )
    );
    assert_eq!(
        world.origin(&["diff", "--name-only", "main~1", "main"]),
        "lib/config.ts\n"
    );
    assert_eq!(world.origin(&["rev-parse", "main"]).trim(), done.commit);

    let message = world.origin(&["log", "-1", "--format=%B", "main"]);
    assert_eq!(message.trim_end(), expected_message.trim_end());
    assert!(
        message.starts_with("Pin staging to v1.1.0\n\n"),
        "{message}"
    );
    assert!(message.contains("v1.0.0 → v1.1.0"), "{message}");
    let trailers = world.origin(&["log", "-1", "--format=%(trailers:only,unfold)", "main"]);
    assert_eq!(
        trailers.trim_end(),
        "Shiftdeck-Action: promote\nShiftdeck-Env: staging\nReleased-by: Alice Release <alice@example.com>"
    );
    assert_eq!(
        world
            .origin(&["log", "-1", "--format=%an <%ae>|%cn <%ce>", "main"])
            .trim(),
        "Alice Release <alice@example.com>|Alice Release <alice@example.com>"
    );

    assert_eq!(
        fs::read_to_string(clone.join("lib/config.ts")).unwrap(),
        pushed,
        "the work tree follows"
    );
    assert_eq!(git(&clone, &["status", "--porcelain"]), "");
    assert_eq!(
        git(&clone, &["rev-parse", "main", "origin/main"]),
        format!("{0}\n{0}\n", done.commit)
    );
    let short = git(&clone, &["rev-parse", "--short", "main"]);
    assert_eq!(
        done.calls,
        [
            "git fetch --prune origin".to_string(),
            format!(
                "git commit {} on main (parent {})",
                short.trim(),
                git(&clone, &["rev-parse", "--short", "main~1"]).trim()
            ),
            format!("git push origin {}:main", short.trim()),
        ]
    );
    fsck(&world.origin);
    fsck(&clone);
}

#[test]
fn a_rollback_says_so_and_carries_its_reason() {
    let world = World::new();
    let clone = world.clone_as("alice", &alice());
    let rollback = PinChange {
        action: ActionKind::Rollback,
        reason: Some("5xx spike on the canary".into()),
        ..change(dev(), "v1.0.0", "v0.9.0")
    };

    fork(&clone).pin(&rollback).unwrap();

    let message = world.origin(&["log", "-1", "--format=%B", "main"]);
    assert!(
        message.starts_with("Roll back dev to v0.9.0\n"),
        "{message}"
    );
    assert!(message.contains("5xx spike on the canary\n"), "{message}");
    assert!(
        message.contains("Shiftdeck-Action: rollback\nShiftdeck-Env: dev\n"),
        "{message}"
    );
}

#[test]
fn a_modified_pin_file_refuses_the_pin_naming_it_and_stays_exactly_as_it_was() {
    let world = World::new();
    let clone = world.clone_as("alice", &alice());
    fs::write(
        clone.join("lib/config.ts"),
        format!("{CONFIG_TS}// wip\r\n"),
    )
    .unwrap();
    let before = snapshot(&clone);

    let error = expect_error(
        fork(&clone).pin(&change(dev(), "v1.0.0", "v1.1.0")),
        ErrorKind::Conflict,
    );

    assert!(
        error
            .message
            .contains("lib/config.ts has uncommitted changes"),
        "{}",
        error.full()
    );
    assert!(
        error
            .hint
            .unwrap()
            .contains("git stash push -- lib/config.ts")
    );
    assert_eq!(snapshot(&clone), before);
    assert_eq!(world.origin(&["rev-list", "--count", "main"]).trim(), "1");
    let status = fork(&clone).status(&[dev()]).unwrap();
    assert!(status.dirty);
    assert_eq!(status.modified, ["lib/config.ts"]);
}

#[test]
fn other_modified_files_are_allowed_and_left_untouched() {
    let world = World::new();
    let clone = world.clone_as("alice", &alice());
    fs::write(clone.join("README.md"), "# fork\nwork in progress\n").unwrap();
    fs::write(clone.join("cdk.json"), CDK_JSON.replace("npx", "pnpm")).unwrap();
    git(&clone, &["add", "cdk.json"]);
    let status = fork(&clone).status(&[dev(), staging()]).unwrap();
    assert!(
        !status.dirty,
        "no pin file of these environments is modified"
    );
    assert_eq!(status.modified, ["README.md", "cdk.json"]);

    fork(&clone)
        .pin(&change(dev(), "v1.0.0", "v1.1.0"))
        .unwrap();

    assert_eq!(
        fs::read_to_string(clone.join("README.md")).unwrap(),
        "# fork\nwork in progress\n"
    );
    assert_eq!(
        git(&clone, &["status", "--porcelain"]),
        " M README.md\nM  cdk.json\n",
        "the unstaged and the staged change are both still there"
    );
    assert_eq!(
        world.origin(&["diff", "--name-only", "main~1", "main"]),
        "lib/config.ts\n"
    );
    fsck(&clone);
}

#[test]
fn a_colleagues_push_of_something_else_is_built_on_not_refused() {
    let world = World::new();
    let alice_clone = world.clone_as("alice", &alice());
    let bob_clone = world.clone_as("bob", &bob());
    fork(&bob_clone)
        .pin(&change(dev(), "v1.0.0", "v1.1.0"))
        .unwrap();
    fs::write(bob_clone.join("README.md"), "# fork\nby Bob\n").unwrap();
    git(&bob_clone, &["commit", "--quiet", "-am", "Docs"]);
    git(&bob_clone, &["push", "--quiet", "origin", "main"]);
    let bobs_tip = world.origin(&["rev-parse", "main"]);

    let done = fork(&alice_clone)
        .pin(&change(staging(), "v1.0.0", "v1.1.0"))
        .unwrap();

    assert_eq!(world.origin(&["rev-parse", "main~1"]), bobs_tip);
    assert_eq!(world.origin(&["rev-parse", "main"]).trim(), done.commit);
    let config = world.origin(&["show", "main:lib/config.ts"]);
    assert_eq!(
        config,
        CONFIG_TS
            .replace("devVersion = \"v1.0.0\"", "devVersion = \"v1.1.0\"")
            .replace("=  \"v1.0.0\"", "=  \"v1.1.0\"")
    );
    assert_eq!(
        git(&alice_clone, &["rev-parse", "main", "origin/main"]),
        format!("{0}\n{0}\n", done.commit),
        "the local branch fast-forwarded over Bob's commits"
    );
    assert_eq!(
        fs::read_to_string(alice_clone.join("lib/config.ts")).unwrap(),
        config
    );
    assert_eq!(
        fs::read_to_string(alice_clone.join("README.md")).unwrap(),
        "# fork\nby Bob\n"
    );
    assert_eq!(git(&alice_clone, &["status", "--porcelain"]), "");
    fsck(&alice_clone);
    fsck(&world.origin);
}

#[test]
fn a_colleagues_change_to_a_file_modified_here_is_refused() {
    let world = World::new();
    let alice_clone = world.clone_as("alice", &alice());
    let bob_clone = world.clone_as("bob", &bob());
    fs::write(bob_clone.join("README.md"), "# fork\nby Bob\n").unwrap();
    git(&bob_clone, &["commit", "--quiet", "-am", "Docs"]);
    git(&bob_clone, &["push", "--quiet", "origin", "main"]);
    fs::write(alice_clone.join("README.md"), "# fork\nby Alice\n").unwrap();
    let origin_before = world.origin(&["rev-parse", "main"]);
    let local_before = git(&alice_clone, &["rev-parse", "main"]);

    let error = expect_error(
        fork(&alice_clone).pin(&change(staging(), "v1.0.0", "v1.1.0")),
        ErrorKind::Conflict,
    );

    assert!(
        error.message.contains("README.md has uncommitted changes"),
        "{}",
        error.full()
    );
    assert_eq!(world.origin(&["rev-parse", "main"]), origin_before);
    assert_eq!(git(&alice_clone, &["rev-parse", "main"]), local_before);
    assert_eq!(
        git(&alice_clone, &["status", "--porcelain"]),
        " M README.md\n"
    );
}

#[test]
fn a_diverged_branch_is_refused() {
    let world = World::new();
    let alice_clone = world.clone_as("alice", &alice());
    let bob_clone = world.clone_as("bob", &bob());
    fork(&bob_clone)
        .pin(&change(dev(), "v1.0.0", "v1.1.0"))
        .unwrap();
    fs::write(alice_clone.join("README.md"), "# fork\nlocal\n").unwrap();
    git(&alice_clone, &["commit", "--quiet", "-am", "Local change"]);
    let before = snapshot(&alice_clone);

    let error = expect_error(
        fork(&alice_clone).pin(&change(staging(), "v1.0.0", "v1.1.0")),
        ErrorKind::Conflict,
    );

    assert!(error.message.contains("diverged"), "{}", error.full());
    let (tips, _, config, cdk, readme) = before;
    let after = snapshot(&alice_clone);
    assert_eq!(
        (after.0 != tips, after.2, after.3, after.4),
        (true, config, cdk, readme),
        "only the fetch moved origin/main"
    );
    assert_eq!(
        after.0.lines().next(),
        tips.lines().next(),
        "main did not move"
    );
}

#[test]
fn a_pin_changed_by_someone_else_meanwhile_is_refused() {
    let world = World::new();
    let alice_clone = world.clone_as("alice", &alice());
    let bob_clone = world.clone_as("bob", &bob());
    fork(&bob_clone)
        .pin(&change(staging(), "v1.0.0", "v1.2.0"))
        .unwrap();
    git(&alice_clone, &["pull", "--quiet", "--ff-only"]);
    let before = snapshot(&alice_clone);

    let error = expect_error(
        fork(&alice_clone).pin(&change(staging(), "v1.0.0", "v1.1.0")),
        ErrorKind::Conflict,
    );

    assert!(
        error.message.contains("\"v1.2.0\"") && error.message.contains("meanwhile"),
        "{}",
        error.full()
    );
    assert!(
        error
            .message
            .contains("Bob Approver <bob@example.com> set it in"),
        "{}",
        error.full()
    );
    assert_eq!(snapshot(&alice_clone), before);
}

#[test]
fn a_pin_changed_by_a_colleague_is_refused_even_before_pulling_naming_them() {
    let world = World::new();
    let alice_clone = world.clone_as("alice", &alice());
    let bob_clone = world.clone_as("bob", &bob());
    fork(&bob_clone)
        .pin(&change(staging(), "v1.0.0", "v1.2.0"))
        .unwrap();
    let local_before = git(&alice_clone, &["rev-parse", "main"]);

    let error = expect_error(
        fork(&alice_clone).pin(&change(staging(), "v1.0.0", "v1.1.0")),
        ErrorKind::Conflict,
    );

    assert!(
        error
            .message
            .contains("origin/main now pins staging to \"v1.2.0\"")
            && error.message.contains("Bob Approver <bob@example.com>")
            && error.message.contains("Pin staging to v1.2.0"),
        "{}",
        error.full()
    );
    assert_eq!(git(&alice_clone, &["rev-parse", "main"]), local_before);
    assert_eq!(git(&alice_clone, &["status", "--porcelain"]), "");
}

#[test]
fn a_proposal_is_pushed_to_its_own_branch_and_shown_with_its_proposer() {
    let world = World::new();
    let alice_clone = world.clone_as("alice", &alice());
    let bob_clone = world.clone_as("bob", &bob());
    let main_before = world.origin(&["rev-parse", "main"]);

    let done = fork(&alice_clone)
        .pin(&change(prod(), "v1.0.0", "v1.1.0"))
        .unwrap();

    assert_eq!(done.branch, "shiftdeck/proposal/prod");
    assert_eq!(
        world.origin(&["rev-parse", "main"]),
        main_before,
        "the deploy branch is untouched"
    );
    assert_eq!(
        world
            .origin(&["rev-parse", "shiftdeck/proposal/prod"])
            .trim(),
        done.commit
    );
    assert_eq!(
        world.origin(&["show", "shiftdeck/proposal/prod:cdk.json"]),
        CDK_JSON.replace("v1.0.0", "v1.1.0")
    );
    let subject = world.origin(&["log", "-1", "--format=%s", "shiftdeck/proposal/prod"]);
    assert_eq!(subject, "Propose pinning prod to v1.1.0\n");
    assert_eq!(
        fs::read_to_string(alice_clone.join("cdk.json")).unwrap(),
        CDK_JSON
    );

    let status = fork(&bob_clone).status(&[dev(), prod()]).unwrap();

    let [proposal] = status.proposals.as_slice() else {
        panic!("{:?}", status.proposals)
    };
    assert_eq!(
        (proposal.env.as_str(), proposal.version.as_str()),
        ("prod", "v1.1.0")
    );
    assert_eq!(proposal.proposer, alice());
    assert!(proposal.current);
    assert_eq!(
        status.pins[1].version,
        Ok(v("v1.0.0")),
        "prod still pins the old version"
    );
}

#[test]
fn a_newer_proposal_supersedes_the_older_one() {
    let world = World::new();
    let alice_clone = world.clone_as("alice", &alice());
    let first = fork(&alice_clone)
        .pin(&change(prod(), "v1.0.0", "v1.1.0"))
        .unwrap();

    let done = fork(&alice_clone)
        .pin(&PinChange {
            replaces_proposal: Some(first.commit),
            ..change(prod(), "v1.0.0", "v1.2.0")
        })
        .unwrap();

    assert_eq!(
        world
            .origin(&["rev-parse", "shiftdeck/proposal/prod"])
            .trim(),
        done.commit
    );
    let status = fork(&alice_clone).status(&[prod()]).unwrap();
    assert_eq!(status.proposals.len(), 1);
    assert_eq!(status.proposals[0].version, v("v1.2.0"));
}

#[test]
fn a_proposal_pushed_meanwhile_is_not_overwritten() {
    let world = World::new();
    let alice_clone = world.clone_as("alice", &alice());
    let bob_clone = world.clone_as("bob", &bob());
    // Alice decided while there was no proposal; Bob proposed before she confirmed.
    let bobs = fork(&bob_clone)
        .pin(&change(prod(), "v1.0.0", "v1.1.0"))
        .unwrap();
    let before = snapshot(&alice_clone);

    let error = expect_error(
        fork(&alice_clone).pin(&change(prod(), "v1.0.0", "v1.2.0")),
        ErrorKind::Conflict,
    );
    assert!(
        error.message.contains("pushed meanwhile"),
        "{}",
        error.full()
    );
    assert_eq!(
        world
            .origin(&["rev-parse", "shiftdeck/proposal/prod"])
            .trim(),
        bobs.commit
    );
    assert_eq!(snapshot(&alice_clone), before);

    // Once she has seen it, she may replace it.
    fork(&alice_clone)
        .pin(&PinChange {
            replaces_proposal: Some(bobs.commit),
            ..change(prod(), "v1.0.0", "v1.2.0")
        })
        .unwrap();
}

#[test]
fn the_proposer_cannot_approve_their_own_proposal() {
    let world = World::new();
    let alice_clone = world.clone_as("alice", &alice());
    fork(&alice_clone)
        .pin(&change(prod(), "v1.0.0", "v1.1.0"))
        .unwrap();
    let before = world.origin(&["show-ref"]);

    let error = expect_error(
        fork(&alice_clone).approve(&prod(), &alice()),
        ErrorKind::Refused,
    );

    assert!(
        error.message.contains("separation of duties"),
        "{}",
        error.full()
    );
    assert_eq!(
        world.origin(&["show-ref"]),
        before,
        "nothing landed and the proposal stays"
    );
}

#[test]
fn another_person_approves_and_the_proposal_lands_with_approved_by() {
    let world = World::new();
    let alice_clone = world.clone_as("alice", &alice());
    let bob_clone = world.clone_as("bob", &bob());
    fork(&alice_clone)
        .pin(&change(prod(), "v1.0.0", "v1.1.0"))
        .unwrap();

    let done = fork(&bob_clone)
        .with_identity(bob())
        .approve(&prod(), &bob())
        .unwrap();

    assert_eq!(
        world.origin(&["show", "main:cdk.json"]),
        CDK_JSON.replace("v1.0.0", "v1.1.0")
    );
    assert_eq!(world.origin(&["rev-parse", "main"]).trim(), done.commit);
    let trailers = world.origin(&["log", "-1", "--format=%(trailers:only,unfold)", "main"]);
    assert_eq!(
        trailers.trim_end(),
        "Shiftdeck-Action: promote\nShiftdeck-Env: prod\nReleased-by: Alice Release <alice@example.com>\nApproved-by: Bob Approver <bob@example.com>"
    );
    assert_eq!(
        world.origin(&["log", "-1", "--format=%an|%cn", "main"]),
        "Alice Release|Bob Approver\n"
    );
    assert_eq!(
        world.origin(&["rev-list", "--count", "main"]),
        "2\n",
        "one commit on top of the old tip"
    );
    assert!(
        !world.origin(&["show-ref"]).contains("shiftdeck/proposal"),
        "the proposal branch is deleted"
    );
    assert!(
        done.calls
            .iter()
            .any(|c| c == "git push origin --delete shiftdeck/proposal/prod"),
        "{:?}",
        done.calls
    );
    assert_eq!(
        fs::read_to_string(bob_clone.join("cdk.json")).unwrap(),
        CDK_JSON.replace("v1.0.0", "v1.1.0")
    );
    assert_eq!(git(&bob_clone, &["status", "--porcelain"]), "");
    fsck(&world.origin);
    fsck(&bob_clone);

    let status = fork(&alice_clone).status(&[prod()]).unwrap();
    assert!(
        status.proposals.is_empty(),
        "the deleted proposal is pruned: {:?}",
        status.proposals
    );
}

#[test]
fn a_proposal_made_before_something_else_landed_is_rebuilt_on_the_new_tip() {
    let world = World::new();
    let alice_clone = world.clone_as("alice", &alice());
    let bob_clone = world.clone_as("bob", &bob());
    fork(&alice_clone)
        .pin(&change(prod(), "v1.0.0", "v1.1.0"))
        .unwrap();
    fork(&bob_clone)
        .pin(&change(dev(), "v1.0.0", "v1.1.0"))
        .unwrap();
    let status = fork(&bob_clone).status(&[prod()]).unwrap();
    assert!(!status.proposals[0].current);
    let dev_tip = world.origin(&["rev-parse", "main"]);

    let done = fork(&bob_clone)
        .with_identity(bob())
        .approve(&prod(), &bob())
        .unwrap();

    assert_eq!(world.origin(&["rev-parse", "main~1"]), dev_tip);
    assert_eq!(world.origin(&["rev-parse", "main"]).trim(), done.commit);
    assert_eq!(
        world.origin(&["show", "main:cdk.json"]),
        CDK_JSON.replace("v1.0.0", "v1.1.0")
    );
    assert!(
        world
            .origin(&["show", "main:lib/config.ts"])
            .contains("devVersion = \"v1.1.0\""),
        "what landed meanwhile is kept"
    );
    assert_eq!(
        world
            .origin(&[
                "log",
                "-1",
                "--format=%an <%ae>|%cn|%(trailers:key=Approved-by,valueonly)",
                "main"
            ])
            .trim(),
        "Alice Release <alice@example.com>|Bob Approver|Bob Approver <bob@example.com>"
    );
    assert!(!world.origin(&["show-ref"]).contains("shiftdeck/proposal"));
    assert_eq!(git(&bob_clone, &["status", "--porcelain"]), "");
    fsck(&world.origin);
}

#[test]
fn a_proposal_whose_pin_changed_meanwhile_is_refused() {
    let world = World::new();
    let alice_clone = world.clone_as("alice", &alice());
    let bob_clone = world.clone_as("bob", &bob());
    fork(&alice_clone)
        .pin(&change(prod(), "v1.0.0", "v1.1.0"))
        .unwrap();
    fork(&bob_clone)
        .pin(&PinChange {
            as_proposal: false,
            ..change(prod(), "v1.0.0", "v1.0.1")
        })
        .unwrap();
    let before = world.origin(&["show-ref"]);

    let error = expect_error(
        fork(&bob_clone).approve(&prod(), &bob()),
        ErrorKind::Conflict,
    );

    assert!(
        error.message.contains("now \"v1.0.1\", not the \"v1.0.0\"")
            && error.message.contains("Bob Approver"),
        "{}",
        error.full()
    );
    assert!(error.hint.unwrap().contains("propose again"));
    assert_eq!(world.origin(&["show-ref"]), before);
    assert_eq!(git(&bob_clone, &["status", "--porcelain"]), "");
}

#[test]
fn the_proposer_is_recognised_whatever_the_case_of_their_email() {
    let world = World::new();
    let alice_clone = world.clone_as("alice", &alice());
    fork(&alice_clone)
        .pin(&change(prod(), "v1.0.0", "v1.1.0"))
        .unwrap();
    let shouting = person("Alice", " ALICE@Example.COM ");
    let error = expect_error(
        fork(&alice_clone).approve(&prod(), &shouting),
        ErrorKind::Refused,
    );
    assert!(
        error.message.contains("separation of duties"),
        "{}",
        error.full()
    );
}

#[test]
fn a_failed_push_changes_nothing_locally_and_keeps_the_attempt() {
    let world = World::new();
    let clone = world.clone_as("alice", &alice());
    let origin_before = world.origin(&["rev-parse", "main"]);
    git(
        &clone,
        &["config", "remote.origin.pushurl", "/nonexistent/origin.git"],
    );
    let before = snapshot(&clone);

    let error = fork(&clone)
        .pin(&change(staging(), "v1.0.0", "v1.1.0"))
        .unwrap_err();

    assert!(
        error
            .message
            .contains("nothing changed here: main is still at"),
        "{}",
        error.full()
    );
    let kept = git(
        &clone,
        &[
            "for-each-ref",
            "--format=%(refname)",
            "refs/shiftdeck/refused/",
        ],
    );
    let kept = kept.trim();
    assert!(
        kept.starts_with("refs/shiftdeck/refused/staging-"),
        "{kept}"
    );
    assert!(error.message.contains(kept), "{}", error.full());
    assert_eq!(
        snapshot(&clone),
        before,
        "branch, index and work tree as they were"
    );
    assert_eq!(world.origin(&["rev-parse", "main"]), origin_before);
    assert!(
        git(&clone, &["show", &format!("{kept}:lib/config.ts")]).contains("=  \"v1.1.0\""),
        "the attempt is kept whole"
    );
    fsck(&clone);

    let status = fork(&clone).status(&[staging()]).unwrap();
    assert_eq!(
        status.pins[0].version,
        Ok(v("v1.0.0")),
        "an unpushed commit pins nothing"
    );
    assert_eq!((status.ahead, status.behind), (0, 0));
    let [refused] = status.refused.as_slice() else {
        panic!("{:?}", status.refused)
    };
    assert_eq!(
        (refused.reference.as_str(), refused.env.as_str()),
        (kept, "staging")
    );
    assert_eq!(refused.subject, "Pin staging to v1.1.0");

    // The next action is not blocked by the kept attempt, and it can be discarded.
    git(&clone, &["config", "--unset", "remote.origin.pushurl"]);
    fork(&clone)
        .pin(&change(dev(), "v1.0.0", "v1.1.0"))
        .unwrap();
    fork(&clone).discard_refused(kept).unwrap();
    assert_eq!(
        git(&clone, &["for-each-ref", "refs/shiftdeck/"]),
        "",
        "discarded"
    );
    assert!(fork(&clone).discard_refused("refs/heads/main").is_err());
}

#[test]
fn a_json_pointer_pin_round_trips_keeping_the_bom_and_layout() {
    let world = World::new();
    let clone = world.clone_as("alice", &alice());
    let direct = PinChange {
        as_proposal: false,
        replaces_proposal: None,
        ..change(prod(), "v1.0.0", "v1.2.0")
    };

    fork(&clone).pin(&direct).unwrap();

    let pushed = world.origin(&["show", "main:cdk.json"]);
    assert_eq!(
        pushed.as_bytes(),
        CDK_JSON.replace("v1.0.0", "v1.2.0").as_bytes()
    );
    assert!(pushed.starts_with('\u{feff}'));
    let status = fork(&clone).status(&[prod()]).unwrap();
    assert_eq!(
        (status.pins[0].version.clone(), status.pins[0].line),
        (Ok(v("v1.2.0")), Some(4))
    );
}

#[test]
fn opening_something_that_is_not_a_fork_says_what_to_do() {
    let world = World::new();
    let not_a_repo = world.dir.path().join("empty");
    fs::create_dir(&not_a_repo).unwrap();
    let error = GitFork::open(&not_a_repo, "origin", "main").unwrap_err();
    assert!(
        error.message.contains("not a git repository"),
        "{}",
        error.full()
    );

    let clone = world.clone_as("alice", &alice());
    let error = GitFork::open(&clone, "upstream", "main").unwrap_err();
    assert_eq!(error.kind, ErrorKind::NotFound);
    assert!(error.hint.unwrap().contains("git remote add upstream"));
}

#[test]
fn the_identity_comes_from_git_config_unless_overridden() {
    let world = World::new();
    let clone = world.clone_as("alice", &alice());
    assert_eq!(fork(&clone).identity().unwrap(), alice());
    assert_eq!(fork(&clone).with_identity(bob()).identity().unwrap(), bob());

    fork(&clone)
        .with_identity(bob())
        .pin(&change(dev(), "v1.0.0", "v1.1.0"))
        .unwrap();
    let released_by = world.origin(&[
        "log",
        "-1",
        "--format=%(trailers:key=Released-by,valueonly)",
        "main",
    ]);
    assert_eq!(released_by.trim(), "Bob Approver <bob@example.com>");
}

#[test]
fn the_pin_history_says_who_pinned_what_when_and_how_and_the_last_fetch() {
    let world = World::new();
    let alice_clone = world.clone_as("alice", &alice());
    let bob_clone = world.clone_as("bob", &bob());
    fork(&alice_clone)
        .pin(&change(dev(), "v1.0.0", "v1.1.0"))
        .unwrap();
    fork(&alice_clone)
        .pin(&change(dev(), "v1.1.0", "v1.2.0"))
        .unwrap();
    fork(&alice_clone)
        .pin(&PinChange {
            action: ActionKind::Rollback,
            reason: Some("5xx on the canary".into()),
            ..change(dev(), "v1.2.0", "v1.1.0")
        })
        .unwrap();
    fork(&alice_clone)
        .pin(&change(prod(), "v1.0.0", "v1.3.0"))
        .unwrap();
    fork(&bob_clone)
        .with_identity(bob())
        .approve(&prod(), &bob())
        .unwrap();
    let fetch_head = alice_clone.join(".git/FETCH_HEAD");
    let _ = fs::remove_file(&fetch_head);
    let unfetched = fork(&alice_clone);
    git(
        &alice_clone,
        &["remote", "set-url", "origin", "/nonexistent"],
    );
    assert_eq!(unfetched.status(&[dev()]).unwrap().last_fetch, None);
    git(
        &alice_clone,
        &[
            "remote",
            "set-url",
            "origin",
            world.origin.to_str().unwrap(),
        ],
    );

    let status = fork(&alice_clone)
        .status(&[dev(), staging(), prod()])
        .unwrap();

    let lines: Vec<String> = status
        .history
        .iter()
        .map(|e| {
            format!(
                "{} {}→{} {} by {} approved {}",
                e.env,
                e.from.as_deref().unwrap_or("-"),
                e.to,
                e.action.as_deref().unwrap_or("-"),
                e.author.name,
                e.approved_by.as_deref().unwrap_or("-"),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            "prod v1.0.0→v1.3.0 promote by Alice Release approved Bob Approver <bob@example.com>",
            "dev v1.2.0→v1.1.0 rollback by Alice Release approved -",
            "dev v1.1.0→v1.2.0 promote by Alice Release approved -",
            "dev v1.0.0→v1.1.0 promote by Alice Release approved -",
            "dev -→v1.0.0 - by Seed approved -",
            "staging -→v1.0.0 - by Seed approved -",
            "prod -→v1.0.0 - by Seed approved -",
        ]
    );
    // Each event is the commit git itself shows, with the same trailers.
    let newest = &status.history[0];
    assert_eq!(world.origin(&["rev-parse", "main"]).trim(), newest.commit);
    let trailers = world.origin(&["log", "-1", "--format=%(trailers:only,unfold)", "main"]);
    let ours: Vec<String> = newest
        .trailers
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    assert_eq!(trailers.trim_end(), ours.join("\n"));
    assert_eq!(
        status.history[1].at.0 / 1000,
        world
            .origin(&["log", "-1", "--format=%ct", "main~1"])
            .trim()
            .parse::<i64>()
            .unwrap()
    );
    assert_eq!(status.previous_pin("dev"), Some("v1.2.0"));
    assert_eq!(status.previous_pin("prod"), Some("v1.0.0"));
    assert_eq!(status.previous_pin("staging"), None);
    assert!(status.last_fetch.is_some(), "a fetch just succeeded");
}
