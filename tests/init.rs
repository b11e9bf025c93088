//! `shiftdeck init` on forks shaped in different ways, through the built binary: the config it
//! writes loads and passes `doctor --local`.

use assert_cmd::Command;
use std::fs;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

const KEY: &str = "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3";

fn shiftdeck() -> Command {
    let mut c = Command::cargo_bin("shiftdeck").unwrap();
    c.env_remove("SHIFTDECK_CONFIG")
        .env("HOME", std::env::temp_dir());
    c
}

fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A clone with a bare origin, holding `files` committed on main; `untracked` are left out of
/// the commit.
fn fork(files: &[(&str, &str)], untracked: &[(&str, &str)]) -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    git(
        dir.path(),
        &["init", "--quiet", "--bare", "-b", "main", "origin.git"],
    );
    git(dir.path(), &["clone", "--quiet", "origin.git", "fork"]);
    let fork = dir.path().join("fork");
    git(&fork, &["config", "user.name", "Dana Reyes"]);
    git(&fork, &["config", "user.email", "dana@example.com"]);
    for (path, text) in files.iter().chain(untracked) {
        let path = fork.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    for (path, _) in files {
        git(&fork, &["add", path]);
    }
    git(&fork, &["commit", "--quiet", "-m", "Fork"]);
    git(&fork, &["push", "--quiet", "origin", "main"]);
    (dir, fork)
}

fn init(fork: &Path) -> assert_cmd::assert::Assert {
    shiftdeck()
        .args([
            "init",
            "--yes",
            "--bucket",
            "ltbase-releases",
            "--public-key",
            KEY,
            "--path",
        ])
        .arg(fork)
        .assert()
}

fn stdout(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stdout).into_owned()
}

fn stderr(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

/// `doctor --local` on the written config; returns its output.
fn doctor(fork: &Path) -> String {
    let out = shiftdeck()
        .args(["doctor", "--local", "--config"])
        .arg(fork.join("shiftdeck.toml"))
        .assert()
        .success();
    stdout(&out)
}

#[test]
fn one_pin_becomes_one_environment() {
    let (_dir, fork) = fork(
        &[(
            "bin/app.ts",
            "import { App } from \"aws-cdk-lib\";\nconst version = \"v1.2.0\";\nnew App();\n",
        )],
        &[],
    );
    let out = init(&fork).success();
    assert!(stdout(&out).contains("bin/app.ts:2"), "{}", stdout(&out));
    let config = fs::read_to_string(fork.join("shiftdeck.toml")).unwrap();
    assert!(
        config.contains("pin = { file = \"bin/app.ts\", pattern = 'version = \"{version}\"' }"),
        "{config}"
    );
    assert!(doctor(&fork).contains("pin      ok  prod = v1.2.0"));
}

#[test]
fn a_pin_per_environment_in_one_file() {
    let (_dir, fork) = fork(
        &[(
            "lib/config.ts",
            "export const prodVersion = \"v1.2.0\";\nexport const devVersion = \"v1.3.0\";\nexport const stagingVersion = \"v1.2.1\";\n",
        )],
        &[],
    );
    init(&fork).success();
    let text = doctor(&fork);
    for line in [
        "pin      ok  dev = v1.3.0",
        "pin      ok  staging = v1.2.1",
        "pin      ok  prod = v1.2.0",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    // In promotion order.
    let config = fs::read_to_string(fork.join("shiftdeck.toml")).unwrap();
    let at = |name: &str| config.find(&format!("name = \"{name}\"")).unwrap();
    assert!(
        at("dev") < at("staging") && at("staging") < at("prod"),
        "{config}"
    );
}

#[test]
fn cdk_json_context_gets_json_pointers() {
    let (_dir, fork) = fork(
        &[(
            "cdk.json",
            "{\n  \"app\": \"npx ts-node bin/app.ts\",\n  \"context\": {\n    \"stagingVersion\": \"v1.2.1\",\n    \"prodVersion\": \"v1.2.0\"\n  }\n}\n",
        )],
        &[],
    );
    init(&fork).success();
    let config = fs::read_to_string(fork.join("shiftdeck.toml")).unwrap();
    assert!(
        config.contains("json_pointer = \"/context/prodVersion\""),
        "{config}"
    );
    let text = doctor(&fork);
    assert!(
        text.contains("staging = v1.2.1") && text.contains("prod = v1.2.0"),
        "{text}"
    );
}

#[test]
fn decoy_literals_are_not_taken_for_pins() {
    let (_dir, fork) = fork(
        &[
            (
                "lib/config.ts",
                "// prod ran \"v1.1.0\" before the upgrade\nexport const prodVersion = \"v1.2.0\";\nexport const cdkLibVersion = \"v2.100.0\";\nconst notes = \"upgrade from v1.0.0 first\";\n",
            ),
            (
                "package.json",
                "{\"name\": \"infra\", \"version\": \"1.0.0\"}\n",
            ),
            ("CHANGELOG.md", "## v1.2.0\n\"v1.2.0\" released\n"),
        ],
        &[("cdk.out/manifest.json", "{\"devVersion\": \"v9.9.9\"}\n")],
    );
    let out = init(&fork).success();
    let text = stdout(&out);
    assert!(
        text.contains("v2.100.0") && text.contains("not used"),
        "{text}"
    );
    let config = fs::read_to_string(fork.join("shiftdeck.toml")).unwrap();
    assert_eq!(config.matches("[[env]]").count(), 1, "{config}");
    assert!(
        !config.contains("v9.9.9") && !config.contains("cdk.out"),
        "{config}"
    );
    assert!(doctor(&fork).contains("pin      ok  prod = v1.2.0"));
}

#[test]
fn without_a_terminal_it_needs_yes_and_it_never_overwrites_without_force() {
    let (_dir, fork) = fork(
        &[("lib/config.ts", "export const prodVersion = \"v1.2.0\";\n")],
        &[],
    );
    let out = shiftdeck()
        .args(["init", "--bucket", "b", "--public-key", KEY, "--path"])
        .arg(&fork)
        .assert()
        .code(2);
    assert!(stderr(&out).contains("pass --yes"), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("prodVersion"),
        "the proposal is shown"
    );
    assert!(!fork.join("shiftdeck.toml").exists());

    let out = shiftdeck()
        .args(["init", "--yes", "--path"])
        .arg(&fork)
        .assert()
        .code(2);
    assert!(stderr(&out).contains("pass --bucket"), "{}", stderr(&out));

    fs::write(fork.join("shiftdeck.toml"), "# mine\n").unwrap();
    let out = init(&fork).code(3);
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert_eq!(
        fs::read_to_string(fork.join("shiftdeck.toml")).unwrap(),
        "# mine\n"
    );
    shiftdeck()
        .args([
            "init",
            "--yes",
            "--force",
            "--bucket",
            "b",
            "--public-key",
            KEY,
            "--path",
        ])
        .arg(&fork)
        .assert()
        .success();
    assert!(doctor(&fork).contains("prod = v1.2.0"));
}

#[test]
fn a_fork_without_pins_is_an_error_that_says_what_was_looked_for() {
    let (_dir, fork) = fork(&[("README.md", "# infra\n")], &[]);
    let out = init(&fork).code(1);
    assert!(
        stderr(&out).contains("no version pins found at the tip of main"),
        "{}",
        stderr(&out)
    );
}
