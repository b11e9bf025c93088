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
    launch_with(t, "");
}

/// `launch` with more arguments for shiftdeck before `demo`.
fn launch_with(t: &Tmux, args: &str) {
    launch_at(t, args, 20);
}

/// `launch_with`, the demo's clock running `speed` times real time.
fn launch_at(t: &Tmux, args: &str, speed: u32) {
    // `exec` keeps the pid and the foreground: a background job could not read the terminal.
    let line = format!(
        "stty -a > {before}; sh -c 'echo $$ > {pid}; exec {bin} {args} demo --speed {speed}'; echo $? > {code}; stty -a > {after}; echo SHIFTDECK_''EXITED",
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
        &[
            "promote an unsigned or yanked version anyway",
            "reject the selected environment's",
        ],
        Duration::from_secs(5),
    );
    t.send(&["Escape"]);

    // Approve the colleague's proposal for prod: the commit lands and the log says so.
    t.send(&["j", "j"]);
    t.wait_for(
        &["a approve: approve prod → v1.2.1 proposed by Dana Reyes"],
        Duration::from_secs(60),
    );
    t.send(&["a"]);
    t.wait_for(&["Dana Reyes", "Enter confirm"], Duration::from_secs(5));
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

/// Gives the cockpit's terminal a new size, as a person dragging the window would.
fn resize(t: &Tmux, width: u16, height: u16) {
    let (w, h) = (width.to_string(), height.to_string());
    assert!(
        t.cmd(&["resize-window", "-t", "e2e", "-x", &w, "-y", &h])
            .status()
            .unwrap()
            .success()
    );
}

#[test]
fn help_at_60x15_scrolls_line_by_line_through_the_middle() {
    let t = Tmux::start("help");
    launch(&t);
    t.wait_for(&["dev", "staging", "prod"], Duration::from_secs(30));
    resize(&t, 60, 15);
    t.send(&["?"]);
    let top = t.wait_for(&["Help", "more lines"], Duration::from_secs(5));
    assert!(top.contains("promote: pin the selected"), "{top}");
    t.send(&["j", "j", "j"]);
    // Three lines down: the top is gone, the end is not there yet.
    let middle = t.wait_for(&["↑ 3 above"], Duration::from_secs(5));
    assert!(!middle.contains("promote: pin the selected"), "{middle}");
    assert!(
        !middle.contains("returns traffic to the old version"),
        "{middle}"
    );
    t.send(&["k"]);
    t.wait_for(&["↑ 2 above"], Duration::from_secs(5));
    t.send(&["Escape"]);
    resize(&t, 120, 40);
    t.send(&["q"]);
    assert_restored(&t);
}

#[test]
fn a_prod_rollback_at_40x12_cannot_be_confirmed_blind() {
    let t = Tmux::start("blind");
    launch(&t);
    t.wait_for(&["dev", "staging", "prod"], Duration::from_secs(30));
    t.send(&["j", "j"]);
    // Prod read and its rollback worked out: a redeployment of each group and a pin revert.
    t.wait_for(&["r rollback: roll back prod"], Duration::from_secs(15));
    resize(&t, 40, 12);
    t.send(&["r"]);
    // The prompt and the keys are on screen however little of the plan fits.
    t.wait_for(
        &["ROLLBACK prod", "Type prod to confirm", "more lines"],
        Duration::from_secs(5),
    );
    t.send(&["p", "r", "o", "d", "Enter"]);
    let refused = t.wait_for(&["read the whole plan first"], Duration::from_secs(5));
    assert!(refused.contains("ROLLBACK prod"), "{refused}");
    // Read down to the last line, then Enter goes through.
    for _ in 0..20 {
        t.send(&["Down"]);
    }
    t.wait_for(&["Enter confirm"], Duration::from_secs(5));
    t.send(&["Enter"]);
    resize(&t, 120, 40);
    t.wait_for(&["rolled back prod"], Duration::from_secs(15));
    t.send(&["q"]);
    assert_restored(&t);
}

#[test]
fn a_keymap_that_leaves_rollback_without_a_key_says_so_at_start() {
    let t = Tmux::start("keymap");
    let keymap = t.file("keys.toml");
    std::fs::write(&keymap, "# mine\npromote = [\"r\"]\n").unwrap();
    launch_with(&t, &format!("--keymap {}", keymap.display()));
    // A message at start, naming the line and the command left without a key.
    t.wait_for(&["Keymap", "line 2", "rollback"], Duration::from_secs(30));
    t.send(&["Escape"]);
    t.send(&["q"]);
    assert_restored(&t);
}

#[test]
fn a_version_its_alarm_rolled_back_in_dev_is_not_promoted_with_p() {
    let t = Tmux::start("fault");
    launch_at(&t, "", 60);
    t.wait_for(&["dev", "staging", "prod"], Duration::from_secs(30));
    // dev is selected and shifting; the canary fails, its alarm fires, CodeDeploy rolls back.
    t.send(&["f"]);
    let rolled_back = t.wait_for(
        &["p promote ✗ v1.3.0 was rolled back"],
        Duration::from_secs(60),
    );
    // The failed deployment was the pipeline's answer to the pin: nothing waits for it.
    assert!(
        !rolled_back.contains("pipeline not started") && !rolled_back.contains("no deployment of"),
        "{rolled_back}"
    );
    t.send(&["p"]);
    let refused = t.wait_for(&["Cannot promote", "in dev"], Duration::from_secs(5));
    assert!(refused.contains("was rolled back"), "{refused}");
    assert!(
        !refused.contains("pin staging: v1.2.1 → v1.3.0"),
        "{refused}"
    );
    t.send(&["Escape"]);
    t.send(&["q"]);
    assert_restored(&t);
}

#[test]
fn after_a_finished_prod_shift_is_rolled_back_r_offers_no_roll_forward() {
    let t = Tmux::start("forward");
    launch_at(&t, "", 60);
    t.wait_for(&["dev", "staging", "prod"], Duration::from_secs(30));
    t.send(&["j", "j"]);
    // The colleague's proposal approved, the pipeline held at prod's manual gate, opened.
    // `a` before prod's deployments are read is refused (rightly): wait until the action bar
    // offers the approval, and for the confirm modal rather than any modal.
    t.wait_for(
        &["a approve: approve prod → v1.2.1 proposed by Dana Reyes"],
        Duration::from_secs(60),
    );
    t.send(&["a"]);
    t.wait_for(&["Dana Reyes", "Enter confirm"], Duration::from_secs(5));
    t.send(&["Enter"]);
    t.wait_for(
        &["a approve: open the manual gate of prod"],
        Duration::from_secs(120),
    );
    t.send(&["a"]);
    t.wait_for(
        &["PutLifecycleEventHookExecutionStatus"],
        Duration::from_secs(5),
    );
    t.send(&["Enter"]);
    // Once the shift has finished, rolling it back is a redeployment of the previous version
    // (while it runs, a StopDeployment): look until the plan says so.
    t.wait_for(&["opened the manual gate of prod"], Duration::from_secs(15));
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    loop {
        t.send(&["r"]);
        std::thread::sleep(Duration::from_millis(500));
        let screen = t.screen();
        if screen.contains("Type prod to confirm") && screen.contains("CreateDeployment") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the shift never finished:\n{screen}"
        );
        // A stop of the running shift, or a refusal: close it and look again.
        t.send(&["Escape"]);
        std::thread::sleep(Duration::from_secs(1));
    }
    t.send(&["p", "r", "o", "d"]);
    for _ in 0..20 {
        t.send(&["Down"]);
    }
    t.send(&["Enter"]);
    t.wait_for(&["rolled back prod"], Duration::from_secs(15));
    // Once the redeployment has finished, r offers nothing: not the version just left.
    let screen = t.wait_for(
        &["r rollback ✗ nothing to roll back in prod"],
        Duration::from_secs(120),
    );
    assert!(!screen.contains("pin v1.2.0 → v1.2.1"), "{screen}");
    t.send(&["q"]);
    assert_restored(&t);
}
