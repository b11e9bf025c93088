//! End to end against local emulators: `shiftdeck` with a configuration that points at a
//! seeded moto (S3, Lambda, CodeDeploy, STS) and ministack (CloudWatch) shows the release
//! repository, the pins, the alias weights and the provenance of the running code, in a real
//! terminal; and `status --json` says the same to scripts.

mod emulators;
mod tmux;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use emulators::ministack::Ministack;
use emulators::moto::Moto;
use tmux::Tmux;

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.invalid",
        ])
        .args(args)
        .status()
        .unwrap()
        .success();
    assert!(ok, "git {args:?}");
}

/// Seeds the emulators with `envs`, makes a fork whose pins name v1.3.0 in dev and v1.2.0
/// elsewhere, and writes the configuration; returns its path.
fn account(dir: &Path, moto: &Moto, ministack: &Ministack, envs: &[&str]) -> std::path::PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let seeded = Command::new(emulators::venv().join("bin/python"))
        .arg(root.join("tests/emulated/seed_account.py"))
        .args([&moto.endpoint, &ministack.endpoint])
        .arg(root.join("assets/demo/releases"))
        .arg(envs.join(","))
        .arg("1")
        .output()
        .unwrap();
    assert!(
        seeded.status.success(),
        "seeding failed: {}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let fork = dir.join("fork");
    std::fs::create_dir_all(fork.join("lib")).unwrap();
    let pins: String = envs
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
    git(&fork, &["remote", "add", "origin", "../origin.git"]);
    git(&fork, &["push", "-q", "origin", "main"]);
    let key = std::fs::read_to_string(root.join("assets/demo/demo-key.pub")).unwrap();
    let key = key.lines().nth(1).unwrap();
    let mut config = format!(
        "[release]\nbucket = \"ltbase-releases\"\nregion = \"us-east-1\"\npublic_key = \"{key}\"\n\n[fork]\npath = \"fork\"\n"
    );
    for e in envs {
        config += &format!(
            "\n[[env]]\nname = \"{e}\"\nregion = \"us-east-1\"\napplication = \"ltbase-{e}\"\npin = {{ file = \"lib/config.ts\", pattern = '{e}Version = \"{{version}}\"' }}\n"
        );
    }
    let path = dir.join("shiftdeck.toml");
    std::fs::write(&path, config).unwrap();
    path
}

/// The environment that sends every service to its emulator, with test credentials.
fn aws_env(moto: &Moto, ministack: &Ministack) -> Vec<(&'static str, String)> {
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

#[test]
fn the_cockpit_shows_the_seeded_account() {
    let (moto, ministack) = (Moto::start(), Ministack::start());
    let dir = tempfile::tempdir().unwrap();
    let config = account(dir.path(), &moto, &ministack, &["dev", "prod"]);
    let t = Tmux::start("aws");
    let exports: String = aws_env(&moto, &ministack)
        .iter()
        .map(|(k, v)| format!("{k}={v} "))
        .collect();
    let line = format!(
        "HOME={home} {exports}{bin} --config {config}; echo SHIFTDECK_''EXITED",
        home = dir.path().display(),
        bin = env!("CARGO_BIN_EXE_shiftdeck"),
        config = config.display(),
    );
    t.send(&[&line, "Enter"]);
    // Versions with their checks, the pins, the STS identity, the deployment and its versions.
    let screen = t.wait_for(
        &[
            "v1.4.1      bad signature",
            "v1.3.1      yanked",
            "v1.5.0-rc.1 unsigned",
            "pin v1.3.0",
            "aws 123456789012 user/moto · ",
            "v1.2.0 (#1) → v1.3.0 (#2)",
            "ltbase-dev-api:Prod",
        ],
        Duration::from_secs(30),
    );
    assert!(!screen.contains("NOT THE SIGNED ARTIFACT"), "{screen}");
    // The environment pane says what the last read cost.
    let aws_line = screen
        .lines()
        .find(|l| l.contains("aws 123456789012"))
        .unwrap();
    assert!(
        aws_line.contains(" calls") && aws_line.chars().any(|c| c.is_ascii_digit()),
        "{aws_line}"
    );
    t.send(&["q"]);
    t.wait_for(&["SHIFTDECK_EXITED"], Duration::from_secs(10));
}

#[test]
fn status_json_reports_weights_provenance_and_calls_for_scripts() {
    let (moto, ministack) = (Moto::start(), Ministack::start());
    let dir = tempfile::tempdir().unwrap();
    let config = account(dir.path(), &moto, &ministack, &["dev", "prod"]);
    let out = Command::new(env!("CARGO_BIN_EXE_shiftdeck"))
        .env("HOME", dir.path())
        .envs(aws_env(&moto, &ministack))
        .arg("--config")
        .arg(&config)
        .args(["status", "--json"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(report["schema"], "shiftdeck.status/1");
    let dev = &report["environments"][0];
    assert_eq!(dev["name"], "dev");
    assert_eq!(dev["pin"], "v1.3.0");
    assert_eq!(dev["identity"]["account"], "123456789012");
    let api = &dev["groups"][0];
    assert_eq!(api["function"], "ltbase-dev-api");
    assert_eq!(api["latest"]["to"]["release"], "v1.3.0");
    // Every version taking traffic runs the signed artifact of its release.
    let provenance = dev["provenance"].as_array().unwrap();
    assert!(!provenance.is_empty(), "{dev}");
    for p in provenance {
        assert_eq!(p["provenance"], "verified", "{p}");
        assert_eq!(p["artifact"], "api.zip", "{p}");
    }
    // The calls of the read are counted, and each is an action the viewer policy allows.
    let calls = dev["api_calls"].as_object().unwrap();
    assert!(
        calls.contains_key("codedeploy:BatchGetDeployments"),
        "{calls:?}"
    );
    for action in calls.keys() {
        assert!(
            shiftdeck::aws::READ_ACTIONS.contains(&action.as_str()),
            "{action} is not in the read-only policy"
        );
    }
}
