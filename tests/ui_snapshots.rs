//! What the cockpit looks like in the states that matter, at 80×24 and 120×40, plus checks
//! that NO_COLOR output has no colour and that no terminal size makes drawing panic.

mod ui_fixtures;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

use ratatui::layout::Rect;

use shiftdeck::app::state::State;
use shiftdeck::app::update::update;
use shiftdeck::ui::{Keymap, Theme, draw, laid_out};

/// The frame the terminal shows for `state`: as in the event loop, what a first frame laid out
/// of a scrolling overlay is reported to `update` before the frame the user sees.
fn render(state: &State, width: u16, height: u16, theme: &Theme) -> TestBackend {
    let keymap = Keymap::default();
    let mut state = state.clone();
    let area = Rect::new(0, 0, width, height);
    while let Some(action) = laid_out(&state, &keymap, theme, area) {
        update(&mut state, action);
    }
    // The fixtures are states built by hand, not by `update`, which keeps this in step.
    state.availability = shiftdeck::app::intents::availability(&state);
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| draw(frame, &state, &keymap, theme))
        .unwrap();
    terminal.backend().clone()
}

/// Snapshots `state` at both standard sizes as `<name>_80x24` and `<name>_120x40`.
fn snapshot_both(name: &str, state: &State) {
    let theme = Theme::load(None, false).unwrap();
    for (w, h) in [(80, 24), (120, 40)] {
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), render(state, w, h, &theme));
    }
}

/// Snapshots `state` at every size the cockpit is tried at, from tiny to huge.
fn snapshot_every_size(name: &str, state: &State) {
    snapshot_both(name, state);
    let theme = Theme::load(None, false).unwrap();
    for (w, h) in [(40, 12), (100, 30), (200, 60)] {
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), render(state, w, h, &theme));
    }
}

#[test]
fn idle() {
    snapshot_every_size("idle", &ui_fixtures::idle());
}

#[test]
fn shifting() {
    snapshot_every_size("shifting", &ui_fixtures::shifting());
}

#[test]
fn alarm_firing() {
    snapshot_every_size("alarm_firing", &ui_fixtures::alarm_firing());
}

#[test]
fn rolled_back() {
    snapshot_every_size("rolled_back", &ui_fixtures::rolled_back());
}

/// The rows of a rendered screen.
fn rows(backend: &TestBackend) -> Vec<String> {
    let width = usize::from(backend.buffer().area.width);
    backend
        .buffer()
        .content
        .chunks(width)
        .map(|row| row.iter().map(|c| c.symbol()).collect())
        .collect()
}

#[test]
fn at_80x24_the_action_bar_keeps_why_each_action_is_refused() {
    let theme = Theme::load(None, false).unwrap();
    let screen = rows(&render(&ui_fixtures::idle(), 80, 24, &theme));
    let bar = &screen[screen.len() - 3..];
    assert!(
        bar[0].contains("promote ✗ v1.4.0 is already proposed"),
        "{bar:?}"
    );
    assert!(bar[1].contains("approve ✗ nothing in staging"), "{bar:?}");
    assert!(bar[2].contains("rollback: roll back staging"), "{bar:?}");
    // What does not fit ends with an ellipsis instead of stopping mid-word.
    assert!(bar[1].trim_end().ends_with('…'), "{bar:?}");
}

#[test]
fn at_100x30_every_environment_keeps_its_pinned_and_serving_versions() {
    let theme = Theme::load(None, false).unwrap();
    for state in [ui_fixtures::idle(), ui_fixtures::shifting()] {
        let screen = rows(&render(&state, 100, 30, &theme));
        for (env, pin, serving) in [
            ("dev", "v1.4.0", "v1.4.0"),
            (
                "staging",
                "v1.4.0",
                if state.focus == shiftdeck::app::state::Pane::Shift {
                    "v1.3.0"
                } else {
                    "v1.4.0"
                },
            ),
            ("prod", "v1.3.0", "v1.3.0"),
        ] {
            let row = screen
                .iter()
                .find(|r| {
                    r.starts_with(&format!("│▸ {env} ")) || r.starts_with(&format!("│  {env} "))
                })
                .unwrap_or_else(|| panic!("no row for {env}: {screen:#?}"));
            assert!(
                row.contains(pin) && row.contains(serving) && !row.contains('…'),
                "{env}: {row}"
            );
        }
    }
}

#[test]
fn rollback_in_progress() {
    snapshot_both("rollback_in_progress", &ui_fixtures::rollback_in_progress());
}

#[test]
fn confirm_rollback_of_protected_prod() {
    snapshot_both(
        "confirm_rollback_prod",
        &ui_fixtures::confirm_rollback_prod(),
    );
}

#[test]
fn a_confirm_too_tall_for_the_screen_scrolls_under_a_prompt_that_stays() {
    let theme = Theme::load(None, false).unwrap();
    let state = ui_fixtures::confirm_rollback_prod();
    insta::assert_snapshot!(
        "confirm_rollback_prod_40x12",
        render(&state, 40, 12, &theme)
    );
    // Scrolled to its end, the last call shows and Enter now only waits for the name.
    let mut scrolled = state.clone();
    scrolled.confirm_view.scroll.offset = u16::MAX;
    let screen = render(&scrolled, 40, 12, &theme).to_string();
    assert!(screen.contains("Shiftdeck-Action"), "{screen}");
    assert!(screen.contains("Enter once typed"), "{screen}");
    // Too small for even one line of the plan: the modal says to enlarge the terminal.
    let screen = render(&state, 40, 6, &theme).to_string();
    assert!(screen.contains("Enlarge the terminal"), "{screen}");
}

#[test]
fn help() {
    snapshot_both("help", &ui_fixtures::help());
    // At 80×24 the help is taller than the screen: down shows its end.
    let mut at_end = ui_fixtures::help();
    at_end.panel_scroll.offset = u16::MAX;
    let theme = Theme::load(None, false).unwrap();
    insta::assert_snapshot!("help_end_80x24", render(&at_end, 80, 24, &theme));
}

#[test]
fn artifacts_not_checked() {
    snapshot_both("unchecked_artifacts", &ui_fixtures::unchecked_artifacts());
    // The version below is being downloaded: its detail says so instead.
    let mut s = ui_fixtures::unchecked_artifacts();
    s.selected_version += 1;
    let theme = Theme::load(None, false).unwrap();
    let screen = render(&s, 120, 40, &theme).to_string();
    assert!(screen.contains("downloading them to check"), "{screen}");
}

#[test]
fn calls_view() {
    snapshot_both("calls", &ui_fixtures::calls());
}

#[test]
fn failed_read_in_place_and_error_modal() {
    snapshot_both("error", &ui_fixtures::error());
    let mut underneath = ui_fixtures::error();
    underneath.modal = None;
    snapshot_both("error_in_place", &underneath);
}

#[test]
fn read_only() {
    snapshot_both("read_only", &ui_fixtures::read_only());
}

#[test]
fn narrow_terminal() {
    let theme = Theme::load(None, false).unwrap();
    insta::assert_snapshot!(
        "narrow_50x15",
        render(&ui_fixtures::shifting(), 50, 15, &theme)
    );
}

#[test]
fn overview_of_200_targets_in_each_environment() {
    snapshot_both("overview_200", &ui_fixtures::many_targets(200));
}

fn every_fixture() -> Vec<State> {
    vec![
        ui_fixtures::idle(),
        ui_fixtures::shifting(),
        ui_fixtures::alarm_firing(),
        ui_fixtures::rolled_back(),
        ui_fixtures::rollback_in_progress(),
        ui_fixtures::confirm_rollback_prod(),
        ui_fixtures::help(),
        ui_fixtures::calls(),
        ui_fixtures::unchecked_artifacts(),
        ui_fixtures::error(),
        ui_fixtures::read_only(),
        ui_fixtures::many_targets(200),
    ]
}

#[test]
fn no_color_output_has_no_colours() {
    let theme = Theme::load(Some("dark"), true).unwrap();
    for state in every_fixture() {
        for (w, h) in [(80, 24), (120, 40)] {
            let backend = render(&state, w, h, &theme);
            for cell in backend.buffer().content() {
                assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset), "{cell:?}");
            }
        }
    }
}

#[test]
fn protected_environments_are_marked_in_words_without_colour() {
    let theme = Theme::load(None, true).unwrap();
    let screen = render(&ui_fixtures::idle(), 80, 24, &theme).to_string();
    assert!(screen.contains("prod    PROTECTED"), "{screen}");
}

#[test]
fn no_terminal_size_makes_drawing_panic() {
    let theme = Theme::load(None, false).unwrap();
    for state in every_fixture() {
        for w in (1..=200).step_by(9).chain([2, 3, 79, 99, 100]) {
            for h in (1..=60).step_by(4).chain([2, 3, 9, 10, 29, 30]) {
                render(&state, w, h, &theme);
            }
        }
    }
}

#[test]
fn a_failure_shown_in_the_versions_pane_keeps_the_selection_on_screen() {
    use shiftdeck::app::state::Pane;
    use shiftdeck::ports::{ErrorKind, PortError};

    let mut s = ui_fixtures::idle();
    // More versions than the list has rows, so that the failure's lines push some away.
    let releases = s.releases.value.as_mut().unwrap();
    let template = releases[0].clone();
    for minor in 0..30 {
        let mut r = template.clone();
        r.version = shiftdeck::domain::version::Version::parse(&format!("v0.{minor}.0")).unwrap();
        releases.push(r);
    }
    shiftdeck::app::state::newest_first(releases);
    s.focus = Pane::Versions;
    s.selected_version = s.visible_releases().len() - 1;
    let last = s.visible_releases().last().unwrap().version.to_string();
    s.releases.error = Some(
        PortError::new(
            ErrorKind::Throttled,
            "S3 ListObjectsV2 was throttled (SlowDown)",
        )
        .with_hint("shiftdeck retries on its own; nothing to do"),
    );
    let theme = Theme::load(None, false).unwrap();
    // Every height from cramped to roomy, in the compact and the wide layout.
    let sizes = (12..=40).flat_map(|h| [(80, h), (120, h)]);
    for (w, h) in sizes {
        let screen = format!("{:?}", render(&s, w, h, &theme));
        assert!(screen.contains("throttled"), "{w}x{h}: {screen}");
        assert!(
            screen.contains(&format!("▸ {last}")),
            "{w}x{h}: the selected {last} is off screen:\n{screen}"
        );
    }
}

#[test]
fn a_long_log_message_wraps_under_its_own_column_instead_of_being_cut() {
    use shiftdeck::domain::audit::Outcome;

    let mut s = ui_fixtures::idle();
    let message = format!("{} ends-here", "a long refusal reason ".repeat(8));
    s.log_line("staging", "promote", Outcome::Refused, message);
    let theme = Theme::load(None, false).unwrap();
    let backend = render(&s, 120, 40, &theme);
    let rows: Vec<String> = backend
        .buffer()
        .content
        .chunks(120)
        .map(|row| row.iter().map(|c| c.symbol()).collect())
        .collect();
    let head = rows
        .iter()
        .position(|r| r.contains("staging promote  refused"))
        .expect("the entry is shown");
    let column = rows[head].find("a long").unwrap();
    let last = rows
        .iter()
        .position(|r| r.contains("ends-here"))
        .expect("the end of the message is shown, not cut");
    assert!(last > head, "the message wrapped onto later rows");
    for row in &rows[head + 1..=last] {
        // Continuation rows start under the message, leaving time, environment and outcome clear.
        assert!(
            row[..column].trim_start_matches('│').trim().is_empty(),
            "{row}"
        );
    }
}

#[test]
fn the_selected_group_stays_selected_when_a_read_reorders_the_groups() {
    use shiftdeck::app::action::{Action, Fetched};

    let mut s = ui_fixtures::idle();
    s.selected_target = 1;
    let mut read = s.rollouts["staging"].value.clone().unwrap();
    assert_eq!(read.targets[1].group, "worker");
    read.targets.reverse();
    let now = s.now;
    update(
        &mut s,
        Action::Rollout("staging".into(), Fetched::new(now, Ok(read))),
    );
    assert_eq!(s.visible_targets()[s.selected_target].group, "worker");
}

#[test]
fn the_palette_lists_commands_in_words() {
    let theme = Theme::load(None, false).unwrap();
    let mut s = ui_fixtures::idle();
    s.palette.active = true;
    insta::assert_snapshot!("palette_80x24", render(&s, 80, 24, &theme));
}

#[test]
fn a_pushed_pin_the_pipeline_has_not_started_is_said_in_words_not_idle() {
    let mut s = ui_fixtures::idle();
    if let Some(f) = &mut s.fork.value {
        f.pins[1].version = Ok(shiftdeck::domain::version::Version::parse("v1.5.0-rc.1").unwrap());
        f.pins[1].pinned_at = Some(ui_fixtures::ago(120));
    }
    let theme = Theme::load(None, false).unwrap();
    for (w, h) in [(80, 24), (120, 40)] {
        let screen = rows(&render(&s, w, h, &theme));
        let at = screen
            .iter()
            .position(|r| r.contains("▸ staging"))
            .expect("staging is shown");
        let staging = screen[at..at + 3].join("\n");
        assert!(
            staging.contains("pipeline not started") && staging.contains("v1.5.0-rc.1"),
            "{w}x{h}: {staging}"
        );
        assert!(!screen[at].contains("idle"), "{w}x{h}: {}", screen[at]);
    }
}

#[test]
fn a_deployment_waiting_out_its_bake_time_says_baking() {
    use shiftdeck::domain::rollout::DeploymentStatus;

    let mut s = ui_fixtures::shifting();
    if let Some(r) = s.rollouts.get_mut("staging").and_then(|r| r.value.as_mut()) {
        let shift = r.targets[0].latest.as_mut().unwrap();
        shift.status = DeploymentStatus::Baking;
        shift.target_percent = 100.0;
    }
    let theme = Theme::load(None, false).unwrap();
    let screen = render(&s, 120, 40, &theme).to_string();
    assert!(screen.contains("baking v1.4.0 (#14) at 100%"), "{screen}");
    assert!(!screen.contains("shifting 100%"), "{screen}");
}

#[test]
fn a_state_that_says_nothing_leaves_no_empty_separator() {
    let mut s = ui_fixtures::rolled_back();
    // Staging's pin waits for the pipeline and nothing moves, but alarms fired.
    if let Some(f) = &mut s.fork.value {
        f.pins[1].version = Ok(shiftdeck::domain::version::Version::parse("v1.5.0-rc.1").unwrap());
        f.pins[1].pinned_at = Some(ui_fixtures::ago(120));
    }
    if let Some(r) = s.rollouts.get_mut("staging").and_then(|r| r.value.as_mut()) {
        r.targets[1].latest = None;
    }
    let theme = Theme::load(None, false).unwrap();
    for (w, h) in [(40, 12), (80, 24), (100, 30), (120, 40), (200, 60)] {
        let screen = render(&s, w, h, &theme).to_string();
        assert!(w < 80 || screen.contains("ALARM"), "{w}x{h}: {screen}");
        assert!(!screen.contains("·  ·"), "{w}x{h}: {screen}");
    }
}

#[test]
fn a_frozen_environment_says_so_in_the_environments_pane_and_the_fork_names_what_is_modified() {
    let theme = Theme::load(None, false).unwrap();
    let mut state = ui_fixtures::idle();
    let fork = state.fork.value.as_mut().unwrap();
    fork.freezes = Ok(shiftdeck::ports::FreezeList {
        freezes: vec![shiftdeck::domain::freeze::Freeze {
            env: "prod".into(),
            reason: "quarter-end close".into(),
            by: "Dana".into(),
            at: shiftdeck::domain::time::Timestamp(0),
        }],
        fetch_error: None,
    });
    fork.dirty = true;
    fork.modified = vec!["cdk.json".into()];
    let screen = rows(&render(&state, 120, 40, &theme)).join("\n");
    assert!(screen.contains("FROZEN frozen by Dana"), "{screen}");
    assert!(screen.contains("modified: cdk.json"), "{screen}");
}
