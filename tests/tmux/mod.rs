//! A private tmux server with one shell, for end-to-end tests of the built binary: keys in,
//! screen out.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    socket: String,
    dir: tempfile::TempDir,
}

impl Tmux {
    /// A private tmux server with one 120×40 shell.
    pub fn start(name: &str) -> Tmux {
        let dir = tempfile::tempdir().unwrap();
        let socket = format!("shiftdeck-e2e-{name}-{}", std::process::id());
        let t = Tmux { socket, dir };
        let ok = t
            .cmd(&[
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                "e2e",
                "-x",
                "120",
                "-y",
                "40",
                "sh",
            ])
            .status()
            .expect("tmux must be installed for the end-to-end tests (apt-get install tmux)")
            .success();
        assert!(ok, "tmux could not start a session");
        t
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new("tmux");
        c.arg("-L").arg(&self.socket).args(args);
        c.env_remove("TMUX");
        c
    }

    pub fn send(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        assert!(self.cmd(&args).status().unwrap().success());
        // A key right after Escape would read as Alt+key, as in any terminal.
        if keys.last() == Some(&"Escape") {
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    pub fn screen(&self) -> String {
        let out = self
            .cmd(&["capture-pane", "-p", "-t", "e2e"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn display(&self, format: &str) -> String {
        let out = self
            .cmd(&["display-message", "-p", "-t", "e2e", format])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Waits until every needle is on screen; the screen is in the panic message otherwise.
    pub fn wait_for(&self, needles: &[&str], timeout: Duration) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if needles.iter().all(|n| screen.contains(n)) {
                return screen;
            }
            if start.elapsed() > timeout {
                panic!("timed out waiting for {needles:?}; screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]).status();
    }
}
