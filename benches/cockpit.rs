//! Frame and key-to-frame budgets (DESIGN.md section 8) with 200 targets in each of 3
//! environments. Run: `cargo bench --bench cockpit`. Prints median and p99.

use std::time::{Duration, Instant};

use ratatui::backend::{Backend, CrosstermBackend, TestBackend};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};

use shiftdeck::app::action::{Action, Command};
use shiftdeck::app::headless::Headless;
use shiftdeck::app::runner::World;
use shiftdeck::app::state::{Pane, Settings, State};
use shiftdeck::app::update::update;
use shiftdeck::sim::{ClockMode, Demo, SimOptions};
use shiftdeck::ui::{self, Keymap, Theme};

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[i]
}

fn report(name: &str, samples: &mut [Duration], budget: &str) {
    let median = percentile(samples, 0.5);
    let p99 = percentile(samples, 0.99);
    println!(
        "{name:<40} n={:<5} median {:>8.3} ms   p99 {:>8.3} ms   (budget {budget})",
        samples.len(),
        median.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3
    );
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let demo = Demo::start(SimOptions {
        seed: 1,
        clock: ClockMode::Manual,
        targets_per_env: 200,
    })
    .unwrap();
    let settings = Settings {
        environments: demo.environments.clone(),
        read_only: false,
        demo: true,
        refresh_active: Duration::from_secs(20),
        refresh_idle: Duration::from_secs(100),
        refresh_metrics: Duration::ZERO,
        pipeline_warning: Duration::from_secs(15 * 60),
        failure_window: shiftdeck::ops::failures::DEFAULT_WINDOW,
        clock_speed: 1.0,
        notify: Default::default(),
    };
    let state = State::new(settings, demo.ports.clock.now());
    let world = World::new(demo.ports.clone(), demo.environments.clone());
    let mut app = Headless::new(world, state);
    runtime.block_on(app.start());
    demo.control.advance(Duration::from_secs(150));
    runtime.block_on(app.refresh());
    let targets: usize = app
        .state
        .rollouts
        .values()
        .filter_map(|r| r.value.as_ref())
        .map(|r| r.targets.len())
        .sum();
    println!(
        "world: {} environments, {targets} targets",
        app.state.rollouts.len()
    );

    let keymap = Keymap::default();
    let theme = Theme::load(None, false).unwrap();
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
    let mut state = app.state.clone();

    // Full frame at 200x60.
    for _ in 0..50 {
        terminal
            .draw(|f| ui::draw(f, &state, &keymap, &theme))
            .unwrap();
    }
    let mut frames = Vec::new();
    for _ in 0..1000 {
        let t = Instant::now();
        terminal
            .draw(|f| ui::draw(f, &state, &keymap, &theme))
            .unwrap();
        frames.push(t.elapsed());
    }
    report("full frame 200x60", &mut frames, "median <= 2 ms");

    // Of which: the action bar's plans, worked out while drawing (three planner runs a frame).
    let mut plans = Vec::new();
    for _ in 0..1000 {
        let t = Instant::now();
        std::hint::black_box(shiftdeck::app::intents::availability(&state));
        plans.push(t.elapsed());
    }
    report("  of which action availability", &mut plans, "-");

    // Key press to frame: update for the key, then the frame it causes.
    let keys = [
        Command::Down,
        Command::Down,
        Command::NextPane,
        Command::Down,
        Command::Up,
        Command::NextPane,
        Command::Down,
        Command::Down,
        Command::PrevPane,
        Command::PrevPane,
        Command::Up,
        Command::Help,
        Command::Help,
    ];
    state.focus = Pane::Environments;
    let mut latencies = key_to_frame(&mut terminal, &mut state, &keys, &keymap, &theme);
    report(
        "key press to frame (test backend)",
        &mut latencies,
        "p99 <= 16 ms",
    );

    // The same through crossterm's backend, so that diffing the buffers and encoding the escape
    // sequences are counted too; the bytes go to a sink instead of a terminal.
    let backend = CrosstermBackend::new(std::io::sink());
    let viewport = Viewport::Fixed(Rect::new(0, 0, 200, 60));
    let mut terminal = Terminal::with_options(backend, TerminalOptions { viewport }).unwrap();
    let mut latencies = key_to_frame(&mut terminal, &mut state, &keys, &keymap, &theme);
    report(
        "key press to frame (escape codes)",
        &mut latencies,
        "p99 <= 16 ms",
    );
}

/// 2000 key presses, each through `update` and the frame it causes; the time of each.
fn key_to_frame<B: Backend>(
    terminal: &mut Terminal<B>,
    state: &mut State,
    keys: &[Command],
    keymap: &Keymap,
    theme: &Theme,
) -> Vec<Duration> {
    let mut latencies = Vec::new();
    for i in 0..2000 {
        let key = keys[i % keys.len()];
        let t = Instant::now();
        let effects = update(state, Action::Command(key));
        std::hint::black_box(effects);
        let area = terminal
            .draw(|f| ui::draw(f, state, keymap, theme))
            .unwrap()
            .area;
        // As the event loop does: what the frame laid out of an open overlay goes to update.
        if let Some(action) = ui::laid_out(state, keymap, theme, area) {
            update(state, action);
        }
        latencies.push(t.elapsed());
    }
    latencies
}
