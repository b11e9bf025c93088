//! End to end: the built binary's demo in a real terminal (tmux), driven by keys, read from the
//! screen, and the terminal checked to be restored afterwards.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
    dir: tempfile::TempDir,
}

impl Tmux {
    /// A private tmux server with one 120×40 shell.
    fn start(name: &str) -> Tmux {
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

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new("tmux");
        c.arg("-L").arg(&self.socket).args(args);
        c.env_remove("TMUX");
        c
    }

    fn send(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        assert!(self.cmd(&args).status().unwrap().success());
        // A key right after Escape would read as Alt+key, as in any terminal.
        if keys.last() == Some(&"Escape") {
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    fn screen(&self) -> String {
        let out = self
            .cmd(&["capture-pane", "-p", "-t", "e2e"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn display(&self, format: &str) -> String {
        let out = self
            .cmd(&["display-message", "-p", "-t", "e2e", format])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Waits until every needle is on screen; the screen is in the panic message otherwise.
    fn wait_for(&self, needles: &[&str], timeout: Duration) -> String {
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

    fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]).status();
    }
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_shiftdeck")
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_default()
}

/// Runs the demo from the shell, recording the tty settings before and after and the exit code.
fn launch(t: &Tmux) {
    // `exec` keeps the pid and the foreground: a background job could not read the terminal.
    let line = format!(
        "stty -a > {before}; sh -c 'echo $$ > {pid}; exec {bin} demo --speed 20'; echo $? > {code}; stty -a > {after}; echo SHIFTDECK_''EXITED",
        before = t.file("before").display(),
        after = t.file("after").display(),
        pid = t.file("pid").display(),
        code = t.file("code").display(),
        bin = bin(),
    );
    t.send(&[&line, "Enter"]);
}

fn assert_restored(t: &Tmux) {
    t.wait_for(&["SHIFTDECK_EXITED"], Duration::from_secs(15));
    assert_eq!(
        t.display("#{alternate_on}"),
        "0",
        "still on the alternate screen"
    );
    assert_eq!(t.display("#{cursor_flag}"), "1", "cursor left hidden");
    let (before, after) = (read(&t.file("before")), read(&t.file("after")));
    assert!(!before.is_empty());
    assert_eq!(
        before, after,
        "terminal modes differ after shiftdeck exited"
    );
}

#[test]
fn demo_shows_a_live_shift_answers_keys_and_restores_the_terminal_on_quit() {
    let t = Tmux::start("quit");
    launch(&t);
    let screen = t.wait_for(
        &["dev", "staging", "prod", "v1.3.0", "%"],
        Duration::from_secs(30),
    );
    assert_eq!(
        t.display("#{alternate_on}"),
        "1",
        "the cockpit draws on the alternate screen:\n{screen}"
    );

    t.send(&["?"]);
    // Words only the help shows: the action bar and log already say promote and rollback.
    t.wait_for(
        &["keys come from the keymap file", "focus the next pane"],
        Duration::from_secs(5),
    );
    t.send(&["Escape"]);

    // Approve the colleague's proposal for prod: the commit lands and the log says so.
    t.send(&["j", "j"]);
    t.send(&["a"]);
    t.wait_for(&["Dana Reyes", "Enter"], Duration::from_secs(5));
    t.send(&["Enter"]);
    t.wait_for(&["approved v1.2.1 for prod"], Duration::from_secs(10));

    // Roll back dev's running shift: StopDeployment, then the pin revert.
    t.send(&["k", "k", "r"]);
    t.wait_for(&["StopDeployment"], Duration::from_secs(5));
    t.send(&["Enter"]);
    t.wait_for(&["rolled back dev"], Duration::from_secs(10));

    t.send(&["q"]);
    assert_restored(&t);
    assert_eq!(read(&t.file("code")).trim(), "0");
}

#[test]
fn sigterm_restores_the_terminal() {
    let t = Tmux::start("term");
    launch(&t);
    t.wait_for(&["dev", "prod"], Duration::from_secs(30));
    let pid = read(&t.file("pid")).trim().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    assert_restored(&t);
}
