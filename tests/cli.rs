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
