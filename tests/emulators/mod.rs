//! Local AWS emulators for the integration tests: moto (S3, Lambda, IAM, STS, CodeDeploy) and
//! ministack (CloudWatch), started on free loopback ports and stopped when dropped.
#![allow(dead_code)]

pub mod account;
pub mod ministack;
pub mod moto;

use std::net::TcpListener;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// The pins `.ci/run` installs too.
pub const PACKAGES: [&str; 3] = ["moto[server]>=5.2,<5.3", "ministack", "cbor2"];

/// The virtualenv holding the emulators: `SHIFTDECK_EMULATORS`, else `.venv` in the project.
/// Created on first use (Python's venv and pip, from the package registry), once even when
/// several test binaries ask at the same time, so `cargo test` needs no set-up step.
pub fn venv() -> PathBuf {
    let dir = std::env::var_os("SHIFTDECK_EMULATORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv"));
    let ready = dir.join(".shiftdeck-emulators");
    if ready.exists() {
        return dir;
    }
    let lock = dir.with_extension("lock");
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        if ready.exists() {
            return dir;
        }
        // Creating a directory is atomic: whoever creates it installs, the others wait.
        if std::fs::create_dir(&lock).is_ok() {
            let installed = install(&dir);
            if installed.is_ok() {
                std::fs::write(&ready, PACKAGES.join("\n")).expect("mark the venv ready");
            }
            let _ = std::fs::remove_dir(&lock);
            if let Err(e) = installed {
                panic!(
                    "cannot install the AWS emulators into {}: {e}",
                    dir.display()
                );
            }
            return dir;
        }
        assert!(
            Instant::now() < deadline,
            "waited 10 minutes for another test to install the emulators; remove {} if no test runs",
            lock.display()
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn install(dir: &std::path::Path) -> Result<(), String> {
    let run = |cmd: &mut Command| -> Result<(), String> {
        let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{cmd:?} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    };
    if !dir.join("bin/pip").exists() {
        run(Command::new("python3").arg("-m").arg("venv").arg(dir))?;
    }
    run(Command::new(dir.join("bin/pip"))
        .args(["install", "--quiet", "--disable-pip-version-check"])
        .args(PACKAGES))
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// An SDK config aimed at an emulator at `endpoint`: region us-east-1, static test credentials,
/// one attempt (a test that expects an error fails fast instead of retrying), short timeouts.
pub fn sdk_config(endpoint: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .http_client(shiftdeck::aws::connect::https_client())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "test", "test", None, None, "emulator",
        )))
        .retry_config(RetryConfig::standard().with_max_attempts(1))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(2))
                .operation_timeout(Duration::from_secs(30))
                .build(),
        )
        .build()
}
