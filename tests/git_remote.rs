//! The git adapter against a real server (`git daemon` with hooks): refused pushes, a remote that
//! moves between the fetch and the push, and two people pushing at once.

mod git_world;

use std::fs;

use git_world::*;
use shiftdeck::ports::{ErrorKind, Fork, PinChange};

#[test]
fn a_push_refused_by_a_hook_moves_nothing_keeps_the_attempt_and_gives_the_remotes_words() {
    let world = World::new();
    let clone = world.clone_as("alice", &alice());
    let _daemon = world.serve(&[&clone]);
    world.hook(
        "pre-receive",
        "#!/bin/sh\necho 'main requires signed commits (policy 7)' >&2\nexit 1\n",
    );
    let origin_before = world.origin(&["rev-parse", "main"]);
    let before = snapshot(&clone);

    let error = expect_error(
        fork(&clone).pin(&change(staging(), "v1.0.0", "v1.1.0")),
        ErrorKind::Refused,
    );

    assert!(
        error.message.starts_with("push refused by origin: ")
            && error
                .message
                .contains("main requires signed commits (policy 7)")
            && error.message.contains("pre-receive hook declined"),
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
        error.message.contains(kept) && !kept.is_empty(),
        "{}",
        error.full()
    );
    assert!(
        error
            .hint
            .as_deref()
            .unwrap()
            .contains("a retry meets the same rule"),
        "{}",
        error.full()
    );
    assert_eq!(
        snapshot(&clone),
        before,
        "main, the index and the work tree as they were"
    );
    assert_eq!(git(&clone, &["status", "--porcelain"]), "");
    assert_eq!(world.origin(&["rev-parse", "main"]), origin_before);
    fsck(&clone);

    let status = fork(&clone).status(&[staging()]).unwrap();
    assert_eq!(status.pins[0].version, Ok(v("v1.0.0")));
    assert_eq!(
        (status.ahead, status.behind),
        (0, 0),
        "nothing blocks the next action"
    );
    assert_eq!(status.refused.len(), 1);

    // Once the server accepts, pushing the kept attempt as the hint says lands it unchanged.
    world.hook("pre-receive", "#!/bin/sh\nexit 0\n");
    git(
        &clone,
        &["push", "--quiet", "origin", &format!("{kept}:main")],
    );
    assert!(
        world
            .origin(&["show", "main:lib/config.ts"])
            .contains("=  \"v1.1.0\"")
    );
}

#[test]
fn when_the_remote_moves_between_fetch_and_push_the_pin_is_rebuilt_on_the_new_tip() {
    let world = World::new();
    let alice_clone = world.clone_as("alice", &alice());
    let bob_clone = world.clone_as("bob", &bob());
    // Bob's commit reaches the server first, aside; the hook then moves main to it in the very
    // moment Alice's first push arrives, as a colleague's push would.
    fs::write(bob_clone.join("README.md"), "# fork\nby Bob\n").unwrap();
    git(&bob_clone, &["commit", "--quiet", "-am", "Docs"]);
    git(
        &bob_clone,
        &["push", "--quiet", "origin", "main:refs/heads/bob"],
    );
    let bobs = git(&bob_clone, &["rev-parse", "HEAD"]);
    let _daemon = world.serve(&[&alice_clone]);
    world.hook(
        "pre-receive",
        &format!(
            "#!/bin/sh\nif [ ! -e moved ]; then touch moved; env -u GIT_QUARANTINE_PATH git update-ref refs/heads/main {}; fi\nexit 0\n",
            bobs.trim()
        ),
    );

    let done = fork(&alice_clone)
        .pin(&change(dev(), "v1.0.0", "v1.1.0"))
        .unwrap();

    assert_eq!(world.origin(&["rev-parse", "main"]).trim(), done.commit);
    assert_eq!(
        world.origin(&["rev-parse", "main~1"]),
        bobs,
        "built on Bob's commit"
    );
    assert_eq!(
        done.calls
            .iter()
            .filter(|c| c.starts_with("git fetch"))
            .count(),
        2,
        "fetched again after the first push met the moved branch: {:?}",
        done.calls
    );
    assert_eq!(
        world.origin(&["diff", "--name-only", "main~1", "main"]),
        "lib/config.ts\n"
    );
    assert_eq!(git(&alice_clone, &["status", "--porcelain"]), "");
    assert_eq!(
        git(&alice_clone, &["rev-parse", "main", "origin/main"]),
        format!("{0}\n{0}\n", done.commit)
    );
    fsck(&world.origin);
}

fn race(first: PinChange, second: PinChange) -> (World, Vec<Result<String, String>>) {
    let world = World::new();
    let alice_clone = world.clone_as("alice", &alice());
    let bob_clone = world.clone_as("bob", &bob());
    let daemon = world.serve(&[&alice_clone, &bob_clone]);
    let barrier = std::sync::Barrier::new(2);
    let results = std::thread::scope(|s| {
        let runs: Vec<_> = [(alice_clone.clone(), first), (bob_clone.clone(), second)]
            .into_iter()
            .map(|(clone, change)| {
                let barrier = &barrier;
                s.spawn(move || {
                    barrier.wait();
                    fork(&clone)
                        .pin(&change)
                        .map(|c| c.commit)
                        .map_err(|e| e.full())
                })
            })
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    drop(daemon);
    for clone in [&alice_clone, &bob_clone] {
        assert_eq!(git(clone, &["status", "--porcelain"]), "", "{results:?}");
        fsck(clone);
    }
    fsck(&world.origin);
    (world, results)
}

#[test]
fn two_people_pinning_the_same_environment_at_once_one_wins_and_nothing_is_lost() {
    let (world, results) = race(
        change(staging(), "v1.0.0", "v1.1.0"),
        change(staging(), "v1.0.0", "v1.2.0"),
    );

    let won: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    let lost: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert_eq!((won.len(), lost.len()), (1, 1), "{results:?}");
    assert_eq!(world.origin(&["rev-parse", "main"]).trim(), won[0].as_str());
    assert_eq!(world.origin(&["rev-list", "--count", "main"]), "2\n");
    assert!(
        lost[0].contains("someone changed it meanwhile"),
        "the other is told who changed it to what: {}",
        lost[0]
    );
}

#[test]
fn two_people_pinning_different_environments_at_once_both_land() {
    let (world, results) = race(
        change(dev(), "v1.0.0", "v1.1.0"),
        change(staging(), "v1.0.0", "v1.2.0"),
    );

    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(world.origin(&["rev-list", "--count", "main"]), "3\n");
    let config = world.origin(&["show", "main:lib/config.ts"]);
    assert!(
        config.contains("devVersion = \"v1.1.0\"") && config.contains("=  \"v1.2.0\""),
        "{config}"
    );
}
