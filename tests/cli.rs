//! The binary as a user runs it: configuration errors, doctor, completions.

use assert_cmd::Command;
use shiftdeck::sim::{ClockMode, Demo, SimOptions};

fn shiftdeck() -> Command {
    let mut c = Command::cargo_bin("shiftdeck").unwrap();
    c.env_remove("SHIFTDECK_CONFIG")
        .env("HOME", std::env::temp_dir());
    c
}

#[test]
fn doctor_reads_every_pin_of_a_real_fork() {
    let demo = Demo::start(SimOptions {
        seed: 1,
        clock: ClockMode::Manual,
        targets_per_env: 1,
    })
    .unwrap();
    let out = shiftdeck()
        .args(["doctor", "--local", "--config"])
        .arg(demo.config_path())
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    for line in [
        "pin      ok  dev = v1.3.0",
        "pin      ok  staging = v1.2.1",
        "pin      ok  prod = v1.2.0",
    ] {
        assert!(text.contains(line), "missing {line:?} in:\n{text}");
    }
    assert!(text.contains("clean"), "{text}");
}

#[test]
fn a_bad_config_is_an_error_with_file_line_and_hint() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shiftdeck.toml");
    std::fs::write(
        &path,
        "[release]\nbucket = \"b\"\npublic_key = \"RWQ\"\nbukcet = 1\n",
    )
    .unwrap();
    let out = shiftdeck()
        .arg("--config")
        .arg(&path)
        .arg("doctor")
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        err.contains("shiftdeck.toml:4: ") && err.contains("bukcet") && err.contains("hint:"),
        "{err}"
    );
}

#[test]
fn without_a_config_it_points_to_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let out = shiftdeck().current_dir(dir.path()).assert().code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        err.contains("no configuration found") && err.contains("shiftdeck demo"),
        "{err}"
    );
}

#[test]
fn usage_errors_exit_with_code_2_and_completions_are_generated() {
    shiftdeck().arg("--no-such-flag").assert().code(2);
    shiftdeck()
        .args(["demo", "--targets", "0"])
        .assert()
        .code(2);
    let out = shiftdeck().args(["completions", "bash"]).assert().success();
    assert!(String::from_utf8_lossy(&out.get_output().stdout).contains("shiftdeck"));
}

mod audit_command {
    use super::shiftdeck;
    use shiftdeck::audit_log::JsonlAudit;
    use shiftdeck::domain::audit::{ActionKind, AuditRecord, Outcome, Refusal};
    use shiftdeck::domain::time::Timestamp;
    use shiftdeck::ports::Appended;
    use shiftdeck::sim::{ClockMode, Demo, SimOptions};

    fn record(secs: i64, env: &str, outcome: Outcome) -> AuditRecord {
        AuditRecord {
            from_version: Some("v1.2.0".into()),
            to_version: Some("v1.2.1".into()),
            refusal: (outcome == Outcome::Refused).then(|| Refusal {
                kind: "frozen".into(),
                hint: Some("unfreeze it first".into()),
            }),
            ..AuditRecord::new(
                Timestamp(1_795_428_847_000 + secs * 1000),
                "Dana Reyes <dana@example.com>",
                env,
                ActionKind::Promote,
                outcome,
                format!("{env} at +{secs}s"),
            )
        }
    }

    fn json(out: &assert_cmd::assert::Assert) -> serde_json::Value {
        serde_json::from_slice(&out.get_output().stdout).unwrap()
    }

    #[test]
    fn the_log_is_shown_filtered_by_environment_and_time_as_a_table_or_json() {
        let dir = tempfile::tempdir().unwrap();
        let log = JsonlAudit::in_dir(dir.path());
        log.write(&record(0, "prod", Outcome::Succeeded)).unwrap();
        log.write(&record(60, "dev", Outcome::Succeeded)).unwrap();
        log.write(&record(120, "prod", Outcome::Refused)).unwrap();

        let out = shiftdeck()
            .args([
                "audit",
                "--env",
                "prod",
                "--since",
                "2026-11-23T10:15:00Z",
                "--json",
                "--audit-dir",
            ])
            .arg(dir.path())
            .assert()
            .success();
        let doc = json(&out);
        assert_eq!(doc["schema"], "shiftdeck.audit/1");
        assert_eq!(doc["source"], "local");
        let records = doc["records"].as_array().unwrap();
        assert_eq!(records.len(), 1, "{doc}");
        assert_eq!(records[0]["message"], "prod at +120s");
        assert_eq!(records[0]["outcome"], "refused");
        assert_eq!(records[0]["refusal"]["kind"], "frozen");

        let out = shiftdeck()
            .args(["audit", "--audit-dir"])
            .arg(dir.path())
            .assert()
            .success();
        let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert!(
            lines[0].starts_with("TIME") && lines[0].contains("OUTCOME"),
            "{text}"
        );
        assert!(
            lines[3].starts_with("2026-11-23T10:16:07Z  prod       promote   refused   Dana Reyes         v1.2.0 → v1.2.1"),
            "{text}"
        );
    }

    #[test]
    fn a_filter_naming_no_known_environment_says_which_exist() {
        let dir = tempfile::tempdir().unwrap();
        JsonlAudit::in_dir(dir.path())
            .write(&record(0, "prod", Outcome::Succeeded))
            .unwrap();
        let out = shiftdeck()
            .args(["audit", "--env", "prdo", "--audit-dir"])
            .arg(dir.path())
            .assert()
            .success();
        let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(
            err.contains("prdo") && err.contains("records name prod"),
            "{err}"
        );
    }

    #[test]
    fn a_malformed_since_is_a_usage_error_that_shows_what_is_accepted() {
        let out = shiftdeck()
            .args(["audit", "--since", "last tuesday"])
            .assert()
            .code(2);
        let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(err.contains("2026-11-23") && err.contains("2h"), "{err}");
    }

    #[test]
    fn team_shows_every_record_pushed_to_the_forks_remote() {
        let demo = Demo::start(SimOptions {
            seed: 1,
            clock: ClockMode::Manual,
            targets_per_env: 1,
        })
        .unwrap();
        for (secs, env) in [(0, "dev"), (30, "prod")] {
            let appended = demo
                .ports
                .audit
                .append(&record(secs, env, Outcome::Succeeded))
                .unwrap();
            assert!(matches!(appended, Appended::Shared(_)), "{appended:?}");
        }
        let out = shiftdeck()
            .args(["audit", "--team", "--json", "--config"])
            .arg(demo.config_path())
            .assert()
            .success();
        let doc = json(&out);
        assert_eq!(doc["source"], "team");
        assert_eq!(doc["location"], "origin refs/shiftdeck/audit");
        assert_eq!(doc["pending"], 0);
        let messages: Vec<&str> = doc["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["message"].as_str().unwrap())
            .collect();
        assert_eq!(messages, ["dev at +0s", "prod at +30s"]);
    }

    #[test]
    fn the_demos_log_outlives_the_demo() {
        let dir = tempfile::tempdir().unwrap();
        let mut demo = Demo::start(SimOptions {
            seed: 1,
            clock: ClockMode::Manual,
            targets_per_env: 1,
        })
        .unwrap();
        demo.keep_audit_in(dir.path()).unwrap();
        demo.ports
            .audit
            .append(&record(0, "dev", Outcome::Refused))
            .unwrap();
        drop(demo);
        let out = shiftdeck()
            .args(["audit", "--json", "--audit-dir"])
            .arg(dir.path())
            .assert()
            .success();
        assert_eq!(json(&out)["records"][0]["environment"], "dev");
    }
}

#[test]
fn ui_options_belong_to_the_cockpit_and_the_demo_only() {
    let help = |args: &[&str]| {
        let out = shiftdeck().args(args).assert().success();
        String::from_utf8_lossy(&out.get_output().stdout).into_owned()
    };
    for args in [
        ["completions", "--help"],
        ["audit", "--help"],
        ["man", "--help"],
    ] {
        let text = help(&args);
        assert!(
            !text.contains("--theme") && !text.contains("--keymap"),
            "{args:?}:\n{text}"
        );
    }
    assert!(help(&["demo", "--help"]).contains("--theme"));
    assert!(help(&["--help"]).contains("--keymap"));
    // The configuration and read-only mode, likewise, only where something reads or acts.
    for args in [["completions", "--help"], ["man", "--help"]] {
        let text = help(&args);
        assert!(
            !text.contains("--config") && !text.contains("--read-only"),
            "{args:?}:\n{text}"
        );
    }
    for cmd in ["pin", "rollback", "freeze"] {
        let text = help(&[cmd, "--help"]);
        assert!(
            text.contains("--config") && text.contains("--read-only"),
            "{cmd}:\n{text}"
        );
    }
    for cmd in ["status", "versions", "doctor", "audit"] {
        assert!(help(&[cmd, "--help"]).contains("--config"), "{cmd}");
    }
}

#[test]
fn the_man_page_is_generated_from_the_command_definitions() {
    let out = shiftdeck().arg("man").assert().success();
    let page = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(page.contains(".TH SHIFTDECK 1"), "{page}");
    assert!(
        page.contains("audit") && page.contains("completions"),
        "{page}"
    );

    let dir = tempfile::tempdir().unwrap();
    shiftdeck()
        .args(["man", "--dir"])
        .arg(dir.path())
        .assert()
        .success();
    let audit = std::fs::read_to_string(dir.path().join("shiftdeck-audit.1")).unwrap();
    assert!(
        audit.contains(".TH SHIFTDECK-AUDIT 1") && audit.contains("\\-\\-team"),
        "{audit}"
    );
}
