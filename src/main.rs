use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{CommandFactory, Parser};

use shiftdeck::app::runner::World;
use shiftdeck::app::state::{Settings, State};
use shiftdeck::audit_log::JsonlAudit;
use shiftdeck::cli::{Cli, Cmd};
use shiftdeck::config::Config;
use shiftdeck::ports::AuditLog;
use shiftdeck::report::snapshot::Snapshot;
use shiftdeck::report::{status, versions};
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
            let settings = Settings {
                environments: demo.environments.clone(),
                read_only: cli.read_only,
                demo: true,
                // One real second between reads of a moving shift, five when idle, in virtual time.
                refresh_active: Duration::from_secs_f64(speed),
                refresh_idle: Duration::from_secs_f64(5.0 * speed),
                refresh_metrics: Duration::ZERO,
                pipeline_warning: Duration::from_secs(15 * 60),
                clock_speed: speed,
                notify: Default::default(),
            };
            let world = World::new(demo.ports.clone(), demo.environments.clone());
            let first_frame = exit_after_first_frame.then_some(started);
            let result = cockpit(&runtime, world, settings, theme, keymap, first_frame);
            // The temporary fork, origin and audit log go with the demo.
            drop(demo);
            result
        }
        Some(Cmd::Doctor { local }) => {
            doctor(cli.config.as_deref())?;
            if local {
                return Ok(());
            }
            let (runtime, world) = connect(&load(cli.config.as_deref())?.1)?;
            let snapshot = runtime.block_on(Snapshot::read(&world, None));
            doctor_aws(&snapshot)
        }
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
        Some(Cmd::Versions { json }) => {
            let (runtime, world) = connect(&load(cli.config.as_deref())?.1)?;
            let snapshot = runtime.block_on(Snapshot::read(&world, None));
            let report = versions::build(&snapshot);
            print_report(json, &report, versions::text(&report));
            partial(snapshot.releases.result.is_err() || !report.errors.is_empty())
        }
        Some(Cmd::Status { env, json }) => {
            let (runtime, world) = connect(&load(cli.config.as_deref())?.1)?;
            if let Some(name) = &env {
                world.environment(name).map_err(|_| {
                    let known: Vec<&str> =
                        world.environments.iter().map(|e| e.name.as_str()).collect();
                    format!(
                        "no environment named {name}\n  hint: the configured environments are {}",
                        known.join(", ")
                    )
                })?;
            }
            let snapshot = runtime.block_on(Snapshot::read(&world, env.as_deref()));
            let report = status::build(&snapshot);
            print_report(json, &report, status::text(&report));
            partial(snapshot.partial())
        }
        None => {
            let config = load(cli.config.as_deref())?.1;
            let (runtime, world) = connect(&config)?;
            let theme = Theme::load(
                cli.theme.as_deref().or(config.ui.theme.as_deref()),
                no_color,
            )?;
            let keymap = match cli.keymap.as_ref().or(config.ui.keymap.as_ref()) {
                Some(p) => Keymap::load(p)?,
                None => Keymap::default(),
            };
            let settings = Settings {
                environments: config.environments.clone(),
                read_only: cli.read_only,
                demo: false,
                refresh_active: Duration::from_secs(5),
                refresh_idle: Duration::from_secs(30),
                refresh_metrics: Duration::from_secs(60),
                pipeline_warning: Duration::from_secs(config.aws.pipeline_warning_minutes * 60),
                clock_speed: 1.0,
                notify: config.ui.notify,
            };
            cockpit(&runtime, world, settings, theme, keymap, None)
        }
    }
}

/// Every read call of a refresh, per environment and for the release bucket: OK with the calls
/// made, or what failed with the IAM action and the fix.
fn doctor_aws(s: &Snapshot) -> Result<(), String> {
    let mut bad = 0;
    let mut fail = |what: String, e: &shiftdeck::ports::PortError| {
        bad += 1;
        println!("{what} ERR {}", e.message);
        if let Some(h) = &e.hint {
            println!("             hint: {h}");
        }
    };
    match &s.releases.result {
        Ok(r) => println!("releases ok  {} version(s)", r.len()),
        Err(e) => fail("releases".into(), e),
    }
    for env in &s.environments {
        match &s.identities[env] {
            Ok(i) => println!("identity ok  {env}: {} (account {})", i.arn, i.account),
            Err(e) => fail(format!("identity {env}:"), e),
        }
        match &s.rollouts[env].result {
            Ok(r) => {
                let calls: Vec<String> = r
                    .api_calls
                    .iter()
                    .map(|(a, n)| format!("{a} ×{n}"))
                    .collect();
                println!(
                    "aws      ok  {env}: {} group(s) · {}",
                    r.targets.len(),
                    calls.join(", ")
                );
                for g in &r.group_errors {
                    fail(format!("aws      {env}/{}:", g.group), &g.error);
                }
            }
            Err(e) => fail(format!("aws      {env}:"), e),
        }
    }
    if bad > 0 {
        return Err(format!("{bad} AWS check(s) failed; see above"));
    }
    Ok(())
}

/// Runs the cockpit over `world` until the user quits.
fn cockpit(
    runtime: &tokio::runtime::Runtime,
    world: World,
    settings: Settings,
    theme: Theme,
    keymap: Keymap,
    exit_after_first_frame: Option<Instant>,
) -> Result<(), String> {
    let clock = world.ports.clock.clone();
    let state = State::new(settings, clock.now());
    let session = Session {
        world,
        state,
        keymap,
        theme,
        clock,
        exit_after_first_frame,
    };
    runtime
        .block_on(tui::run(session))
        .map_err(|e| format!("terminal error: {e}"))
}

fn load(explicit: Option<&std::path::Path>) -> Result<(std::path::PathBuf, Config), String> {
    let path = Config::discover(explicit).map_err(|e| e.to_string())?;
    let config = Config::load(&path).map_err(|e| e.to_string())?;
    Ok((path, config))
}

/// The runtime and the ports against the configured AWS accounts.
fn connect(config: &Config) -> Result<(tokio::runtime::Runtime, World), String> {
    let runtime =
        tokio::runtime::Runtime::new().map_err(|e| format!("cannot start the runtime: {e}"))?;
    let ports = runtime
        .block_on(shiftdeck::aws::world::ports(config))
        .map_err(|e| e.full())?;
    Ok((runtime, World::new(ports, config.environments.clone())))
}

fn print_report(json: bool, report: &impl serde::Serialize, text: String) {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(report).unwrap_or_default()
        );
    } else {
        print!("{text}");
    }
}

/// A read that failed in part still printed what it read; the exit code says so.
fn partial(failed: bool) -> Result<(), String> {
    if failed {
        Err("some reads failed; see above".into())
    } else {
        Ok(())
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
