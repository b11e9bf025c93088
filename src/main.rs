use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;

use shiftdeck::app::history;
use shiftdeck::app::runner::World;
use shiftdeck::app::state::{Settings, State};
use shiftdeck::audit_log::JsonlAudit;
use shiftdeck::cli::{ActArgs, Cli, Cmd};
use shiftdeck::commands::act::{ActOptions, TerminalPrompt};
use shiftdeck::commands::{self, Failure, exit};
use shiftdeck::config::Config;
use shiftdeck::domain::version::Version;
use shiftdeck::ops::Intent;
use shiftdeck::ops::reads::Reads;
use shiftdeck::report::{status, versions};
use shiftdeck::sim::{ClockMode, Demo, SimOptions};
use shiftdeck::tui::{self, Session};
use shiftdeck::ui::{Keymap, Theme};

/// Exit codes: 0 ok, 1 error, 2 usage, 3 refused (docs/cli.md).
fn main() -> ExitCode {
    let started = Instant::now();
    let cli = Cli::parse();
    match run(cli, started) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure { code, message }) => {
            // An acting command prints its own outcome; only its exit code is left to give.
            if !message.is_empty() {
                eprintln!("shiftdeck: {message}");
            }
            ExitCode::from(code)
        }
    }
}

fn run(cli: Cli, started: Instant) -> Result<(), Failure> {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    match cli.command {
        Some(Cmd::Demo {
            speed,
            seed,
            targets,
            exit_after_first_frame,
            audit_dir,
            read_only,
            ui,
        }) => {
            if !(speed.is_finite() && speed > 0.0) {
                return Err(Failure::usage(format!(
                    "--speed must be a positive number, not {speed}"
                )));
            }
            let ui = ui.or(cli.ui);
            let theme = Theme::load(ui.theme.as_deref(), no_color)?;
            let keymap = match &ui.keymap {
                Some(p) => Keymap::load(p)?,
                None => Keymap::default(),
            };
            let runtime = tokio::runtime::Runtime::new()
                .map_err(|e| format!("cannot start the runtime: {e}"))?;
            let mut demo = Demo::start(SimOptions {
                seed,
                clock: ClockMode::Real { speed },
                targets_per_env: usize::from(targets),
            })?;
            let audit = match audit_dir {
                Some(dir) => JsonlAudit::in_dir(&dir),
                None => JsonlAudit::demo_in_data_dir()?,
            };
            let audit_dir = audit.path().parent().unwrap_or(std::path::Path::new("."));
            demo.keep_audit_in(audit_dir)?;
            let settings = Settings {
                environments: demo.environments.clone(),
                read_only: cli.read_only || read_only,
                demo: true,
                // One real second between reads of a moving shift, five when idle, in virtual time.
                refresh_active: Duration::from_secs_f64(speed),
                refresh_idle: Duration::from_secs_f64(5.0 * speed),
                refresh_metrics: Duration::ZERO,
                pipeline_warning: Duration::from_secs(15 * 60),
                failure_window: shiftdeck::ops::failures::DEFAULT_WINDOW,
                clock_speed: speed,
                notify: Default::default(),
            };
            let world = World::new(demo.ports.clone(), demo.environments.clone());
            let first_frame = exit_after_first_frame.then_some(started);
            let result = cockpit(&runtime, world, settings, theme, keymap, first_frame);
            // A fetch or push still stuck in a blocking task must not hold up quitting.
            runtime.shutdown_background();
            // The temporary fork and origin go with the demo; the audit log stays.
            drop(demo);
            if result.is_ok() && !exit_after_first_frame {
                eprintln!(
                    "The demo's audit log is kept in {}; read it with `shiftdeck audit --audit-dir {}`.",
                    audit.path().display(),
                    audit_dir.display()
                );
            }
            Ok(result?)
        }
        Some(Cmd::Doctor { local, config }) => {
            let config = config.or(&cli.config);
            doctor(config.as_deref())?;
            if local {
                return Ok(());
            }
            let (runtime, world) = connect(&load(config.as_deref())?.1)?;
            let snapshot = runtime.block_on(Reads::read(&world, None));
            Ok(doctor_aws(&snapshot)?)
        }
        Some(Cmd::Pin {
            env,
            version,
            override_check,
            act,
        }) => {
            let version = parse_version(&version)?;
            act_on(&cli.config, cli.read_only || act.read_only, &act, |_| {
                Intent::Pin {
                    env: env.into(),
                    version,
                    override_check,
                }
            })
        }
        Some(Cmd::Promote {
            from,
            to,
            override_check,
            act,
        }) => act_on(&cli.config, cli.read_only || act.read_only, &act, |_| {
            Intent::Promote {
                from: from.into(),
                to: to.map(Into::into),
                override_check,
            }
        }),
        Some(Cmd::Approve { env, act }) => {
            act_on(&cli.config, cli.read_only || act.read_only, &act, |_| {
                Intent::Approve { env: env.into() }
            })
        }
        Some(Cmd::Reject { env, act }) => {
            act_on(&cli.config, cli.read_only || act.read_only, &act, |a| {
                Intent::Reject {
                    env: env.into(),
                    reason: a.reason.clone().unwrap_or_default(),
                }
            })
        }
        Some(Cmd::Rollback { env, act }) => {
            act_on(&cli.config, cli.read_only || act.read_only, &act, |a| {
                Intent::Rollback {
                    env: env.into(),
                    reason: a.reason.clone(),
                }
            })
        }
        Some(Cmd::Freeze { env, act }) => {
            act_on(&cli.config, cli.read_only || act.read_only, &act, |a| {
                Intent::Freeze {
                    env: env.into(),
                    reason: a.reason.clone().unwrap_or_default(),
                }
            })
        }
        Some(Cmd::Unfreeze { env, act }) => {
            act_on(&cli.config, cli.read_only || act.read_only, &act, |_| {
                Intent::Unfreeze { env: env.into() }
            })
        }
        Some(Cmd::Audit(args)) => {
            let config = args.config.or(&cli.config);
            commands::audit::run(args, config.as_deref())
        }
        Some(Cmd::Init(args)) => commands::init::run(args),
        Some(Cmd::Completions { shell }) => commands::shell::completions(shell),
        Some(Cmd::Man { dir }) => commands::shell::man(dir.as_deref()),
        Some(Cmd::Versions { json, config }) => {
            let (runtime, world) = connect(&load(config.or(&cli.config).as_deref())?.1)?;
            let snapshot = runtime.block_on(Reads::read(&world, None));
            let report = versions::build(&snapshot);
            print_report(json, &report, versions::text(&report));
            Ok(partial(
                snapshot.releases.result.is_err() || !report.errors.is_empty(),
            )?)
        }
        Some(Cmd::Status {
            env,
            json,
            watch,
            config,
        }) => {
            let config = load(config.or(&cli.config).as_deref())?.1;
            let warn = config.aws.pipeline_warning();
            let (runtime, world) = connect(&config)?;
            if let Some(name) = &env {
                world
                    .environment(name)
                    .map_err(|e| Failure::usage(e.full()))?;
            }
            match watch {
                None => {
                    let snapshot = runtime.block_on(Reads::read(&world, env.as_deref()));
                    let report = status::build(&snapshot, warn);
                    print_report(json, &report, status::text(&report));
                    Ok(partial(snapshot.partial())?)
                }
                Some(secs) => {
                    runtime.block_on(watch_status(&world, env.as_deref(), json, secs, warn))
                }
            }
        }
        None => {
            let (path, mut config) = load(cli.config.as_deref())?;
            // The cockpit owns the terminal: encrypted keys must come from the ssh agent.
            config.fork.ask_passphrase = false;
            shiftdeck::ui::check_accents(&config.environments, &path)?;
            let (runtime, world) = connect(&config)?;
            let theme = Theme::load(
                cli.ui.theme.as_deref().or(config.ui.theme.as_deref()),
                no_color,
            )?;
            let keymap = match cli.ui.keymap.as_ref().or(config.ui.keymap.as_ref()) {
                Some(p) => Keymap::load(p)?,
                None => Keymap::default(),
            };
            let settings = Settings::against_aws(&config, cli.read_only);
            let first_frame = cli.exit_after_first_frame.then_some(started);
            let result = cockpit(&runtime, world, settings, theme, keymap, first_frame);
            // A fetch or push still stuck in a blocking task must not hold up quitting.
            runtime.shutdown_background();
            Ok(result?)
        }
    }
}

/// `status --watch`: a report every `secs` seconds until interrupted. On a terminal each
/// replaces the last; otherwise (and with `--json`, one compact document a line) they follow
/// one another, so a script can read them as a stream.
async fn watch_status(
    world: &World,
    env: Option<&str>,
    json: bool,
    secs: u64,
    pipeline_warning: Duration,
) -> Result<(), Failure> {
    use std::io::IsTerminal;
    let interval = Duration::from_secs(secs.max(1));
    let tty = std::io::stdout().is_terminal();
    let rounds = async {
        loop {
            let started = tokio::time::Instant::now();
            let snapshot = Reads::read(world, env).await;
            let report = status::build(&snapshot, pipeline_warning);
            if json {
                println!("{}", serde_json::to_string(&report).unwrap_or_default());
            } else {
                if tty {
                    // Clear the screen and home the cursor: the newest report stands alone.
                    print!("\x1b[2J\x1b[H");
                }
                print!("{}", status::text(&report));
                println!();
            }
            tokio::time::sleep_until(started + interval).await;
        }
    };
    // Interrupting ends the watch at once, also in the middle of a read.
    tokio::select! {
        () = rounds => Ok(()),
        _ = tokio::signal::ctrl_c() => Ok(()),
    }
}

/// A malformed version on the command line is a usage error.
fn parse_version(s: &str) -> Result<Version, Failure> {
    Version::parse(s).map_err(|e| {
        Failure::usage(format!(
            "{s:?} is not a version: {e}\n  hint: versions look like v1.2.3 (`shiftdeck versions` lists them)"
        ))
    })
}

/// Runs a mutating command; its exit code says how it ended.
fn act_on(
    config: &Option<std::path::PathBuf>,
    read_only: bool,
    act: &ActArgs,
    intent: impl FnOnce(&ActArgs) -> Intent,
) -> Result<(), Failure> {
    let config = load(act.config.or(config).as_deref())?.1;
    let options = ActOptions {
        yes: act.yes,
        confirm: act.confirm.clone(),
        reason: act.reason.clone(),
        dry_run: act.dry_run,
        json: act.json,
        read_only,
        failure_window: config.rules.failure_window(),
    };
    match commands::act::run(&config, intent(act), &options, &mut TerminalPrompt) {
        exit::OK => Ok(()),
        code => Err(Failure {
            code,
            message: String::new(),
        }),
    }
}

/// Every read call of a refresh, per environment and for the release bucket: OK with the calls
/// made, or what failed with the IAM action and the fix.
fn doctor_aws(s: &Reads) -> Result<(), String> {
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
    let mut state = State::new(settings, clock.now());
    // The command log opens with the audit log's last records. Not in the demo, whose kept log
    // holds earlier demos on their own simulated clocks.
    if !state.settings.demo {
        state.log = history::read(&*world.ports.audit);
    }
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

/// The configuration for a command run on the command line, where a key's passphrase can be
/// asked for on the terminal (the fork checks that there is one).
fn load(explicit: Option<&std::path::Path>) -> Result<(std::path::PathBuf, Config), String> {
    let path = Config::discover(explicit).map_err(|e| e.to_string())?;
    let mut config = Config::load(&path).map_err(|e| e.to_string())?;
    config.fork.ask_passphrase = true;
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
    let (path, config) = load(explicit)?;
    shiftdeck::ui::check_accents(&config.environments, &path)?;
    println!("config   ok  {}", path.display());
    let fork = config.fork.open().map_err(|e| e.full())?;
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
