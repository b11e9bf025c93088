//! Pushing over ssh against a real sshd that each test starts on 127.0.0.1, with keys and a
//! host key made for it.
//!
//! libgit2 reads `$HOME` once, when it starts, to find `~/.ssh/known_hosts`, and the adapter
//! looks for `~/.ssh/id_ed25519` and the others there too; so the fork's side of every test
//! runs in a child process of this test binary whose HOME is a temporary directory: the real
//! `~/.ssh` is never read, and each test has keys of its own. The child only pins and prints
//! what happened; every check is made here, with the `git` command line.

mod git_world;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use git_world::*;
use shiftdeck::ports::Fork;
use tempfile::TempDir;

/// Set in the child: the clone to pin in and the transport to use.
const CHILD_CLONE: &str = "SHIFTDECK_SSH_TEST_CLONE";
const CHILD_TRANSPORT: &str = "SHIFTDECK_SSH_TEST_TRANSPORT";
/// Set in the child to pin as the cockpit does: it owns the terminal, so nothing may prompt.
const CHILD_AS_COCKPIT: &str = "SHIFTDECK_SSH_TEST_AS_COCKPIT";
const RESULT: &str = "SSH-TEST-RESULT ";

/// In the child process: pins dev to v1.1.0 as the real command line would (passphrases may
/// be asked for), prints the outcome, and returns `true` so the test body stops there.
fn ran_as_child() -> bool {
    let Some(clone) = std::env::var_os(CHILD_CLONE) else {
        return false;
    };
    let fork = fork(Path::new(&clone))
        .with_git_cli(std::env::var(CHILD_TRANSPORT).as_deref() == Ok("git"))
        .with_passphrase_prompt(std::env::var_os(CHILD_AS_COCKPIT).is_none());
    let outcome = match fork.pin(&change(dev(), "v1.0.0", "v1.1.0")) {
        Ok(done) => serde_json::json!({ "commit": done.commit }),
        Err(e) => serde_json::json!({ "kind": format!("{:?}", e.kind), "error": e.full() }),
    };
    println!("{RESULT}{outcome}");
    true
}

/// What the child's pin came to: the commit, or the error's kind and full text.
fn pin_in_child(
    test: &str,
    home: &Path,
    clone: &Path,
    transport: &str,
    ssh_command: Option<String>,
) -> Result<String, (String, String)> {
    let mut child = Command::new(std::env::current_exe().unwrap());
    child.args([test, "--exact", "--nocapture", "--test-threads=1"]);
    child_outcome(child, home, clone, transport, ssh_command)
}

/// The child's pin as the cockpit makes it, with a terminal there that ssh could prompt on:
/// `script` runs the child on a pseudo-terminal of its own.
fn pin_as_cockpit_on_a_terminal(
    test: &str,
    home: &Path,
    clone: &Path,
    transport: &str,
    ssh_command: Option<String>,
) -> Result<String, (String, String)> {
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new("script");
    child
        .args(["--quiet", "--return", "--command"])
        .arg(format!(
            "{} {test} --exact --nocapture --test-threads=1",
            exe.display()
        ))
        .arg("/dev/null")
        .env(CHILD_AS_COCKPIT, "1");
    child_outcome(child, home, clone, transport, ssh_command)
}

fn child_outcome(
    mut child: Command,
    home: &Path,
    clone: &Path,
    transport: &str,
    ssh_command: Option<String>,
) -> Result<String, (String, String)> {
    child
        .env(CHILD_CLONE, clone)
        .env(CHILD_TRANSPORT, transport)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        // No agent: the key files are what is being tested.
        .env_remove("SSH_AUTH_SOCK")
        .env_remove("SSH_AGENT_PID")
        .env_remove("GIT_SSH")
        .env_remove("GIT_SSH_COMMAND")
        .stdin(Stdio::null());
    if let Some(command) = ssh_command {
        child.env("GIT_SSH_COMMAND", command);
    }
    let out = child.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.split_once(RESULT).map(|(_, rest)| rest))
        .unwrap_or_else(|| {
            panic!(
                "the child process printed no result:\n{stdout}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    let outcome: serde_json::Value = serde_json::from_str(line).unwrap();
    match outcome["commit"].as_str() {
        Some(commit) => Ok(commit.to_string()),
        None => Err((
            outcome["kind"].as_str().unwrap().to_string(),
            outcome["error"].as_str().unwrap().to_string(),
        )),
    }
}

fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A new ed25519 key pair at `path` (and `path.pub`), with `passphrase` ("" for none).
fn keygen(path: &Path, passphrase: &str) -> PathBuf {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).unwrap();
    }
    run(
        "ssh-keygen",
        &[
            "-q",
            "-t",
            "ed25519",
            "-N",
            passphrase,
            "-C",
            "test",
            "-f",
            path.to_str().unwrap(),
        ],
    );
    path.to_path_buf()
}

fn public(key: &Path) -> String {
    fs::read_to_string(key.with_extension("pub")).unwrap()
}

/// The sshd of one test: on 127.0.0.1:`port`, running as the current user, letting in the
/// keys in `authorized`. Stopped when dropped.
struct Sshd {
    child: std::process::Child,
    port: u16,
    dir: TempDir,
    user: String,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Sshd {
    /// Starts sshd; the test fails, saying why, when it cannot.
    fn start(authorized: &[&Path]) -> Sshd {
        let sshd = Path::new("/usr/sbin/sshd");
        assert!(
            sshd.is_file(),
            "these tests need an ssh server at /usr/sbin/sshd: install openssh-server (`apt-get install openssh-server`; .ci/run does)"
        );
        let dir = tempfile::tempdir().unwrap();
        let host_key = keygen(&dir.path().join("host_key"), "");
        let keys: String = authorized.iter().map(|k| public(k)).collect();
        fs::write(dir.path().join("authorized_keys"), keys).unwrap();
        let root = run("id", &["-u"]).trim() == "0";
        if root && !Path::new("/run/sshd").is_dir() {
            // sshd started as root insists on its privilege separation directory, which the
            // service would otherwise create at boot.
            fs::create_dir_all("/run/sshd").expect("sshd needs /run/sshd to exist");
        }
        let port = free_port();
        let config = dir.path().join("sshd_config");
        fs::write(
            &config,
            format!(
                "ListenAddress 127.0.0.1\nPort {port}\nHostKey {host}\nAuthorizedKeysFile {dir}/authorized_keys\n\
                 StrictModes no\nUsePAM no\nPidFile none\nPasswordAuthentication no\n\
                 KbdInteractiveAuthentication no\nPubkeyAuthentication yes\nPermitRootLogin prohibit-password\n\
                 LogLevel VERBOSE\n",
                host = host_key.display(),
                dir = dir.path().display()
            ),
        )
        .unwrap();
        let log = fs::File::create(dir.path().join("sshd.log")).unwrap();
        let child = Command::new(sshd)
            .args(["-D", "-e", "-f"])
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start /usr/sbin/sshd: {e}"));
        let mut sshd = Sshd {
            child,
            port,
            dir,
            user: run("id", &["-un"]).trim().to_string(),
        };
        let deadline = Instant::now() + Duration::from_secs(15);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            let exited = sshd.child.try_wait().unwrap();
            if exited.is_some() || Instant::now() > deadline {
                panic!(
                    "sshd did not start on 127.0.0.1:{port} ({}): {}",
                    exited.map_or("still not listening after 15 s".into(), |s| s.to_string()),
                    sshd.log()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        sshd
    }

    fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("sshd.log")).unwrap_or_default()
    }

    fn host_key(&self) -> PathBuf {
        self.dir.path().join("host_key")
    }

    /// The known_hosts line OpenSSH writes for this server: `[127.0.0.1]:port type key`.
    fn known_hosts_line(&self) -> String {
        let key = public(&self.host_key());
        let mut fields = key.split_whitespace();
        let (kind, body) = (fields.next().unwrap(), fields.next().unwrap());
        format!("[127.0.0.1]:{} {kind} {body}\n", self.port)
    }

    /// The host key's fingerprint as `ssh-keygen -l` prints it: "SHA256:…".
    fn fingerprint(&self) -> String {
        let out = run(
            "ssh-keygen",
            &[
                "-l",
                "-E",
                "sha256",
                "-f",
                self.host_key().with_extension("pub").to_str().unwrap(),
            ],
        );
        out.split_whitespace().nth(1).unwrap().to_string()
    }

    fn url(&self, repo: &Path) -> String {
        format!(
            "ssh://{}@127.0.0.1:{}{}",
            self.user,
            self.port,
            repo.display()
        )
    }
}

/// A world whose clone pushes to the origin through `sshd`.
fn world_over(sshd: &Sshd) -> (World, PathBuf) {
    let world = World::new();
    let clone = world.clone_as("alice", &alice());
    git(
        &clone,
        &["remote", "set-url", "origin", &sshd.url(&world.origin)],
    );
    (world, clone)
}

/// A home directory with `keys` as `~/.ssh/<name>` and `known_hosts` as `~/.ssh/known_hosts`.
fn home(keys: &[(&str, &Path)], known_hosts: Option<&str>) -> TempDir {
    let home = tempfile::tempdir().unwrap();
    let ssh = home.path().join(".ssh");
    fs::create_dir_all(&ssh).unwrap();
    for (name, key) in keys {
        fs::copy(key, ssh.join(name)).unwrap();
        fs::copy(key.with_extension("pub"), ssh.join(format!("{name}.pub"))).unwrap();
    }
    if let Some(lines) = known_hosts {
        fs::write(ssh.join("known_hosts"), lines).unwrap();
    }
    home
}

fn origin_main(world: &World) -> String {
    world.origin(&["rev-parse", "main"]).trim().to_string()
}

/// The keys of one test: the one sshd lets in, one with a passphrase it also lets in, and one
/// it does not know.
struct Keys {
    _dir: TempDir,
    good: PathBuf,
    locked: PathBuf,
    stranger: PathBuf,
}

fn keys() -> Keys {
    let dir = tempfile::tempdir().unwrap();
    Keys {
        good: keygen(&dir.path().join("good"), ""),
        locked: keygen(&dir.path().join("locked"), "correct horse battery"),
        stranger: keygen(&dir.path().join("stranger"), ""),
        _dir: dir,
    }
}

fn sshd_for(keys: &Keys) -> Sshd {
    Sshd::start(&[&keys.good, &keys.locked])
}

#[test]
fn a_pin_is_pushed_over_ssh_with_the_key_file_in_home() {
    if ran_as_child() {
        return;
    }
    let keys = keys();
    let sshd = sshd_for(&keys);
    let (world, clone) = world_over(&sshd);
    let known = home(&[], Some(&sshd.known_hosts_line()));
    // Hashed as `HashKnownHosts yes` leaves them: the entry must still be found.
    run(
        "ssh-keygen",
        &[
            "-q",
            "-H",
            "-f",
            known.path().join(".ssh/known_hosts").to_str().unwrap(),
        ],
    );
    let hashed = fs::read_to_string(known.path().join(".ssh/known_hosts")).unwrap();
    assert!(hashed.starts_with("|1|"), "{hashed}");
    let home = home(&[("id_ed25519", &keys.good)], Some(&hashed));

    let commit = pin_in_child(
        "a_pin_is_pushed_over_ssh_with_the_key_file_in_home",
        home.path(),
        &clone,
        "libgit2",
        None,
    )
    .unwrap_or_else(|(kind, e)| panic!("{kind}: {e}\nsshd: {}", sshd.log()));

    let log = world.origin(&["log", "-1", "--format=%H %an <%ae>%n%B", "main"]);
    assert!(
        log.starts_with(&format!("{commit} Alice Release <alice@example.com>")),
        "{log}"
    );
    assert!(log.contains("v1.1.0"), "{log}");
    assert_eq!(
        git(&clone, &["rev-parse", "origin/main"]).trim(),
        origin_main(&world)
    );
    assert!(
        sshd.log()
            .contains(&format!("Accepted publickey for {}", sshd.user)),
        "{}",
        sshd.log()
    );
    fsck(&world.origin);
}

#[test]
fn keys_the_server_refuses_are_a_credentials_error_naming_each_key_tried() {
    if ran_as_child() {
        return;
    }
    let keys = keys();
    let sshd = sshd_for(&keys);
    let (world, clone) = world_over(&sshd);
    let other = keygen(&keys._dir.path().join("other"), "");
    let home = home(
        &[("id_ed25519", &keys.stranger), ("id_rsa", &other)],
        Some(&sshd.known_hosts_line()),
    );
    let (before, origin_before) = (snapshot(&clone), origin_main(&world));

    let started = Instant::now();
    let (kind, error) = pin_in_child(
        "keys_the_server_refuses_are_a_credentials_error_naming_each_key_tried",
        home.path(),
        &clone,
        "libgit2",
        None,
    )
    .expect_err("the server knows neither key");
    let took = started.elapsed();

    eprintln!("refused keys, after {took:?}: {error}");
    assert_eq!(kind, "Credentials", "{error}");
    let ssh = home.path().join(".ssh");
    for key in ["id_ed25519", "id_rsa"] {
        assert!(
            error.contains(&ssh.join(key).display().to_string()),
            "{error}"
        );
    }
    assert!(
        error.contains("accepted none of the credentials offered"),
        "{error}"
    );
    assert!(error.contains(&sshd.url(&world.origin)), "{error}");
    assert!(took < Duration::from_secs(30), "took {took:?}");
    assert_eq!(snapshot(&clone), before);
    assert_eq!(origin_main(&world), origin_before);
}

#[test]
fn a_key_with_a_passphrase_is_skipped_without_a_terminal_and_the_error_says_ssh_add() {
    if ran_as_child() {
        return;
    }
    let keys = keys();
    let sshd = sshd_for(&keys);
    let (world, clone) = world_over(&sshd);
    // The server would let this key in: it is skipped, not refused.
    let home = home(
        &[("id_ed25519", &keys.locked)],
        Some(&sshd.known_hosts_line()),
    );
    let origin_before = origin_main(&world);

    let (kind, error) = pin_in_child(
        "a_key_with_a_passphrase_is_skipped_without_a_terminal_and_the_error_says_ssh_add",
        home.path(),
        &clone,
        "libgit2",
        None,
    )
    .expect_err("there is no terminal to ask for the passphrase on");

    eprintln!("a key with a passphrase: {error}");
    assert_eq!(kind, "Credentials", "{error}");
    let key = home.path().join(".ssh/id_ed25519").display().to_string();
    assert!(
        error.contains(&format!("{key} (skipped: it needs its passphrase)")),
        "{error}"
    );
    assert!(error.contains(&format!("`ssh-add {key}`")), "{error}");
    assert!(!sshd.log().contains("Accepted publickey"), "{}", sshd.log());
    assert_eq!(origin_main(&world), origin_before);
}

#[test]
fn an_unknown_or_changed_host_key_is_refused_naming_the_host_and_its_fingerprint() {
    if ran_as_child() {
        return;
    }
    let keys = keys();
    let sshd = sshd_for(&keys);
    let (world, clone) = world_over(&sshd);
    let impostor = keygen(&keys._dir.path().join("impostor"), "");
    let changed = format!(
        "[127.0.0.1]:{} {}",
        sshd.port,
        public(&impostor)
            .split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ")
    );
    let (before, origin_before) = (snapshot(&clone), origin_main(&world));

    for known_hosts in [None, Some(changed.as_str())] {
        let home = home(&[("id_ed25519", &keys.good)], known_hosts);
        let (kind, error) = pin_in_child(
            "an_unknown_or_changed_host_key_is_refused_naming_the_host_and_its_fingerprint",
            home.path(),
            &clone,
            "libgit2",
            None,
        )
        .expect_err("the host key is not trusted");
        eprintln!("host key: {error}");
        assert_eq!(kind, "Credentials", "{error}");
        let at = format!("[127.0.0.1]:{}", sshd.port);
        assert!(
            error.contains(&format!(
                "the ssh host key of origin at {at} (ssh-ed25519 {})",
                sshd.fingerprint()
            )),
            "{error}"
        );
        assert!(
            error.contains(&format!(
                "ssh-keyscan -p {} 127.0.0.1 >> ~/.ssh/known_hosts",
                sshd.port
            )),
            "{error}"
        );
        assert!(!sshd.log().contains("Accepted publickey"), "{}", sshd.log());
        // Nothing was trusted on first use.
        let recorded = fs::read_to_string(home.path().join(".ssh/known_hosts")).unwrap_or_default();
        assert_eq!(recorded, known_hosts.unwrap_or_default());
    }
    assert_eq!(snapshot(&clone), before);
    assert_eq!(origin_main(&world), origin_before);
}

/// An ssh command line for git that uses `key` and trusts `sshd`'s host key. OpenSSH finds ~
/// from the password database, not $HOME: every file it would read there is named, so the
/// real ~/.ssh stays out of it.
fn ssh_command(sshd: &Sshd, home: &TempDir, key: &Path) -> String {
    let known_hosts = home.path().join("known_hosts");
    fs::write(&known_hosts, sshd.known_hosts_line()).unwrap();
    format!(
        "ssh -F /dev/null -i {} -o IdentitiesOnly=yes -o UserKnownHostsFile={} -o GlobalKnownHostsFile=/dev/null",
        key.display(),
        known_hosts.display()
    )
}

#[test]
fn the_git_command_line_pushes_over_ssh_too() {
    if ran_as_child() {
        return;
    }
    let keys = keys();
    let sshd = sshd_for(&keys);
    let (world, clone) = world_over(&sshd);
    let home = home(&[], None);
    let command = format!("{} -o BatchMode=yes", ssh_command(&sshd, &home, &keys.good));

    let commit = pin_in_child(
        "the_git_command_line_pushes_over_ssh_too",
        home.path(),
        &clone,
        "git",
        Some(command),
    )
    .unwrap_or_else(|(kind, e)| panic!("{kind}: {e}\nsshd: {}", sshd.log()));

    let log = world.origin(&["log", "-1", "--format=%H %an%n%B", "main"]);
    assert!(log.starts_with(&format!("{commit} Alice Release")), "{log}");
    assert!(log.contains("v1.1.0"), "{log}");
    assert_eq!(
        git(&clone, &["rev-parse", "main"]).trim(),
        origin_main(&world)
    );
    assert!(sshd.log().contains("Accepted publickey"), "{}", sshd.log());
    fsck(&world.origin);
}

#[test]
fn the_git_command_line_in_the_cockpit_never_prompts_on_its_terminal() {
    if ran_as_child() {
        return;
    }
    let keys = keys();
    let sshd = sshd_for(&keys);
    let (world, clone) = world_over(&sshd);
    let home = home(&[], None);
    let origin_before = origin_main(&world);
    // A key with a passphrase, and no BatchMode: on the terminal the cockpit draws on, ssh
    // would ask for the passphrase, over the screen, and wait there unseen.
    let command = ssh_command(&sshd, &home, &keys.locked);

    let started = Instant::now();
    let (kind, error) = pin_as_cockpit_on_a_terminal(
        "the_git_command_line_in_the_cockpit_never_prompts_on_its_terminal",
        home.path(),
        &clone,
        "git",
        Some(command),
    )
    .expect_err("the key cannot be used without its passphrase");
    let took = started.elapsed();

    eprintln!("a locked key through the git command line in the cockpit: {error} ({took:?})");
    assert_eq!(kind, "Credentials", "{error}");
    assert!(error.contains("Permission denied (publickey)"), "{error}");
    assert!(error.contains("`ssh-add`"), "{error}");
    assert!(
        took < Duration::from_secs(10),
        "failed at once, not at the idle limit: {took:?}"
    );
    assert_eq!(origin_main(&world), origin_before);
}
