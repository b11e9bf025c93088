//! `pin`, `promote`, `approve`, `reject`, `rollback`, `freeze` and `unfreeze`: read, plan, show
//! the plan, confirm, execute, audit. The plan shown is the plan run; a refusal is audited too.

use std::io::{BufRead, IsTerminal, Write};

use crate::config::Config;
use crate::domain::audit::AuditRecord;
use crate::ops::audit::{self, Actor};
use crate::ops::reads::Reads;
use crate::ops::snapshot::find_stage;
use crate::ops::{self, Execution, Intent, Plan, Planned, Refusal, RefusalKind, World};
use crate::ports::PortError;

use super::act_output::{self, Outcome, Report};
use super::exit;

/// How a mutating command was asked to confirm and report.
#[derive(Clone, Debug, Default)]
pub struct ActOptions {
    /// Confirmed in advance: required when there is no terminal to ask on.
    pub yes: bool,
    /// The environment's name, where the plan asks for it to be typed.
    pub confirm: Option<String>,
    /// The reason an override needs.
    pub reason: Option<String>,
    pub dry_run: bool,
    pub json: bool,
    pub read_only: bool,
    /// How long a failure counts against a version.
    pub failure_window: std::time::Duration,
}

/// Where the command's questions are asked and answered: a terminal, or nowhere.
pub trait Prompt {
    /// `None` when there is no one to ask.
    fn ask(&mut self, question: &str) -> Option<String>;
}

/// Asks on stderr and reads stdin, when both are a terminal.
pub struct TerminalPrompt;

impl Prompt for TerminalPrompt {
    fn ask(&mut self, question: &str) -> Option<String> {
        if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
            return None;
        }
        eprint!("{question} ");
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).ok()?;
        Some(line.trim_end_matches(['\r', '\n']).to_string())
    }
}

/// Runs `intent` against the configured accounts; returns the exit code.
pub fn run(config: &Config, intent: Intent, opts: &ActOptions, prompt: &mut dyn Prompt) -> u8 {
    // An unknown environment is a mistake on the command line: said before anything is read.
    let stages: Vec<_> = config.environments.iter().map(|e| e.stage()).collect();
    let names = involved(&intent, &stages);
    for name in &names {
        if let Err(r) = find_stage(&stages, &crate::domain::env::EnvName::new(name.as_str())) {
            return act_output::refused(opts.json, &intent, &r, exit::USAGE);
        }
    }
    let (runtime, world) = match connect(config) {
        Ok(c) => c,
        Err(e) => return act_output::error(opts.json, &intent, &e),
    };
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    runtime.block_on(act(&world, intent, &names, opts, prompt))
}

/// The environments whose reads the plan needs: the one named, and for a promotion its
/// target too.
fn involved(intent: &Intent, stages: &[crate::domain::env::Stage]) -> Vec<String> {
    let mut names = vec![intent.env().to_string()];
    if let Intent::Promote { from, to, .. } = intent {
        match to {
            Some(to) => names.push(to.to_string()),
            None => {
                if let Some(i) = stages.iter().position(|s| &s.name == from)
                    && let Some(next) = stages.get(i + 1)
                {
                    names.push(next.name.to_string());
                }
            }
        }
    }
    names
}

fn connect(config: &Config) -> Result<(tokio::runtime::Runtime, World), PortError> {
    let runtime = tokio::runtime::Runtime::new().map_err(|e| {
        PortError::new(
            crate::ports::ErrorKind::Other,
            format!("cannot start the runtime: {e}"),
        )
    })?;
    let ports = runtime.block_on(crate::aws::world::ports(config))?;
    Ok((runtime, World::new(ports, config.environments.clone())))
}

async fn act(
    world: &World,
    intent: Intent,
    names: &[&str],
    opts: &ActOptions,
    prompt: &mut dyn Prompt,
) -> u8 {
    let mut reads = Reads::read_envs(world, names).await;
    let mut shown: Option<Planned> = None;
    // Planned, shown and confirmed until the plan confirmed is the plan of the latest reads.
    loop {
        let now = world.ports.clock.now();
        let snapshot = reads.snapshot(world, opts.read_only, now, opts.failure_window);
        let planned = match ops::plan(&snapshot, &intent) {
            Ok(p) => p,
            Err(refusal) => {
                let code = if matches!(
                    refusal.kind,
                    RefusalKind::UnknownEnvironment | RefusalKind::UnknownVersion
                ) {
                    exit::USAGE
                } else {
                    exit::REFUSED
                };
                record(world, audit_refused(&reads, &intent, &refusal, now)).await;
                return act_output::refused(opts.json, &intent, &refusal, code);
            }
        };
        if shown.as_ref() == Some(&planned) {
            return run_plan(world, &reads, &intent, &planned, opts).await;
        }
        if shown.is_some() && !opts.json {
            eprintln!("The plan changed while you were deciding; this is the plan now:");
        }
        if !opts.json {
            act_output::print_plan(&planned);
        }
        if opts.dry_run {
            return act_output::planned(opts.json, &intent, &planned);
        }
        // What can be checked without asking is checked before asking: a missing reason or a
        // wrong --confirm is refused, not prompted for and then refused.
        let name = planned.needs.typed_name.as_ref().map(|n| n.as_str());
        if let Err(refusal) =
            planned.confirmed(opts.confirm.as_deref().or(name), opts.reason.as_deref())
        {
            record(world, audit_refused(&reads, &intent, &refusal, now)).await;
            return act_output::refused(opts.json, &intent, &refusal, exit::REFUSED);
        }
        match confirm(&planned, opts, prompt) {
            Confirmed::Yes { asked } => {
                if !asked {
                    return run_plan(world, &reads, &intent, &planned, opts).await;
                }
                // Time passed while the person read: plan again from fresh reads, and run only
                // if nothing changed.
                shown = Some(planned);
                reads = Reads::read_envs(world, names).await;
            }
            Confirmed::No => {
                if !opts.json {
                    eprintln!("Nothing was done.");
                }
                return exit::REFUSED;
            }
            Confirmed::Missing(message) => {
                return act_output::usage(opts.json, &intent, &message);
            }
        }
    }
}

enum Confirmed {
    /// Confirmed; `asked`: on the terminal, so time has passed since the reads.
    Yes {
        asked: bool,
    },
    No,
    /// No terminal and no `--yes`: what to pass.
    Missing(String),
}

fn confirm(planned: &Planned, opts: &ActOptions, prompt: &mut dyn Prompt) -> Confirmed {
    if opts.yes {
        return Confirmed::Yes { asked: false };
    }
    let question = match &planned.needs.typed_name {
        Some(name) if opts.confirm.is_none() => format!("Type {name} to confirm:"),
        _ => "Proceed? [y/N]".to_string(),
    };
    match prompt.ask(&question) {
        None => Confirmed::Missing(match &planned.needs.typed_name {
            Some(name) => format!(
                "there is no terminal to confirm on: pass --yes --confirm {name} to run this plan"
            ),
            None => "there is no terminal to confirm on: pass --yes to run this plan".into(),
        }),
        Some(answer) => {
            let answer = answer.trim();
            let yes = match &planned.needs.typed_name {
                Some(name) if opts.confirm.is_none() => answer == name.as_str(),
                _ => answer.eq_ignore_ascii_case("y") || answer.eq_ignore_ascii_case("yes"),
            };
            if yes {
                Confirmed::Yes { asked: true }
            } else {
                Confirmed::No
            }
        }
    }
}

async fn run_plan(
    world: &World,
    reads: &Reads,
    intent: &Intent,
    planned: &Planned,
    opts: &ActOptions,
) -> u8 {
    let now = world.ports.clock.now();
    // Asked interactively, the typed name is the answer; with --yes it comes from --confirm.
    let typed = opts.confirm.as_deref().or(planned
        .needs
        .typed_name
        .as_ref()
        .map(|n| n.as_str())
        .filter(|_| !opts.yes));
    let plan: Plan = match planned.confirmed(typed, opts.reason.as_deref()) {
        Ok(plan) => plan,
        Err(refusal) => {
            record(world, audit_refused(reads, intent, &refusal, now)).await;
            return act_output::refused(opts.json, intent, &refusal, exit::REFUSED);
        }
    };
    let execution: Execution = ops::execute(world, &plan).await;
    let actor = actor(reads, plan.env().as_str(), now);
    let record_ = audit::executed(actor, &plan, &execution);
    let outcome = match record_.outcome {
        crate::domain::audit::Outcome::Succeeded => Outcome::Succeeded,
        crate::domain::audit::Outcome::Refused => Outcome::Refused,
        crate::domain::audit::Outcome::Failed => Outcome::Failed,
    };
    let audit_error = record(world, record_).await;
    let code = match outcome {
        Outcome::Succeeded if audit_error.is_none() => exit::OK,
        Outcome::Succeeded | Outcome::Failed | Outcome::Planned => exit::ERROR,
        Outcome::Refused => exit::REFUSED,
    };
    act_output::executed(
        opts.json,
        Report {
            intent,
            outcome,
            plan: Some(&plan),
            details: &planned.details,
            execution: Some(&execution),
            refusal: None,
            error: execution.error.as_ref().or(audit_error.as_ref()),
        },
    );
    code
}

fn actor<'a>(reads: &'a Reads, env: &str, now: crate::domain::time::Timestamp) -> Actor<'a> {
    Actor::on(
        now,
        reads.git_identity.as_ref().ok(),
        &reads.identities,
        env,
    )
}

fn audit_refused(
    reads: &Reads,
    intent: &Intent,
    refusal: &Refusal,
    now: crate::domain::time::Timestamp,
) -> AuditRecord {
    audit::refused(actor(reads, intent.env().as_str(), now), intent, refusal)
}

/// Appends to the audit log; an action that cannot be audited is reported, loudly.
async fn record(world: &World, record: AuditRecord) -> Option<PortError> {
    let log = world.ports.audit.clone();
    let written = ops::deadline::blocking(move || log.append(&record)).await;
    match written {
        // A record the team trail could not take yet waits in its outbox and goes with the
        // next one; the local log has it.
        Ok(crate::ports::Appended::Queued { pending, error }) => {
            eprintln!(
                "shiftdeck: the audit record is kept locally; {pending} record(s) wait to be shared with the team: {}",
                error.message
            );
            None
        }
        Ok(_) => None,
        Err(e) => {
            eprintln!(
                "shiftdeck: the audit log could not be written: {}",
                e.full()
            );
            Some(e)
        }
    }
}
