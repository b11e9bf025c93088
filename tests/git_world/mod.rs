//! Real repositories for the git adapter's tests: a bare origin seeded with a CDK repository,
//! clones of it for the people in a scenario, and a `git daemon` serving the origin where server
//! behaviour matters (hooks run only behind a real server, not over libgit2's local transport).
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use shiftdeck::domain::audit::ActionKind;
use shiftdeck::domain::pin::{PinLocator, PinRule};
use shiftdeck::domain::version::Version;
use shiftdeck::environment::Environment;
use shiftdeck::git::GitFork;
use shiftdeck::ports::{ErrorKind, Identity, PinChange, PortError};
use tempfile::TempDir;

pub const CONFIG_TS: &str = "// Pinned versions, one per environment.\r\nexport const devVersion = \"v1.0.0\";\r\nexport const stagingVersion\t=  \"v1.0.0\"; // ünïcode ✓\r\n";
pub const CDK_JSON: &str = "\u{feff}{\n  \"app\": \"npx ts-node bin/app.ts\",\n  \"context\": {\n    \"prodVersion\": \"v1.0.0\",\n    \"a/b\": 1\n  }\n}\n";

/// A bare origin seeded with a CDK repository, and clones of it for the people in a scenario.
pub struct World {
    pub dir: TempDir,
    pub origin: PathBuf,
}

impl World {
    pub fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let origin = dir.path().join("origin.git");
        git(
            dir.path(),
            &["init", "--quiet", "--bare", "-b", "main", "origin.git"],
        );
        let world = World { dir, origin };
        let seed = world.clone_as("seed", &person("Seed", "seed@example.com"));
        fs::create_dir_all(seed.join("lib")).unwrap();
        fs::write(seed.join("lib/config.ts"), CONFIG_TS).unwrap();
        fs::write(seed.join("cdk.json"), CDK_JSON).unwrap();
        fs::write(seed.join("README.md"), "# fork\n").unwrap();
        git(&seed, &["add", "."]);
        git(&seed, &["commit", "--quiet", "-m", "Initial fork"]);
        git(&seed, &["push", "--quiet", "origin", "main"]);
        world
    }

    pub fn clone_as(&self, name: &str, who: &Identity) -> PathBuf {
        let path = self.dir.path().join(name);
        git(
            self.dir.path(),
            &["clone", "--quiet", self.origin.to_str().unwrap(), name],
        );
        git(&path, &["config", "user.name", &who.name]);
        git(&path, &["config", "user.email", &who.email]);
        git(&path, &["config", "core.autocrlf", "false"]);
        path
    }

    /// `git` run in the bare origin.
    pub fn origin(&self, args: &[&str]) -> String {
        git(&self.origin, args)
    }
}

pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = git_output(dir, args);
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

pub fn git_output(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .unwrap()
}

pub fn fsck(dir: &Path) {
    git(dir, &["fsck", "--strict", "--no-progress"]);
}

pub fn person(name: &str, email: &str) -> Identity {
    Identity {
        name: name.into(),
        email: email.into(),
    }
}

pub fn alice() -> Identity {
    person("Alice Release", "alice@example.com")
}

pub fn bob() -> Identity {
    person("Bob Approver", "bob@example.com")
}

pub fn env(name: &str, rule: PinRule, file: &str, requires_approval: bool) -> Environment {
    Environment {
        name: name.into(),
        pin: PinLocator {
            file: file.into(),
            rule,
        },
        region: None,
        profile: None,
        application: "ltbase".into(),
        deployment_groups: vec![],
        requires_approval,
        require_signed_approval: false,
        protected: requires_approval,
        accent: None,
        alias: "Prod".into(),
    }
}

pub fn dev() -> Environment {
    env(
        "dev",
        PinRule::Pattern("devVersion = \"{version}\"".into()),
        "lib/config.ts",
        false,
    )
}

pub fn staging() -> Environment {
    env(
        "staging",
        PinRule::Pattern("stagingVersion = \"{version}\"".into()),
        "lib/config.ts",
        false,
    )
}

pub fn prod() -> Environment {
    env(
        "prod",
        PinRule::JsonPointer("/context/prodVersion".into()),
        "cdk.json",
        true,
    )
}

pub fn v(s: &str) -> Version {
    Version::parse(s).unwrap()
}

pub fn change(env: Environment, from: &str, to: &str) -> PinChange {
    PinChange {
        as_proposal: env.requires_approval,
        env,
        from: Some(v(from)),
        to: v(to),
        action: ActionKind::Promote,
        reason: None,
        replaces_proposal: None,
    }
}

pub fn fork(path: &Path) -> GitFork {
    GitFork::open(path, "origin", "main").unwrap()
}

/// Everything a refused action must leave as it was: branch tips, status, and the files.
pub fn snapshot(clone: &Path) -> (String, String, Vec<u8>, Vec<u8>, Vec<u8>) {
    (
        git(clone, &["rev-parse", "main", "origin/main"]),
        git(clone, &["status", "--porcelain"]),
        fs::read(clone.join("lib/config.ts")).unwrap(),
        fs::read(clone.join("cdk.json")).unwrap(),
        fs::read(clone.join("README.md")).unwrap(),
    )
}

pub fn expect_error(result: Result<impl std::fmt::Debug, PortError>, kind: ErrorKind) -> PortError {
    let error = result.expect_err("the action should have been refused");
    assert_eq!(error.kind, kind, "{}", error.full());
    error
}

/// A `git daemon` serving the world's directory over git://127.0.0.1, pushes enabled, so the
/// origin's hooks run as they would on a real server. Stopped when dropped.
pub struct Daemon {
    child: std::process::Child,
    pub port: u16,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Daemon {
    pub fn url(&self) -> String {
        format!("git://127.0.0.1:{}/origin.git", self.port)
    }
}

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until something accepts connections on `port`; panics (failing the test) otherwise.
pub fn wait_for_port(port: u16, what: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "{what} did not start listening on 127.0.0.1:{port}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

impl World {
    /// Serves the origin with `git daemon` and points `clones` at it.
    pub fn serve(&self, clones: &[&Path]) -> Daemon {
        let port = free_port();
        // git-daemon itself, not `git daemon`: the wrapper would leave it running when killed.
        let exec_path = git(self.dir.path(), &["--exec-path"]);
        let child = Command::new(Path::new(exec_path.trim()).join("git-daemon"))
            .arg("--reuseaddr")
            .arg("--listen=127.0.0.1")
            .arg(format!("--port={port}"))
            .arg(format!("--base-path={}", self.dir.path().display()))
            .arg("--export-all")
            .arg("--enable=receive-pack")
            .arg(self.dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("git daemon must start for this test");
        let daemon = Daemon { child, port };
        wait_for_port(port, "git daemon");
        for clone in clones {
            git(clone, &["remote", "set-url", "origin", &daemon.url()]);
        }
        daemon
    }

    /// Installs `script` as the origin's `name` hook.
    pub fn hook(&self, name: &str, script: &str) {
        use std::os::unix::fs::PermissionsExt;
        let path = self.origin.join("hooks").join(name);
        fs::write(&path, script).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    }
}
