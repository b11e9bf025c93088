//! Signed commits, as git makes them: when `commit.gpgsign` is set, the commit buffer goes to
//! the user's own signing program (`gpg`, `gpgsm` or `ssh-keygen -Y sign`, per `gpg.format`)
//! and the signature it prints is stored in the commit. Modelled on gitui's
//! `asyncgit/src/sync/sign.rs`.

use git2::Config;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::ports::{ErrorKind, PortError, PortResult};

/// How this repository signs commits.
pub(super) enum Signing {
    /// OpenPGP or X.509 through `gpg`/`gpgsm`-compatible programs.
    Gpg {
        program: String,
        key: String,
    },
    Ssh {
        program: String,
        key: PathBuf,
    },
}

fn unusable(why: String, hint: &str) -> PortError {
    PortError::new(ErrorKind::Credentials, why).with_hint(hint.to_string())
}

impl Signing {
    /// `None` when the repository does not ask for signed commits.
    pub fn from_config(config: &Config) -> PortResult<Option<Signing>> {
        if !config.get_bool("commit.gpgsign").unwrap_or(false) {
            return Ok(None);
        }
        let string = |key: &str| config.get_string(key).ok().filter(|v| !v.trim().is_empty());
        let format = string("gpg.format").unwrap_or_else(|| "openpgp".into());
        let key = string("user.signingkey");
        let signing = match format.as_str() {
            "openpgp" | "x509" => {
                let default = if format == "x509" { "gpgsm" } else { "gpg" };
                let program = string(&format!("gpg.{format}.program"))
                    .or_else(|| string("gpg.program"))
                    .unwrap_or_else(|| default.into());
                // Without a key, gpg picks it from the committer, as git does.
                let key = key.unwrap_or_else(|| {
                    format!(
                        "{} <{}>",
                        string("user.name").unwrap_or_default(),
                        string("user.email").unwrap_or_default()
                    )
                });
                Signing::Gpg { program, key }
            }
            "ssh" => {
                let program = string("gpg.ssh.program").unwrap_or_else(|| "ssh-keygen".into());
                let key = key.ok_or_else(|| {
                    unusable(
                        "commit.gpgsign is set with gpg.format = ssh, but user.signingkey names no key".into(),
                        "set it to your key file: `git config user.signingkey ~/.ssh/id_ed25519.pub`",
                    )
                })?;
                Signing::Ssh {
                    program,
                    key: expand_home(key.strip_prefix("key::").unwrap_or(&key)),
                }
            }
            other => {
                return Err(unusable(
                    format!(
                        "commit.gpgsign is set, but gpg.format = {other:?} is not a format git knows"
                    ),
                    "set gpg.format to openpgp, x509 or ssh",
                ));
            }
        };
        Ok(Some(signing))
    }

    /// The signature of `content`, or an error when the program fails; nothing is written then.
    pub fn sign(&self, content: &str) -> PortResult<String> {
        let (program, args): (&str, Vec<String>) = match self {
            Signing::Gpg { program, key } => (
                program,
                vec!["--status-fd=2".into(), "-bsau".into(), key.clone()],
            ),
            Signing::Ssh { program, key } => (
                program,
                vec![
                    "-Y".into(),
                    "sign".into(),
                    "-n".into(),
                    "git".into(),
                    "-f".into(),
                    key.display().to_string(),
                ],
            ),
        };
        let failed = |why: String| {
            unusable(
                format!(
                    "signing the commit with {program} failed, so nothing was committed: {why}"
                ),
                "check user.signingkey and that the key is usable (`git commit -S --allow-empty -m test` shows the same error)",
            )
        };
        let mut child = Command::new(program)
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| failed(format!("cannot run it: {e}")))?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(content.as_bytes())
                .map_err(|e| failed(format!("cannot give it the commit: {e}")))?;
        }
        let out = child
            .wait_with_output()
            .map_err(|e| failed(e.to_string()))?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        let created = match self {
            // gpg says it made a signature on its status channel; the exit code alone is not
            // enough for some gpg wrappers.
            Signing::Gpg { .. } => stderr.contains("[GNUPG:] SIG_CREATED "),
            Signing::Ssh { .. } => true,
        };
        if !out.status.success() || !created || out.stdout.is_empty() {
            let why = stderr
                .lines()
                .filter(|l| !l.starts_with("[GNUPG:]"))
                .collect::<Vec<_>>()
                .join(" ");
            return Err(failed(if why.trim().is_empty() {
                format!("it exited with {}", out.status)
            } else {
                why
            }));
        }
        String::from_utf8(out.stdout).map_err(|_| failed("its signature is not text".into()))
    }
}

fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    }
}
