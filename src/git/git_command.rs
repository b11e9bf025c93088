//! Fetch and push through the `git` command line, for setups that need what libssh2 lacks
//! (`~/.ssh/config` ProxyJump, certificates, FIDO keys): `[fork] transport = "git"`.
//!
//! The child runs with `--progress`, so anything it prints counts as the remote being alive;
//! silence for longer than the idle limit, or a cancel, kills it.

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::fork::GitFork;
use super::push::{Pushed, moved_meanwhile};
use crate::ports::{ErrorKind, PortError, PortResult};

/// What a finished `git` child printed.
pub(super) struct Output {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

impl GitFork {
    /// Runs `git -C <fork> <args>` under the network limits.
    pub(super) fn git_cli(&self, args: &[&str]) -> PortResult<Output> {
        let transfer = self.network.start(&self.remote);
        let mut command = Command::new("git");
        if !self.ask_passphrase {
            // The cockpit owns the terminal: ssh must not prompt on it (for a passphrase, to
            // accept an unknown host key), where it would draw over the screen and wait unseen
            // for the idle limit. Forced to ask a program that answers nothing, ssh fails such
            // a prompt at once and says why (OpenSSH 8.4 and later; older ones still prompt).
            command
                .env("SSH_ASKPASS_REQUIRE", "force")
                .env("SSH_ASKPASS", "false");
            // A process group of its own, so that git is killed at its deadline together with
            // the ssh it started: a cockpit left running through a network outage would
            // otherwise collect a hung ssh on every refresh. (Not for the command line: there
            // ssh may ask for a passphrase, which takes the terminal's foreground group.)
            #[cfg(unix)]
            std::os::unix::process::CommandExt::process_group(&mut command, 0);
        }
        let mut child = command
            .arg("-C")
            .arg(&self.path)
            .args(args)
            .env("GIT_TERMINAL_PROMPT", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                PortError::new(
                    ErrorKind::Unavailable,
                    format!("cannot run git for {}: {e}", args.join(" ")),
                )
                .with_hint("install git, or set [fork] transport = \"libgit2\"")
            })?;
        let stderr = Arc::new(Mutex::new((Vec::<u8>::new(), Instant::now())));
        let reader = child.stderr.take().map(|mut pipe| {
            let stderr = stderr.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n @ 1..) = pipe.read(&mut buf) {
                    let mut seen = stderr.lock().unwrap_or_else(|e| e.into_inner());
                    seen.0.extend_from_slice(&buf[..n]);
                    seen.1 = Instant::now();
                }
            })
        });
        let mut stdout_pipe = child.stdout.take();
        let stdout = std::thread::spawn(move || {
            let mut out = String::new();
            if let Some(pipe) = stdout_pipe.as_mut() {
                let _ = pipe.read_to_string(&mut out);
            }
            out
        });
        let limit = transfer.limits().connect + transfer.limits().idle;
        let status = loop {
            if let Ok(Some(status)) = child.try_wait() {
                break Some(status);
            }
            let quiet = stderr.lock().unwrap_or_else(|e| e.into_inner()).1.elapsed();
            if transfer.cancelled() || quiet > limit {
                kill(&mut child, !self.ask_passphrase);
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        // Once git is killed its readers are not waited for: the ssh it started may live on
        // and hold the pipes open (a hung connect, a prompt), and the deadline is git's.
        let stdout = match status {
            Some(_) => {
                if let Some(reader) = reader {
                    let _ = reader.join();
                }
                stdout.join().unwrap_or_default()
            }
            None => String::new(),
        };
        let stderr = String::from_utf8_lossy(&stderr.lock().unwrap_or_else(|e| e.into_inner()).0)
            .into_owned();
        let Some(status) = status else {
            let error = PortError::new(
                ErrorKind::Timeout,
                format!("`git {}` printed nothing for too long", args.join(" ")),
            );
            return Err(transfer.explain(error, true));
        };
        Ok(Output {
            success: status.success(),
            stdout,
            stderr,
        })
    }

    /// `git fetch` through the command line; an error carries git's own message.
    pub(super) fn git_cli_checked(&self, doing: &str, args: &[&str]) -> PortResult<Output> {
        let out = self.git_cli(args)?;
        if out.success {
            return Ok(out);
        }
        Err(self.failed(doing, &out.stderr))
    }

    /// What a failed fetch or push says: git's last words, and for what ssh refused, what to
    /// do about it (OpenSSH's messages are not translated).
    fn failed(&self, doing: &str, stderr: &str) -> PortError {
        let message = format!("git failed while {doing}: {}", last_words(stderr));
        if stderr.contains("Permission denied") || stderr.contains("Host key verification failed") {
            let hint = if self.ask_passphrase {
                "check that the remote knows your key and that ~/.ssh/known_hosts has the host"
            } else {
                "the cockpit cannot ask for a passphrase or to trust a new host key: add the key to the agent (`ssh-add`) and connect once with `ssh` to record the host, or run the shiftdeck command from a shell"
            };
            return PortError::new(ErrorKind::Credentials, message).with_hint(hint);
        }
        PortError::new(ErrorKind::Unavailable, message)
            .with_hint("check the network and the remote URL (`git remote -v`)")
    }

    /// `git push --porcelain`: the status of the one reference pushed, with the remote's words.
    pub(super) fn git_cli_push(&self, refspec: &str) -> PortResult<Pushed> {
        let out = self.git_cli(&["push", "--porcelain", "--progress", &self.remote, refspec])?;
        // Porcelain lines: "<flag>\t<from>:<to>\t<summary> (<reason>)"; '!' is a rejection.
        let rejected: Vec<String> = out
            .stdout
            .lines()
            .filter(|l| l.starts_with('!'))
            .filter_map(|l| l.split('\t').nth(2).map(str::to_string))
            .collect();
        let said: Vec<String> = out
            .stderr
            .lines()
            .filter_map(|l| l.strip_prefix("remote: "))
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        let words = || {
            let mut all = rejected.clone();
            all.extend(said.iter().cloned());
            all.join("; ")
        };
        match (out.success, rejected.is_empty()) {
            (true, _) => Ok(Pushed::Accepted),
            (false, false) if rejected.iter().all(|r| moved_meanwhile(r)) => {
                Ok(Pushed::Moved(words()))
            }
            (false, false) => Ok(Pushed::Refused(words())),
            (false, true) => Err(self.failed(&format!("pushing to {}", self.remote), &out.stderr)),
        }
    }
}

/// Kills git, and with it everything in its process group where it has one of its own.
fn kill(child: &mut std::process::Child, own_group: bool) {
    #[cfg(unix)]
    if own_group
        && let Some(group) = rustix::process::Pid::from_raw(child.id() as i32)
        && rustix::process::kill_process_group(group, rustix::process::Signal::KILL).is_ok()
    {
        return;
    }
    #[cfg(not(unix))]
    let _ = own_group;
    let _ = child.kill();
}

/// The last meaningful lines git printed, without progress meters, and without the advice git
/// appends to every failed connection, which would push out what ssh said went wrong.
fn last_words(stderr: &str) -> String {
    let lines: Vec<&str> = stderr
        .split(['\n', '\r'])
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.contains("% ("))
        .filter(|l| {
            !l.starts_with("Please make sure you have the correct access rights")
                && *l != "and the repository exists."
        })
        .collect();
    lines[lines.len().saturating_sub(3)..].join(" ")
}
