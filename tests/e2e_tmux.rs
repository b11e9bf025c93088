//! End to end: the built binary's demo in a real terminal (tmux), driven by keys, read from the
//! screen, and the terminal checked to be restored afterwards.

mod tmux;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use tmux::Tmux;

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
