//! Time limits and cancelling against a remote that accepts the connection and never answers.
//! libgit2's socket limits are process-wide, so these tests have a binary of their own and all
//! use the same limits.

mod git_world;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use git_world::*;
use shiftdeck::git::{GitFork, NetworkLimits};
use shiftdeck::ports::{ErrorKind, Fork};

const LIMITS: NetworkLimits = NetworkLimits {
    connect: Duration::from_secs(2),
    idle: Duration::from_secs(2),
};
/// Slack for a loaded machine; the point is "ends within its limit", not how fast.
const MARGIN: Duration = Duration::from_secs(8);

/// A listener that accepts every connection and never sends a byte; stops with the test.
fn hung_remote() -> (u16, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    let keeper = std::thread::spawn(move || {
        let mut held = Vec::new();
        let until = Instant::now() + Duration::from_secs(60);
        while Instant::now() < until && held.len() < 16 {
            match listener.accept() {
                Ok((stream, _)) => held.push(stream),
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    });
    (port, keeper)
}

fn hung_fork(world: &World, port: u16) -> (std::path::PathBuf, GitFork) {
    let clone = world.clone_as("alice", &alice());
    git(
        &clone,
        &[
            "remote",
            "set-url",
            "origin",
            &format!("git://127.0.0.1:{port}/origin.git"),
        ],
    );
    let fork = GitFork::open(&clone, "origin", "main")
        .unwrap()
        .with_network_limits(LIMITS);
    (clone, fork)
}

#[test]
fn a_remote_that_never_answers_is_a_timeout_naming_it_within_the_limit() {
    let world = World::new();
    let (port, _keeper) = hung_remote();
    let (clone, fork) = hung_fork(&world, port);
    let before = snapshot(&clone);

    let started = Instant::now();
    let status = fork.status(&[dev()]).unwrap();
    let took = started.elapsed();
    let error = status.fetch_error.expect("the fetch fails");
    assert!(
        error.contains("origin did not answer within its time limit"),
        "{error}"
    );
    assert!(took < LIMITS.idle + MARGIN, "took {took:?}");
    eprintln!("status against a hung remote returned after {took:?}");

    let started = Instant::now();
    let error = expect_error(
        fork.pin(&change(dev(), "v1.0.0", "v1.1.0")),
        ErrorKind::Timeout,
    );
    let took = started.elapsed();
    assert!(took < LIMITS.idle + MARGIN, "took {took:?}");
    assert!(error.message.contains("origin"), "{}", error.full());
    assert!(error.hint.unwrap().contains("idle_timeout_secs"));
    assert_eq!(snapshot(&clone), before, "nothing was written");
    eprintln!("pin against a hung remote returned after {took:?}");
}

#[test]
fn the_git_command_line_transport_is_cancelled_at_once_and_times_out_too() {
    let world = World::new();
    let (port, _keeper) = hung_remote();
    let (_clone, fork) = hung_fork(&world, port);
    let fork = fork.with_git_cli(true);

    let started = Instant::now();
    let error = std::thread::scope(|s| {
        let call = s.spawn(|| fork.status(&[dev()]));
        std::thread::sleep(Duration::from_millis(300));
        fork.cancel();
        call.join().unwrap()
    })
    .unwrap()
    .fetch_error
    .expect("the fetch fails");
    let took = started.elapsed();
    assert!(error.contains("was cancelled"), "{error}");
    assert!(
        took < Duration::from_secs(2),
        "a cancel ends it at once, took {took:?}"
    );
    eprintln!("cancel of a hung git fetch returned after {took:?}");

    status_times_out_within_the_limit(&fork);
}

#[test]
fn an_ssh_that_hangs_under_the_git_command_line_ends_at_the_limit_too() {
    let world = World::new();
    let clone = world.clone_as("alice", &alice());
    git(
        &clone,
        &["remote", "set-url", "origin", "ssh://127.0.0.1/origin.git"],
    );
    // The ssh git starts never answers and outlives git when git is killed, holding the pipe
    // git's errors come through: the call must not wait for it.
    let marker = format!("hung-ssh-{}", std::process::id());
    git(
        &clone,
        &[
            "config",
            "core.sshCommand",
            &format!("sleep 30; : {marker}"),
        ],
    );
    // As OpenSSH, so that git does not first probe the command with `-G` (quietly).
    git(&clone, &["config", "ssh.variant", "ssh"]);
    let fork = GitFork::open(&clone, "origin", "main")
        .unwrap()
        .with_network_limits(LIMITS)
        .with_git_cli(true);

    status_times_out_within_the_limit(&fork);
    // And the ssh went with git: a cockpit running through an outage collects none.
    let alive = || {
        std::fs::read_dir("/proc")
            .unwrap()
            .filter_map(|e| std::fs::read(e.ok()?.path().join("cmdline")).ok())
            .any(|cmdline| String::from_utf8_lossy(&cmdline).contains(&marker))
    };
    let until = Instant::now() + Duration::from_secs(5);
    while alive() && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!alive(), "the ssh git started outlived it");
}

/// A status of `fork`, whose remote never answers, ends in a time-out within its limits.
fn status_times_out_within_the_limit(fork: &GitFork) {
    let started = Instant::now();
    let error = fork.status(&[dev()]).unwrap().fetch_error.unwrap();
    let took = started.elapsed();
    assert!(
        error.contains("did not answer within its time limit"),
        "{error}"
    );
    assert!(
        took < LIMITS.connect + LIMITS.idle + MARGIN,
        "took {took:?}"
    );
}
