//! Errors a person can act on, as the binary prints them, produced by the real credential chain
//! and real endpoints (moto, a closed port), never by hand-built values: a broken profile, an
//! expired SSO session, no region, an unreachable endpoint, the vendor's bucket refusing the
//! account. One broken environment never hides the others.

mod emulators;

use std::path::Path;
use std::process::{Command, Output};

use aws_sdk_s3::error::ProvideErrorMetadata;

use emulators::moto::Moto;

const DEV: &str = r#"
[[env]]
name = "dev"
region = "us-east-1"
application = "ltbase-dev"
pin = { file = "lib/config.ts", pattern = 'devVersion = "{version}"' }
"#;

const BROKEN: &str = r#"
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
    let broken = BROKEN
        .replace("PROFILE", profile)
        .replace("REGION", region_line);
    configure(dir, &format!("{DEV}{broken}"), aws_config)
}

/// A fork, a configuration with the release bucket and the `[[env]]` tables `envs`, and an AWS
/// config directory holding `aws_config`.
fn configure(dir: &Path, envs: &str, aws_config: &str) -> std::path::PathBuf {
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
        envs
    );
    let path = dir.join("shiftdeck.toml");
    std::fs::write(&path, config).unwrap();
    path
}

/// `shiftdeck status --json` with `HOME` in `dir`, every service sent to `endpoint`, and test
/// credentials only in the environment (so a named profile must stand on its own).
fn status(dir: &Path, config: &Path, endpoint: &str) -> (Output, serde_json::Value) {
    shiftdeck(
        dir,
        config,
        endpoint,
        ("test", "test"),
        &["status", "--json"],
    )
}

/// `shiftdeck ARGS` with `HOME` in `dir`, every service sent to `endpoint`, and the access key
/// `(id, secret)` only in the environment; what it printed and its JSON.
fn shiftdeck(
    dir: &Path,
    config: &Path,
    endpoint: &str,
    key: (&str, &str),
    args: &[&str],
) -> (Output, serde_json::Value) {
    shiftdeck_with(dir, config, endpoint, key, &[], args)
}

/// `shiftdeck` with these variables added to its environment.
fn shiftdeck_with(
    dir: &Path,
    config: &Path,
    endpoint: &str,
    (key_id, secret): (&str, &str),
    vars: &[(&str, &Path)],
    args: &[&str],
) -> (Output, serde_json::Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_shiftdeck"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(vars.iter().copied())
        .env("HOME", dir)
        .env("AWS_CONFIG_FILE", dir.join(".aws/config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join(".aws/credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ACCESS_KEY_ID", key_id)
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .env("AWS_ENDPOINT_URL", endpoint)
        .arg("--config")
        .arg(config)
        .args(args)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?} printed no JSON ({e}):\n{}\n{}",
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

/// The vendor's release bucket refusing this account, produced for real: moto authorising
/// every request against IAM refuses s3:ListBucket to a user whose policy grants the
/// account's own reads but nothing on the bucket, as S3 refuses an account the vendor has not
/// allow-listed. `shiftdeck versions` names the action, the bucket, the account it runs as
/// (from STS: moto's S3 refusal names nobody, and the vendor needs the account id) and the
/// allow-list, and exits 1.
#[tokio::test]
async fn a_refusal_by_the_vendors_bucket_names_the_account_to_allow_list() {
    // Exactly the seeding calls below go through unauthenticated: CreateBucket, PutObject,
    // CreateUser, CreateAccessKey, PutUserPolicy (moto's readiness probe is not counted).
    let moto = Moto::start_with(&[("INITIAL_NO_AUTH_ACTION_COUNT", "5")]);
    let s3 = aws_sdk_s3::Client::new(&moto.sdk_config());
    s3.create_bucket()
        .bucket("ltbase-releases")
        .send()
        .await
        .unwrap();
    let manifest =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo/releases/v1.2.0/manifest.json");
    s3.put_object()
        .bucket("ltbase-releases")
        .key("v1.2.0/manifest.json")
        .body(std::fs::read(manifest).unwrap().into())
        .send()
        .await
        .unwrap();
    moto.iam("CreateUser", &[("UserName", "release-reader")]);
    let key = moto.iam("CreateAccessKey", &[("UserName", "release-reader")]);
    let key_id = emulators::moto::xml_text(&key, "AccessKeyId").unwrap();
    let secret = emulators::moto::xml_text(&key, "SecretAccessKey").unwrap();
    // The account's own reads; nothing on S3.
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:GetCallerIdentity","codedeploy:Get*","codedeploy:List*","codedeploy:BatchGet*","lambda:Get*","lambda:List*"],"Resource":"*"}]}"#;
    moto.iam(
        "PutUserPolicy",
        &[
            ("UserName", "release-reader"),
            ("PolicyName", "own-account-reads"),
            ("PolicyDocument", policy),
        ],
    );
    let unknown = s3
        .list_buckets()
        .send()
        .await
        .expect_err("moto lets no more requests through unauthenticated");
    assert_eq!(unknown.code(), Some("InvalidAccessKeyId"), "{unknown:?}");

    let reader = aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::config::Builder::from(&moto.sdk_config())
            .credentials_provider(aws_credential_types::Credentials::new(
                key_id, secret, None, None, "test",
            ))
            .build(),
    );
    let me = reader.get_caller_identity().send().await.unwrap();
    let (arn, account) = (me.arn().unwrap(), me.account().unwrap());

    let dir = tempfile::tempdir().unwrap();
    let config = configure(dir.path(), DEV, "");
    let (out, report) = shiftdeck(
        dir.path(),
        &config,
        &moto.endpoint,
        (key_id, secret),
        &["versions", "--json"],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "a failed read exits 1: {report}"
    );
    assert_eq!(report["versions"], serde_json::json!([]), "{report}");
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(
        errors.len(),
        1,
        "the account's own reads are allowed: {report}"
    );
    let refused = &errors[0];
    assert_eq!(refused["source"], "releases", "{refused}");
    assert_eq!(refused["error"]["kind"], "access_denied", "{refused}");
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("the vendor's release bucket refused s3:ListBucket on ltbase-releases"),
        "{message}"
    );
    assert!(
        message.contains(&format!("for {arn} (account {account})")),
        "{message}"
    );
    let hint = refused["error"]["hint"].as_str().unwrap_or_default();
    assert!(hint.contains("vendor's allow-list"), "{hint}");
}

/// A certificate authority made by `openssl` in `dir`, and a server certificate for 127.0.0.1
/// it signed: (the authority's certificate, the server's certificate, the server's key).
fn authority_and_server(dir: &Path) -> [std::path::PathBuf; 3] {
    std::fs::create_dir_all(dir).unwrap();
    let p = |name: &str| dir.join(name);
    let ext = p("server.ext");
    std::fs::write(
        &ext,
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl")
            .current_dir(dir)
            .args(args)
            .output()
            .expect("openssl must be installed for the TLS test (apt-get install openssl)");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    ]);
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=127.0.0.1",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
    ]);
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "1",
        "-extfile",
        "server.ext",
        "-out",
        "server.pem",
    ]);
    [p("ca.pem"), p("server.pem"), p("server.key")]
}

/// HTTPS through the client shiftdeck builds (hyper, rustls with ring, the system's roots): an
/// endpoint whose certificate is trusted, here through `SSL_CERT_FILE` as for a company's
/// TLS-inspecting proxy, is read; one whose certificate is not is an error that says so and
/// points at the fix instead of at the network.
#[test]
fn https_is_read_when_the_certificate_is_trusted_and_named_when_it_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let [ca, cert, key] = authority_and_server(&dir.path().join("trusted"));
    let moto = Moto::start_tls(&cert, &key);
    assert!(moto.endpoint.starts_with("https://"));
    let config = configure(dir.path(), DEV, "");
    let status = |ca: &Path| {
        shiftdeck_with(
            dir.path(),
            &config,
            &moto.endpoint,
            ("test", "test"),
            &[("SSL_CERT_FILE", ca)],
            &["status", "--json"],
        )
        .1
    };

    let report = status(&ca);
    let dev = env(&report, "dev");
    assert_eq!(dev["identity"]["account"], "123456789012", "{dev}");

    // Another certificate authority than the one that signed the server's certificate.
    let [other, ..] = authority_and_server(&dir.path().join("other"));
    let report = status(&other);
    let dev = env(&report, "dev");
    assert_eq!(dev["error"]["kind"], "unavailable", "{dev}");
    assert!(
        dev["error"]["message"]
            .as_str()
            .unwrap()
            .contains("certificate"),
        "{dev}"
    );
    assert!(
        dev["error"]["hint"]
            .as_str()
            .unwrap()
            .contains("SSL_CERT_FILE"),
        "{dev}"
    );
}
