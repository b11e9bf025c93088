use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{CommandFactory, Parser};

use shiftdeck::app::runner::World;
use shiftdeck::app::state::{Settings, State};
use shiftdeck::audit_log::JsonlAudit;
use shiftdeck::cli::{Cli, Cmd};
use shiftdeck::config::Config;
use shiftdeck::ports::AuditLog;
use shiftdeck::sim::{ClockMode, Demo, SimOptions};
use shiftdeck::tui::{self, Session};
use shiftdeck::ui::{Keymap, Theme};

/// Exit codes: 0 ok, 1 error, 2 usage (clap). The scripting commands will add 3 for refused.
const EXIT_ERROR: u8 = 1;

fn main() -> ExitCode {
    let started = Instant::now();
    let cli = Cli::parse();
    match run(cli, started) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("shiftdeck: {message}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn run(cli: Cli, started: Instant) -> Result<(), String> {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let theme = || Theme::load(cli.theme.as_deref(), no_color);
    let keymap = || match &cli.keymap {
        Some(p) => Keymap::load(p),
        None => Ok(Keymap::default()),
    };
    match cli.command {
        Some(Cmd::Demo {
            speed,
            seed,
            targets,
            exit_after_first_frame,
        }) => {
            if !(speed.is_finite() && speed > 0.0) {
                return Err(format!("--speed must be a positive number, not {speed}"));
            }
            let (theme, keymap) = (theme()?, keymap()?);
            let runtime = tokio::runtime::Runtime::new()
                .map_err(|e| format!("cannot start the runtime: {e}"))?;
            let demo = Demo::start(SimOptions {
                seed,
                clock: ClockMode::Real { speed },
                targets_per_env: usize::from(targets),
            })
            .map_err(|e| e.full())?;
            let clock = demo.ports.clock.clone();
            let settings = Settings {
                environments: demo.environments.clone(),
                read_only: cli.read_only,
                demo: true,
                // One real second between reads of a moving shift, five when idle, in virtual time.
                refresh_active: Duration::from_secs_f64(speed),
                refresh_idle: Duration::from_secs_f64(5.0 * speed),
                refresh_metrics: Duration::ZERO,
            };
            let state = State::new(settings, clock.now());
            let world = World::new(demo.ports.clone(), demo.environments.clone());
            let session = Session {
                world,
                state,
                keymap,
                theme,
                clock,
                exit_after_first_frame: exit_after_first_frame.then_some(started),
            };
            let result = runtime.block_on(tui::run(session));
            // The temporary fork, origin and audit log go with the demo.
            drop(demo);
            result.map_err(|e| format!("terminal error: {e}"))
        }
        Some(Cmd::Doctor) => doctor(cli.config.as_deref()),
        Some(Cmd::Audit { json }) => {
            let log = JsonlAudit::in_data_dir().map_err(|e| e.full())?;
            for r in log.read_all().map_err(|e| e.full())? {
                if json {
                    println!("{}", serde_json::to_string(&r).unwrap_or_default());
                } else {
                    println!(
                        "{}  {:<10} {:<8} {:<9?} {}",
                        r.time,
                        r.environment,
                        r.action.verb(),
                        r.outcome,
                        r.message
                    );
                }
            }
            Ok(())
        }
        Some(Cmd::Completions { shell }) => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "shiftdeck",
                &mut std::io::stdout(),
            );
            Ok(())
        }
        None => {
            let path = Config::discover(cli.config.as_deref()).map_err(|e| e.to_string())?;
            Config::load(&path).map_err(|e| e.to_string())?;
            Err(format!(
                "{} is valid, but this build of shiftdeck cannot reach AWS yet: the CodeDeploy, Lambda, CloudWatch and S3 adapters are not part of it.\n  hint: run `shiftdeck demo` for the full cockpit against the simulated world",
                path.display()
            ))
        }
    }
}

fn doctor(explicit: Option<&std::path::Path>) -> Result<(), String> {
    let path = Config::discover(explicit).map_err(|e| e.to_string())?;
    let config = Config::load(&path).map_err(|e| e.to_string())?;
    println!("config   ok  {}", path.display());
    let fork =
        shiftdeck::git::GitFork::open(&config.fork.path, &config.fork.remote, &config.fork.branch)
            .map_err(|e| e.full())?;
    let status =
        shiftdeck::ports::Fork::status(&fork, &config.environments).map_err(|e| e.full())?;
    println!(
        "fork     ok  {} on {} ({}{}{})",
        config.fork.path.display(),
        status.branch,
        if status.dirty { "dirty, " } else { "clean, " },
        format_args!("ahead {}, behind {}", status.ahead, status.behind),
        status
            .fetch_error
            .as_deref()
            .map(|e| format!("; fetch failed: {e}"))
            .unwrap_or_default()
    );
    let mut bad = 0;
    for pin in &status.pins {
        match &pin.version {
            Ok(v) => println!("pin      ok  {} = {v}", pin.env),
            Err(e) => {
                bad += 1;
                println!("pin      ERR {}: {e}", pin.env);
            }
        }
    }
    if bad > 0 {
        return Err(format!(
            "{bad} pin(s) cannot be read; fix the locators in {}",
            path.display()
        ));
    }
    Ok(())
}
