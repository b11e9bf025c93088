//! End to end against local emulators: `shiftdeck` with a configuration that points at a
//! seeded moto (S3, Lambda, CodeDeploy, STS) and ministack (CloudWatch) shows the release
//! repository, the pins, the alias weights, the provenance of the running code and the groups'
//! alarms, in a real terminal; and `status --json` says the same to scripts.

mod emulators;
mod tmux;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use emulators::account::{Shape, aws_env};
use emulators::ministack::Ministack;
use emulators::moto::Moto;
use tmux::Tmux;

/// dev and prod, both with a deployment.
fn account(dir: &Path, moto: &Moto, ministack: &Ministack, envs: &[&str]) -> std::path::PathBuf {
    emulators::account::account(
        dir,
        moto,
        ministack,
        &Shape {
            envs,
            ..Shape::default()
        },
    )
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
            // moto never starts a deployment: CodeDeploy has not begun, nothing shifts yet.
            "starting",
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

    // The deployment groups' CloudWatch alarms, each with its state beside its name: dev's
    // api (selected first) has both quiet. prod is read on its own, so its count of firing
    // alarms may come a moment later.
    let screen = t.wait_for(
        &["dev-api-5xx-rate", "dev-api-p99", "1 ALARM"],
        Duration::from_secs(30),
    );
    for name in ["dev-api-5xx-rate", "dev-api-p99"] {
        let row = pane_row(&screen, name);
        assert!(
            row.contains("○ OK") && !row.contains("ALARM"),
            "{row}\n{screen}"
        );
    }
    // The one alarm firing, in prod, is counted where every environment is summed up.
    let summary = screen
        .lines()
        .find(|l| l.contains("dev 1 shifting"))
        .unwrap_or_else(|| panic!("no overview line\n{screen}"));
    let (dev_part, prod_part) = summary.split_once("prod").unwrap();
    assert!(!dev_part.contains("ALARM"), "{summary}");
    assert!(prod_part.contains("1 ALARM"), "{summary}");

    // Selecting prod shows its api group's alarms: the firing one first, with why it fired
    // under it, then the quiet one.
    t.send(&["j"]);
    let screen = t.wait_for(
        &["Shift prod / api", "prod-api-p99", "prod-api-5xx-rate"],
        Duration::from_secs(10),
    );
    let lines: Vec<&str> = screen.lines().collect();
    let at = |needle: &str| {
        lines
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle} not on screen\n{screen}"))
    };
    let (p99, reason, errors) = (
        at("prod-api-p99"),
        at("seeded: p99 above 800 ms"),
        at("prod-api-5xx-rate"),
    );
    assert!(
        pane_row(&screen, "prod-api-p99").contains("● ALARM"),
        "{screen}"
    );
    assert!(
        pane_row(&screen, "prod-api-5xx-rate").contains("○ OK"),
        "{screen}"
    );
    assert!(p99 < reason && reason < errors, "{screen}");

    // The calls view counts what the reads cost, by IAM action, with a total.
    t.send(&["c"]);
    let screen = t.wait_for(
        &[
            "API calls",
            "codedeploy:ListDeploymentGroups",
            "lambda:GetFunction",
        ],
        Duration::from_secs(10),
    );
    let row = screen
        .lines()
        .find(|l| l.contains("lambda:GetFunction "))
        .unwrap_or_else(|| panic!("{screen}"));
    let counts: Vec<u32> = row
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    // Two versions per function were described in the first read, within the last minute.
    assert!(counts.last().is_some_and(|n| *n >= 2), "{row}");
    t.send(&["c"]);
    let closed = (0..50).any(|_| {
        std::thread::sleep(Duration::from_millis(100));
        !t.screen().contains("API calls")
    });
    assert!(closed, "c closes the calls view\n{}", t.screen());

    t.send(&["q"]);
    t.wait_for(&["SHIFTDECK_EXITED"], Duration::from_secs(10));
}

/// The text of the pane holding `needle` on its row: the part of the line between the box
/// borders around it, so that another pane beside it on the same row does not count.
fn pane_row<'a>(screen: &'a str, needle: &str) -> &'a str {
    let line = screen
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} not on screen\n{screen}"));
    let at = line.find(needle).unwrap();
    let start = line[..at].rfind('│').map_or(0, |i| i + '│'.len_utf8());
    let end = line[at..].find('│').map_or(line.len(), |i| at + i);
    &line[start..end]
}

#[test]
fn status_json_reports_weights_provenance_and_calls_for_scripts() {
    let (moto, ministack) = (Moto::start(), Ministack::start());
    let dir = tempfile::tempdir().unwrap();
    let config = account(dir.path(), &moto, &ministack, &["dev", "prod"]);
    let report = json_of(dir.path(), &moto, &ministack, &config, "status");
    assert_eq!(report["schema"], "shiftdeck.status/1");
    let dev = &report["environments"][0];
    assert_eq!(dev["name"], "dev");
    assert_eq!(dev["pin"], "v1.3.0");
    assert_eq!(dev["identity"]["account"], "123456789012");
    // dev's pin has its deployment (created, not yet started by moto): nothing waits for the
    // pipeline; nor in prod, whose groups serve its pin.
    assert_eq!(dev["pipeline"], serde_json::Value::Null, "{dev}");
    assert_eq!(
        report["environments"][1]["pipeline"],
        serde_json::Value::Null
    );
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
    // Each group's alarms, as its deployment group configures them, with their CloudWatch
    // state: dev's are quiet; in prod the p99 alarm fires and says why.
    let alarms = |env: &serde_json::Value| -> Vec<(String, String, String)> {
        let mut found: Vec<_> = env["groups"][0]["alarms"]
            .as_array()
            .unwrap_or_else(|| panic!("no alarms: {env}"))
            .iter()
            .map(|a| {
                let text = |k: &str| a[k].as_str().unwrap_or_default().to_string();
                (text("name"), text("state"), text("reason"))
            })
            .collect();
        found.sort();
        found
    };
    let quiet = |name: &str| {
        (
            name.to_string(),
            "Ok".to_string(),
            "seeded: quiet".to_string(),
        )
    };
    assert_eq!(
        alarms(dev),
        [quiet("dev-api-5xx-rate"), quiet("dev-api-p99")]
    );
    let prod = &report["environments"][1];
    assert_eq!(prod["name"], "prod");
    assert_eq!(
        alarms(prod),
        [
            quiet("prod-api-5xx-rate"),
            (
                "prod-api-p99".to_string(),
                "Alarm".to_string(),
                "seeded: p99 above 800 ms".to_string()
            ),
        ]
    );
    assert!(
        prod["group_errors"].as_array().unwrap().is_empty(),
        "{prod}"
    );
    // The calls of the read are counted, and each is an action the viewer policy allows.
    let calls = dev["api_calls"].as_object().unwrap();
    assert!(
        calls.contains_key("codedeploy:BatchGetDeployments"),
        "{calls:?}"
    );
    // So are the release repository's: a listing, then each version's manifest and signature.
    let releases = report["release_api_calls"].as_object().unwrap();
    assert!(
        releases["s3:ListBucket"].as_u64() >= Some(1),
        "{releases:?}"
    );
    assert!(releases["s3:GetObject"].as_u64() >= Some(2), "{releases:?}");
    for action in calls.keys().chain(releases.keys()) {
        assert!(
            shiftdeck::aws::READ_ACTIONS.contains(&action.as_str()),
            "{action} is not in the read-only policy"
        );
    }
}

/// `shiftdeck COMMAND --json` against the emulators, which must succeed.
fn json_of(
    home: &Path,
    moto: &Moto,
    ministack: &Ministack,
    config: &Path,
    command: &str,
) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_shiftdeck"))
        .env("HOME", home)
        .envs(aws_env(moto, ministack))
        .arg("--config")
        .arg(config)
        .args([command, "--json"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn versions_json_lists_each_version_with_its_checks_and_where_it_is_pinned_and_serving() {
    let (moto, ministack) = (Moto::start(), Ministack::start());
    let dir = tempfile::tempdir().unwrap();
    let config = account(dir.path(), &moto, &ministack, &["dev", "prod"]);
    let report = json_of(dir.path(), &moto, &ministack, &config, "versions");
    assert_eq!(report["schema"], "shiftdeck.versions/1");
    assert_eq!(report["errors"], serde_json::json!([]), "{report}");
    let rows = report["versions"].as_array().unwrap();
    let row = |v: &str| {
        rows.iter()
            .find(|r| r["version"] == v)
            .unwrap_or_else(|| panic!("{v} not listed: {report}"))
    };
    // Newest first, every version of the bucket, each with the outcome of its checks.
    let listed: Vec<_> = rows
        .iter()
        .map(|r| r["version"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed,
        [
            "v1.5.0-rc.1",
            "v1.4.1",
            "v1.4.0",
            "v1.3.1",
            "v1.3.0",
            "v1.2.2",
            "v1.2.1",
            "v1.2.0",
            "v1.1.0"
        ]
    );
    let status = |v: &str| row(v)["status"].as_str().unwrap().to_string();
    assert_eq!(status("v1.5.0-rc.1"), "unsigned");
    assert_eq!(row("v1.5.0-rc.1")["prerelease"], true);
    assert_eq!(row("v1.4.0")["prerelease"], false);
    assert_eq!(status("v1.4.1"), "bad_signature");
    assert_eq!(status("v1.2.2"), "checksum_mismatch");
    assert_eq!(status("v1.3.1"), "yanked");
    assert!(
        row("v1.3.1")["detail"]
            .as_str()
            .unwrap()
            .contains("corrupts sessions"),
        "{report}"
    );
    assert_eq!(
        row("v1.3.1")["notes"],
        "Token refresh without a round trip."
    );
    // The fork's pins, and the alias: moto never starts the deployments, so v1.2.0 still
    // takes all traffic in both environments while dev pins v1.3.0.
    assert_eq!(row("v1.3.0")["pinned_in"], serde_json::json!(["dev"]));
    assert_eq!(row("v1.3.0")["serving_in"], serde_json::json!([]));
    assert_eq!(row("v1.2.0")["pinned_in"], serde_json::json!(["prod"]));
    assert_eq!(
        row("v1.2.0")["serving_in"],
        serde_json::json!(["dev", "prod"])
    );
    // The calls of the release repository's read: the listing of the versions, one of each
    // version's folder, and at least each manifest and each of the eight signatures.
    let calls = report["api_calls"].as_object().unwrap();
    assert_eq!(calls["s3:ListBucket"], 1 + listed.len(), "{calls:?}");
    assert!(
        calls["s3:GetObject"].as_u64() >= Some(2 * listed.len() as u64 - 1),
        "{calls:?}"
    );
}
