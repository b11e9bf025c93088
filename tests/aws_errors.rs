//! Errors a person can act on, as the binary prints them, produced by the real credential chain
//! and real endpoints (moto, a closed port), never by hand-built values: a broken profile, an
//! expired SSO session, no region, an unreachable endpoint. One broken environment never hides
//! the others.

mod emulators;

use std::path::Path;
use std::process::{Command, Output};

use emulators::moto::Moto;

const ENVS: &str = r#"
[[env]]
name = "dev"
region = "us-east-1"
application = "ltbase-dev"
pin = { file = "lib/config.ts", pattern = 'devVersion = "{version}"' }

[[env]]
name = "broken"
profile = "PROFILE"
REGION
application = "ltbase-broken"
pin = { file = "lib/config.ts", pattern = 'brokenVersion = "{version}"' }
"#;

/// A fork, a configuration with `dev` (plain test credentials) and `broken` (the given
/// profile and region line), and an AWS config directory holding `aws_config`.
fn setup(dir: &Path, profile: &str, region_line: &str, aws_config: &str) -> std::path::PathBuf {
    let fork = dir.join("fork");
    std::fs::create_dir_all(fork.join("lib")).unwrap();
    std::fs::write(
        fork.join("lib/config.ts"),
        "const devVersion = \"v1.2.0\";\nconst brokenVersion = \"v1.2.0\";\n",
    )
    .unwrap();
    assert!(
        Command::new("git")
            .current_dir(dir)
            .args(["init", "-q", "--bare", "origin.git"])
            .status()
            .unwrap()
            .success()
    );
    for args in [
        vec!["init", "-q", "-b", "main"],
        vec!["add", "-A"],
        vec![
            "-c",
            "user.name=T",
            "-c",
            "user.email=t@example.invalid",
            "commit",
            "-qm",
            "pins",
        ],
        vec!["remote", "add", "origin", "../origin.git"],
        vec!["push", "-q", "origin", "main"],
    ] {
        assert!(
            Command::new("git")
                .current_dir(&fork)
                .args(&args)
                .status()
                .unwrap()
                .success()
        );
    }
    std::fs::create_dir_all(dir.join(".aws")).unwrap();
    std::fs::write(dir.join(".aws/config"), aws_config).unwrap();
    let key = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo/demo-key.pub"),
    )
    .unwrap();
    let config = format!(
        "[release]\nbucket = \"ltbase-releases\"\nregion = \"us-east-1\"\npublic_key = \"{}\"\n\n[fork]\npath = \"fork\"\n{}",
        key.lines().nth(1).unwrap(),
        ENVS.replace("PROFILE", profile)
            .replace("REGION", region_line)
    );
    let path = dir.join("shiftdeck.toml");
    std::fs::write(&path, config).unwrap();
    path
}

/// `shiftdeck status --json` with `HOME` in `dir`, every service sent to `endpoint`, and test
/// credentials only in the environment (so a named profile must stand on its own).
fn status(dir: &Path, config: &Path, endpoint: &str) -> (Output, serde_json::Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_shiftdeck"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("AWS_CONFIG_FILE", dir.join(".aws/config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join(".aws/credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_ENDPOINT_URL", endpoint)
        .arg("--config")
        .arg(config)
        .args(["status", "--json"])
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "status printed no JSON ({e}):\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out, json)
}

fn env<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["environments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == name)
        .unwrap()
}

#[test]
fn an_unknown_profile_is_that_environments_error_and_the_others_are_read() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let config = setup(dir.path(), "no-such-profile", "region = \"us-east-1\"", "");
    let (out, report) = status(dir.path(), &config, &moto.endpoint);
    assert_eq!(out.status.code(), Some(1), "a partial failure exits 1");
    let dev = env(&report, "dev");
    assert!(dev["error"].is_null(), "{dev}");
    assert_eq!(dev["identity"]["account"], "123456789012");
    let broken = env(&report, "broken");
    assert_eq!(broken["error"]["kind"], "credentials", "{broken}");
    let message = broken["error"]["message"].as_str().unwrap();
    assert!(message.contains("no-such-profile"), "{message}");
}

#[test]
fn an_expired_sso_session_says_which_login_to_run() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let aws_config = "[profile acme-prod]\nsso_session = acme\nsso_account_id = 123456789012\nsso_role_name = Operator\nregion = us-east-1\n\n[sso-session acme]\nsso_start_url = https://acme.awsapps.com/start\nsso_region = us-east-1\n";
    let config = setup(dir.path(), "acme-prod", "", aws_config);
    // The cached token of the session, expired an hour ago, with nothing to refresh it.
    let cache = dir.path().join(".aws/sso/cache");
    std::fs::create_dir_all(&cache).unwrap();
    // The SDK names the cache file after the SHA-1 of the session name.
    let name = hex::encode(<sha1::Sha1 as sha1::Digest>::digest(b"acme"));
    std::fs::write(
        cache.join(format!("{name}.json")),
        r#"{"accessToken":"expired","expiresAt":"2020-01-01T00:00:00Z","region":"us-east-1","startUrl":"https://acme.awsapps.com/start"}"#,
    )
    .unwrap();
    let (_, report) = status(dir.path(), &config, &moto.endpoint);
    let broken = env(&report, "broken");
    assert_eq!(broken["error"]["kind"], "credentials", "{broken}");
    let hint = broken["error"]["hint"].as_str().unwrap_or_default();
    assert!(
        hint.contains("aws sso login --profile acme-prod"),
        "{broken}"
    );
    assert!(env(&report, "dev")["error"].is_null());
}

#[test]
fn no_region_is_named_as_such() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let aws_config = "[profile no-region]\n";
    let config = setup(dir.path(), "no-region", "", aws_config);
    std::fs::write(
        dir.path().join(".aws/credentials"),
        "[no-region]\naws_access_key_id = test\naws_secret_access_key = test\n",
    )
    .unwrap();
    let (_, report) = status(dir.path(), &config, &moto.endpoint);
    let broken = env(&report, "broken");
    assert_eq!(broken["error"]["kind"], "invalid", "{broken}");
    assert!(
        broken["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no AWS region"),
        "{broken}"
    );
    assert!(
        broken["error"]["hint"].as_str().unwrap().contains("region"),
        "{broken}"
    );
}

#[test]
fn an_unreachable_endpoint_says_it_could_not_be_reached() {
    let dir = tempfile::tempdir().unwrap();
    let config = setup(dir.path(), "default", "region = \"us-east-1\"", "");
    // A loopback port nobody listens on: the connection is refused at once.
    let closed = format!("http://127.0.0.1:{}", emulators::free_port());
    let (out, report) = status(dir.path(), &config, &closed);
    assert_eq!(out.status.code(), Some(1));
    let dev = env(&report, "dev");
    assert_eq!(dev["error"]["kind"], "unavailable", "{dev}");
    assert!(
        dev["error"]["message"]
            .as_str()
            .unwrap()
            .contains("could not reach"),
        "{dev}"
    );
}
