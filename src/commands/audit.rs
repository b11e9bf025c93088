//! `shiftdeck audit`: this machine's log, the demo's, or with `--team` everyone's records from
//! the fork's remote.

use clap::Args;
use std::path::{Path, PathBuf};

use super::{CommandResult, Failure};
use crate::audit_log::JsonlAudit;
use crate::config::Config;
use crate::domain::audit::AuditFilter;
use crate::domain::time::{Timestamp, parse_since};
use crate::git::{GitFork, TRAIL_REF};
use crate::ports::{PortError, TeamTrail};
use crate::report::ErrorOut;
use crate::report::audit::{AuditReport, text};
use crate::report::versions::SourceError;

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    pub config: crate::cli::ConfigArg,
    /// Only records of this environment.
    #[arg(long, value_name = "ENV")]
    pub env: Option<String>,
    /// Only records from this time on: 2026-11-23T10:00:00Z, 2026-11-23, or how long ago (2h,
    /// 3days).
    #[arg(long, value_name = "TIME", value_parser = since_now)]
    pub since: Option<Timestamp>,
    /// Machine-readable output (schema shiftdeck.audit/1, docs/cli.md).
    #[arg(long)]
    pub json: bool,
    /// Everyone's records, from the team trail on the fork's remote (sends this machine's
    /// unsent records first).
    #[arg(long, conflicts_with_all = ["audit_dir", "demo"])]
    pub team: bool,
    /// Read the log kept in this folder (as `demo --audit-dir` writes it).
    #[arg(long, value_name = "DIR", conflicts_with = "demo")]
    pub audit_dir: Option<PathBuf>,
    /// Read the demo's log (demo/ in the data directory).
    #[arg(long)]
    pub demo: bool,
}

fn since_now(text: &str) -> Result<Timestamp, String> {
    parse_since(text, Timestamp::from_system(std::time::SystemTime::now()))
}

pub fn run(args: AuditArgs, config: Option<&Path>) -> CommandResult {
    let filter = AuditFilter {
        environment: args.env.clone(),
        since: args.since,
    };
    let report = if args.team {
        team(config)?
    } else {
        let log = match &args.audit_dir {
            Some(dir) => JsonlAudit::in_dir(dir),
            None if args.demo => JsonlAudit::demo_in_data_dir()?,
            None => JsonlAudit::in_data_dir()?,
        };
        let location = log.path().display().to_string();
        match log.read() {
            Ok(records) => AuditReport::new("local", location, records),
            Err(e) => with_error(AuditReport::new("local", location, vec![]), "local", &e),
        }
    };
    let environments = environments_in(&report);
    let failed = !report.errors.is_empty();
    let report = report.filtered(&filter);
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    } else {
        print!("{}", text(&report));
    }
    if let Some(env) = &args.env
        && report.records.is_empty()
        && !environments.contains(env)
    {
        eprintln!(
            "shiftdeck: no records name the environment {env}; {}",
            if environments.is_empty() {
                "the log has no records at all".to_string()
            } else {
                format!("records name {}", environments.join(", "))
            }
        );
    }
    if failed {
        return Err(Failure::error("some reads failed; see above"));
    }
    Ok(())
}

fn environments_in(report: &AuditReport) -> Vec<String> {
    let mut envs: Vec<String> = report
        .records
        .iter()
        .map(|r| r.environment.clone())
        .collect();
    envs.sort();
    envs.dedup();
    envs
}

fn with_error(mut report: AuditReport, source: &str, e: &PortError) -> AuditReport {
    report.errors.push(SourceError {
        source: source.into(),
        error: ErrorOut::from(e),
    });
    report
}

/// Sends this machine's queued records, then reads everyone's from the fork's remote.
fn team(config: Option<&Path>) -> Result<AuditReport, Failure> {
    let path = Config::discover(config).map_err(|e| e.to_string())?;
    let config = Config::load(&path).map_err(|e| e.to_string())?;
    let fork = GitFork::open(&config.fork.path, &config.fork.remote, &config.fork.branch)?;
    let location = format!("{} refs/shiftdeck/{TRAIL_REF}", config.fork.remote);
    let flushed = fork.flush();
    let team = fork.team_records()?;
    let mut report = AuditReport::new("team", location, team.records);
    report.pending = Some(team.pending);
    report.unreadable = team.unreadable;
    if let Err(e) = &flushed {
        report = with_error(report, "outbox", e);
    }
    if let Some(e) = team.fetch_error {
        let e = PortError::new(crate::ports::ErrorKind::Unavailable, e)
            .with_hint("the records shown are from the last fetch");
        report = with_error(report, "team", &e);
    }
    Ok(report)
}
