//! A seeded account and a fork to go with it: the emulators hold the vendor's signed releases
//! and per environment its functions, alias, CodeDeploy groups and alarms; the fork (a clone
//! with a bare origin) pins v1.3.0 in dev and v1.2.0 elsewhere.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::ministack::Ministack;
use super::moto::Moto;

/// How to shape the account.
#[derive(Clone, Debug, Default)]
pub struct Shape<'a> {
    pub envs: &'a [&'a str],
    /// Environments seeded without a deployment: idle, the alias wholly on v1.2.0.
    pub idle: &'a [&'a str],
    /// Extra lines for an environment's `[[env]]` table, e.g. `protected = true`.
    pub extra: &'a [(&'a str, &'a str)],
}

pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.invalid",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Seeds the emulators, makes the fork under `dir` and writes the configuration; returns its
/// path. The fork is `dir/fork`, its origin `dir/origin.git`.
pub fn account(dir: &Path, moto: &Moto, ministack: &Ministack, shape: &Shape) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let seeded = Command::new(super::venv().join("bin/python"))
        .arg(root.join("tests/emulated/seed_account.py"))
        .args([&moto.endpoint, &ministack.endpoint])
        .arg(root.join("assets/demo/releases"))
        .arg(shape.envs.join(","))
        .arg("1")
        .env("SEED_IDLE_ENVS", shape.idle.join(","))
        .output()
        .unwrap();
    assert!(
        seeded.status.success(),
        "seeding failed: {}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let fork = dir.join("fork");
    std::fs::create_dir_all(fork.join("lib")).unwrap();
    let pins: String = shape
        .envs
        .iter()
        .map(|e| {
            let v = if *e == "dev" { "v1.3.0" } else { "v1.2.0" };
            format!("export const {e}Version = \"{v}\";\n")
        })
        .collect();
    std::fs::write(fork.join("lib/config.ts"), pins).unwrap();
    git(dir, &["init", "-q", "--bare", "origin.git"]);
    git(&fork, &["init", "-q", "-b", "main"]);
    git(&fork, &["add", "-A"]);
    git(&fork, &["commit", "-qm", "pins"]);
    let origin = dir.join("origin.git");
    git(
        &fork,
        &["remote", "add", "origin", origin.to_str().unwrap()],
    );
    git(&fork, &["push", "-q", "origin", "main"]);
    git(&fork, &["config", "user.name", "Ada Operator"]);
    git(&fork, &["config", "user.email", "ada@example.invalid"]);
    let key = std::fs::read_to_string(root.join("assets/demo/demo-key.pub")).unwrap();
    let key = key.lines().nth(1).unwrap();
    let mut config = format!(
        "[release]\nbucket = \"ltbase-releases\"\nregion = \"us-east-1\"\npublic_key = \"{key}\"\n\n[fork]\npath = \"fork\"\n"
    );
    for e in shape.envs {
        config += &format!(
            "\n[[env]]\nname = \"{e}\"\nregion = \"us-east-1\"\napplication = \"ltbase-{e}\"\npin = {{ file = \"lib/config.ts\", pattern = '{e}Version = \"{{version}}\"' }}\n"
        );
        for (env, line) in shape.extra {
            if env == e {
                config += &format!("{line}\n");
            }
        }
    }
    let path = dir.join("shiftdeck.toml");
    std::fs::write(&path, config).unwrap();
    path
}

/// The environment that sends every service to its emulator, with test credentials.
pub fn aws_env(moto: &Moto, ministack: &Ministack) -> Vec<(&'static str, String)> {
    let m = moto.endpoint.clone();
    vec![
        ("AWS_ACCESS_KEY_ID", "test".into()),
        ("AWS_SECRET_ACCESS_KEY", "test".into()),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ("AWS_ENDPOINT_URL_S3", m.clone()),
        ("AWS_ENDPOINT_URL_LAMBDA", m.clone()),
        ("AWS_ENDPOINT_URL_CODEDEPLOY", m.clone()),
        ("AWS_ENDPOINT_URL_STS", m),
        ("AWS_ENDPOINT_URL_CLOUDWATCH", ministack.endpoint.clone()),
    ]
}
