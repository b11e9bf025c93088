//! Freezes and the team's audit trail on refs beside the branches of a real remote: a bare
//! origin and clones for several people, results checked with the `git` command line. The
//! concurrent cases push over `git daemon` on loopback, which checks a push's old value like a
//! hosted remote does (libgit2's own transport for a path remote overwrites instead).

use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use shiftdeck::audit_log::{JsonlAudit, SharedAudit};
use shiftdeck::domain::audit::{ActionKind, AuditRecord, Outcome};
use shiftdeck::domain::freeze::Freeze;
use shiftdeck::domain::time::Timestamp;
use shiftdeck::git::GitFork;
use shiftdeck::ports::{Appended, AuditLog, ErrorKind, Fork, Freezes, Identity, TeamTrail};
use tempfile::TempDir;

struct World {
    dir: TempDir,
    origin: PathBuf,
    /// The URL clones push to: the origin's path, or `git://` through a daemon.
    url: String,
    _daemon: Option<Daemon>,
}

impl World {
    fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let origin = dir.path().join("origin.git");
        git(
            dir.path(),
            &["init", "--quiet", "--bare", "-b", "main", "origin.git"],
        );
        let url = origin.to_str().unwrap().to_string();
        let world = World {
            dir,
            origin,
            url,
            _daemon: None,
        };
        let seed = world.clone_as("seed", &person("Seed", "seed@example.com"));
        fs::write(seed.join("README.md"), "# fork\n").unwrap();
        git(&seed, &["add", "."]);
        git(&seed, &["commit", "--quiet", "-m", "Initial fork"]);
        git(&seed, &["push", "--quiet", "origin", "main"]);
        world
    }

    /// The same, served by `git daemon` on a loopback port.
    fn served() -> World {
        let mut world = World::new();
        let daemon = Daemon::start(world.dir.path());
        world.url = format!("git://127.0.0.1:{}/origin.git", daemon.port);
        world._daemon = Some(daemon);
        world
    }

    fn clone_as(&self, name: &str, who: &Identity) -> PathBuf {
        let path = self.dir.path().join(name);
        git(self.dir.path(), &["clone", "--quiet", &self.url, name]);
        git(&path, &["config", "user.name", &who.name]);
        git(&path, &["config", "user.email", &who.email]);
        path
    }

    fn fork(&self, name: &str, who: &Identity) -> GitFork {
        GitFork::open(&self.clone_as(name, who), "origin", "main").unwrap()
    }

    fn origin(&self, args: &[&str]) -> String {
        git(&self.origin, args)
    }
}

/// `git daemon` serving a folder read-write on a free loopback port, stopped on drop.
struct Daemon {
    child: Child,
    port: u16,
}

impl Daemon {
    fn start(base: &Path) -> Daemon {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        // The daemon itself, not the `git` front end, which would leave it running when killed.
        let exec_path = git(base, &["--exec-path"]);
        let child = Command::new(Path::new(exec_path.trim()).join("git-daemon"))
            .arg("--reuseaddr")
            .arg("--listen=127.0.0.1")
            .arg(format!("--port={port}"))
            .arg(format!("--base-path={}", base.display()))
            .args([
                "--export-all",
                "--enable=receive-pack",
                "--informative-errors",
            ])
            .arg(base)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("git daemon starts");
        let daemon = Daemon { child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "git daemon did not listen");
            std::thread::sleep(Duration::from_millis(20));
        }
        daemon
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn person(name: &str, email: &str) -> Identity {
    Identity {
        name: name.into(),
        email: email.into(),
    }
}

fn alice() -> Identity {
    person("Alice Release", "alice@example.com")
}

fn bob() -> Identity {
    person("Bob Oncall", "bob@example.com")
}

fn freeze_of(env: &str, who: &Identity) -> Freeze {
    Freeze {
        env: env.into(),
        reason: format!("incident in {env}"),
        by: who.to_string(),
        at: Timestamp(1_795_428_847_000),
    }
}

fn record(env: &str, n: usize) -> AuditRecord {
    AuditRecord::new(
        Timestamp(1_795_428_847_000 + n as i64 * 1000),
        alice().to_string(),
        env,
        ActionKind::Pin,
        Outcome::Succeeded,
        format!("pinned v1.{n}.0"),
    )
}

#[test]
fn a_freeze_lives_on_its_own_ref_and_every_clone_sees_it() {
    let w = World::new();
    let a = w.fork("alice", &alice());
    let b = w.fork("bob", &bob());
    assert!(b.freezes().unwrap().freezes.is_empty());

    let done = a.freeze(&freeze_of("prod", &alice())).unwrap();
    assert_eq!(done.branch, "refs/shiftdeck/freeze");
    assert!(
        done.calls
            .iter()
            .any(|c| c.starts_with("git push origin ") && c.ends_with(":refs/shiftdeck/freeze")),
        "{:?}",
        done.calls
    );

    let seen = b.freezes().unwrap();
    assert_eq!(seen.fetch_error, None);
    assert_eq!(seen.freezes, [freeze_of("prod", &alice())]);
    assert_eq!(seen.of("prod").unwrap().reason, "incident in prod");
    // The fork's status, fetched with the branches, sees it too: in a third clone that has
    // never fetched the freeze ref on its own.
    let status = w.fork("carol", &bob()).status(&[]).unwrap();
    assert_eq!(status.fetch_error, None);
    assert_eq!(
        status.freezes.unwrap().freezes,
        [freeze_of("prod", &alice())]
    );

    // The deploy branch is untouched, so no pipeline runs; the freeze is a readable file.
    assert_eq!(
        w.origin(&["rev-list", "--count", "main"]).trim(),
        "1",
        "main got no commit"
    );
    let file = w.origin(&["show", "refs/shiftdeck/freeze:prod.json"]);
    assert!(
        file.contains("\"reason\": \"incident in prod\"")
            && file.contains("\"at\": \"2026-11-23T10:14:07Z\""),
        "{file}"
    );
    let log = w.origin(&[
        "log",
        "--format=%an|%s|%(trailers:key=Frozen-by,valueonly)",
        "refs/shiftdeck/freeze",
    ]);
    assert!(
        log.starts_with("Alice Release|Freeze prod|Alice Release <alice@example.com>"),
        "{log}"
    );
    git(&w.origin, &["fsck", "--strict", "--no-progress"]);
}

#[test]
fn with_the_git_command_line_the_first_freeze_and_audit_record_reach_a_remote_without_their_refs() {
    let w = World::new();
    let a = w.fork("alice", &alice()).with_git_cli(true);
    let b = w.fork("bob", &bob()).with_git_cli(true);
    // Neither ref exists yet: that is no freeze and no record, not a failed fetch.
    let none = b.freezes().unwrap();
    assert_eq!(none.fetch_error, None);
    assert!(none.freezes.is_empty());
    let empty = b.team_records().unwrap();
    assert_eq!(empty.fetch_error, None);
    assert!(empty.records.is_empty());

    a.freeze(&freeze_of("prod", &alice())).unwrap();
    assert_eq!(a.publish(&record("prod", 1)).unwrap().sent, 1);

    assert_eq!(b.freezes().unwrap().freezes, [freeze_of("prod", &alice())]);
    let status = b.status(&[]).unwrap();
    assert_eq!(status.fetch_error, None);
    assert_eq!(
        status.freezes.unwrap().freezes,
        [freeze_of("prod", &alice())]
    );
    assert_eq!(b.team_records().unwrap().records, [record("prod", 1)]);
    let refs = w.origin(&["for-each-ref", "--format=%(refname)", "refs/shiftdeck"]);
    assert_eq!(
        refs.lines().collect::<Vec<_>>(),
        ["refs/shiftdeck/audit", "refs/shiftdeck/freeze"]
    );
    git(&w.origin, &["fsck", "--strict", "--no-progress"]);
}

#[test]
fn unfreezing_removes_the_file_and_keeps_the_history() {
    let w = World::new();
    let a = w.fork("alice", &alice());
    let b = w.fork("bob", &bob());
    a.freeze(&freeze_of("prod", &alice())).unwrap();
    a.freeze(&freeze_of("staging", &alice())).unwrap();

    let lifted = b.unfreeze("prod", &bob()).unwrap();
    assert!(
        lifted.message.starts_with("Unfreeze prod"),
        "{}",
        lifted.message
    );
    let now = a.freezes().unwrap().freezes;
    assert_eq!(now, [freeze_of("staging", &alice())]);

    let log = w.origin(&["log", "--format=%an %s", "refs/shiftdeck/freeze"]);
    assert_eq!(
        log.lines().collect::<Vec<_>>(),
        [
            "Bob Oncall Unfreeze prod",
            "Alice Release Freeze staging",
            "Alice Release Freeze prod"
        ]
    );
    assert_eq!(
        w.origin(&["ls-tree", "--name-only", "refs/shiftdeck/freeze"])
            .trim(),
        "staging.json"
    );
    git(&w.origin, &["fsck", "--strict", "--no-progress"]);
}

#[test]
fn freezing_twice_or_unfreezing_what_is_not_frozen_is_refused_and_writes_nothing() {
    let w = World::new();
    let a = w.fork("alice", &alice());
    let b = w.fork("bob", &bob());
    a.freeze(&freeze_of("prod", &alice())).unwrap();
    let tip = w.origin(&["rev-parse", "refs/shiftdeck/freeze"]);

    // Bob has not fetched since, and is refused all the same: the check is on the remote's tip.
    let again = b.freeze(&freeze_of("prod", &bob())).unwrap_err();
    assert_eq!(again.kind, ErrorKind::Refused);
    assert!(
        again.message.contains("already frozen by Alice Release")
            && again.message.contains("incident in prod"),
        "{}",
        again.message
    );
    let nothing = b.unfreeze("dev", &bob()).unwrap_err();
    assert_eq!(nothing.kind, ErrorKind::Refused);
    assert!(
        nothing.message.contains("dev is not frozen"),
        "{}",
        nothing.message
    );
    assert_eq!(w.origin(&["rev-parse", "refs/shiftdeck/freeze"]), tip);
}

#[test]
fn a_freeze_read_without_the_remote_says_so_and_shows_the_last_fetch() {
    let w = World::new();
    let a = w.fork("alice", &alice());
    a.freeze(&freeze_of("prod", &alice())).unwrap();
    let alice_path = w.dir.path().join("alice");
    git(
        &alice_path,
        &["remote", "set-url", "origin", "/nonexistent/origin.git"],
    );
    let read = a.freezes().unwrap();
    assert!(read.fetch_error.is_some());
    assert_eq!(read.freezes, [freeze_of("prod", &alice())]);
}

#[test]
fn two_clones_freezing_at_once_lose_nothing() {
    let w = World::served();
    let envs_a = ["a1", "a2", "a3", "a4"];
    let envs_b = ["b1", "b2", "b3", "b4"];
    let a = w.fork("alice", &alice());
    let b = w.fork("bob", &bob());
    let start = Arc::new(Barrier::new(2));
    let run = |fork: GitFork, who: Identity, envs: [&'static str; 4]| {
        let start = start.clone();
        std::thread::spawn(move || {
            start.wait();
            envs.iter()
                .map(|env| fork.freeze(&freeze_of(env, &who)).unwrap().calls)
                .filter(|calls| calls.iter().filter(|c| c.starts_with("git fetch")).count() > 1)
                .count()
        })
    };
    let ta = run(a, alice(), envs_a);
    let tb = run(b, bob(), envs_b);
    let retried = ta.join().unwrap() + tb.join().unwrap();
    eprintln!("freezes that lost a race and were made again: {retried}");

    let files = w.origin(&["ls-tree", "--name-only", "refs/shiftdeck/freeze"]);
    let mut expected: Vec<String> = envs_a
        .iter()
        .chain(&envs_b)
        .map(|e| format!("{e}.json"))
        .collect();
    expected.sort();
    assert_eq!(files.lines().collect::<Vec<_>>(), expected);
    // One commit per freeze, in one line of history.
    assert_eq!(
        w.origin(&["rev-list", "--count", "refs/shiftdeck/freeze"])
            .trim(),
        "8"
    );
    assert_eq!(
        w.origin(&["rev-list", "--merges", "--count", "refs/shiftdeck/freeze"])
            .trim(),
        "0"
    );
    git(&w.origin, &["fsck", "--strict", "--no-progress"]);
}

#[test]
fn audit_records_reach_the_team_trail_once_each() {
    let w = World::new();
    let dir = tempfile::tempdir().unwrap();
    let a = Arc::new(w.fork("alice", &alice()));
    let log = SharedAudit::new(JsonlAudit::in_dir(dir.path()), a.clone());
    let appended = log.append(&record("prod", 1)).unwrap();
    let Appended::Shared(push) = appended else {
        panic!("not shared: {appended:?}");
    };
    assert_eq!(push.sent, 1);
    log.append(&record("dev", 2)).unwrap();
    // Sending a record the trail has already is harmless.
    let again = a.publish(&record("prod", 1)).unwrap();
    assert_eq!(again.sent, 0);

    let b = w.fork("bob", &bob());
    let team = b.team_records().unwrap();
    assert_eq!(team.fetch_error, None);
    assert_eq!(team.records, [record("prod", 1), record("dev", 2)]);
    assert!(team.unreadable.is_empty());
    assert_eq!(
        log.read_all().unwrap(),
        [record("prod", 1), record("dev", 2)]
    );

    let files = w.origin(&["ls-tree", "-r", "--name-only", "refs/shiftdeck/audit"]);
    assert_eq!(files.lines().count(), 2, "{files}");
    assert!(files.starts_with("2026/11/20261123T101408Z-"), "{files}");
    let log = w.origin(&["log", "--format=%an|%s", "refs/shiftdeck/audit"]);
    assert_eq!(
        log.lines().collect::<Vec<_>>(),
        [
            "Alice Release|Audit: pin dev succeeded",
            "Alice Release|Audit: pin prod succeeded"
        ]
    );
    assert_eq!(w.origin(&["rev-list", "--count", "main"]).trim(), "1");
    git(&w.origin, &["fsck", "--strict", "--no-progress"]);
}

#[test]
fn a_record_that_cannot_be_pushed_waits_in_the_outbox_and_goes_with_the_next_push() {
    let w = World::new();
    let dir = tempfile::tempdir().unwrap();
    let a = Arc::new(w.fork("alice", &alice()));
    let alice_path = w.dir.path().join("alice");
    git(
        &alice_path,
        &["remote", "set-url", "origin", "/nonexistent/origin.git"],
    );
    let log = SharedAudit::new(JsonlAudit::in_dir(dir.path()), a.clone());

    let appended = log.append(&record("prod", 1)).unwrap();
    let Appended::Queued { pending, error } = appended else {
        panic!("pushed to nowhere: {appended:?}");
    };
    assert_eq!(pending, 1);
    assert!(
        error.message.contains("kept on this machine"),
        "{}",
        error.message
    );
    log.append(&record("prod", 2)).unwrap();
    assert_eq!(a.pending().unwrap(), 2);
    // The local log has both all along.
    assert_eq!(log.read_all().unwrap().len(), 2);

    git(
        &alice_path,
        &["remote", "set-url", "origin", w.origin.to_str().unwrap()],
    );
    let sent = a.flush().unwrap();
    assert_eq!(sent.sent, 2);
    assert_eq!(a.pending().unwrap(), 0);
    let team = w.fork("bob", &bob()).team_records().unwrap();
    assert_eq!(team.records, [record("prod", 1), record("prod", 2)]);
}

#[test]
fn two_clones_sharing_records_at_once_lose_none() {
    let w = World::served();
    let start = Arc::new(Barrier::new(2));
    let run = |fork: GitFork, first: usize| {
        let start = start.clone();
        std::thread::spawn(move || {
            start.wait();
            for n in first..first + 5 {
                fork.publish(&record("prod", n)).unwrap();
            }
        })
    };
    let ta = run(w.fork("alice", &alice()), 0);
    let tb = run(w.fork("bob", &bob()), 100);
    ta.join().unwrap();
    tb.join().unwrap();
    let team = w
        .fork("carol", &person("Carol", "c@example.com"))
        .team_records()
        .unwrap();
    let mut seen: Vec<String> = team.records.iter().map(|r| r.message.clone()).collect();
    seen.sort();
    let mut expected: Vec<String> = (0..5)
        .chain(100..105)
        .map(|n| format!("pinned v1.{n}.0"))
        .collect();
    expected.sort();
    assert_eq!(seen, expected);
    git(&w.origin, &["fsck", "--strict", "--no-progress"]);
}

#[test]
fn a_remote_that_refuses_the_ref_writes_nothing_and_the_record_stays_queued() {
    let w = World::served();
    let hook = w.origin.join("hooks/pre-receive");
    fs::create_dir_all(hook.parent().unwrap()).unwrap();
    fs::write(
        &hook,
        "#!/bin/sh\necho 'refs outside branches are not allowed here' >&2\nexit 1\n",
    )
    .unwrap();
    std::process::Command::new("chmod")
        .args(["+x", hook.to_str().unwrap()])
        .status()
        .unwrap();
    let a = w.fork("alice", &alice());
    let e = a.freeze(&freeze_of("prod", &alice())).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict, "{e:?}");
    assert!(
        e.message
            .contains("refs/shiftdeck/freeze could not be pushed"),
        "{}",
        e.message
    );
    assert!(a.publish(&record("prod", 1)).is_err());
    assert_eq!(a.pending().unwrap(), 1);
    let refs = w.origin(&["for-each-ref", "refs/shiftdeck"]);
    assert!(refs.is_empty(), "{refs}");
}
