//! What a mutating command prints: the plan and what was done, for people; one JSON document
//! (schema `shiftdeck.action/1`, docs/cli.md) for scripts.

use serde::Serialize;

use crate::ops::{Execution, Intent, Plan, Planned, Refusal};
use crate::ports::PortError;

use super::exit;

pub const SCHEMA: &str = "shiftdeck.action/1";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// `--dry-run`: planned, nothing done.
    Planned,
    Succeeded,
    Refused,
    Failed,
}

#[derive(Serialize)]
pub struct Report<'a> {
    pub intent: &'a Intent,
    pub outcome: Outcome,
    pub plan: Option<&'a Plan>,
    pub details: &'a [(String, String)],
    pub execution: Option<&'a Execution>,
    pub refusal: Option<&'a Refusal>,
    pub error: Option<&'a PortError>,
}

#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    #[serde(flatten)]
    report: Report<'a>,
}

fn print_json(report: Report) {
    let doc = Document {
        schema: SCHEMA,
        report,
    };
    println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
}

/// The plan's lines, aligned, on stdout.
pub fn print_plan(planned: &Planned) {
    let width = planned
        .details
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    println!("{}", crate::ops::summary(&planned.plan));
    for (label, value) in &planned.details {
        println!("  {label:>width$}  {value}");
    }
}

pub fn planned(json: bool, intent: &Intent, planned: &Planned) -> u8 {
    if json {
        print_json(Report {
            intent,
            outcome: Outcome::Planned,
            plan: Some(&planned.plan),
            details: &planned.details,
            execution: None,
            refusal: None,
            error: None,
        });
    } else {
        println!("Dry run: nothing was done.");
    }
    exit::OK
}

pub fn refused(json: bool, intent: &Intent, refusal: &Refusal, code: u8) -> u8 {
    if json {
        print_json(Report {
            intent,
            outcome: Outcome::Refused,
            plan: None,
            details: &[],
            execution: None,
            refusal: Some(refusal),
            error: None,
        });
    } else {
        eprintln!(
            "shiftdeck: cannot {}: {}",
            intent.kind().verb(),
            refusal.full()
        );
    }
    code
}

/// The command line lacks something only the person can give (`--yes`).
pub fn usage(json: bool, intent: &Intent, message: &str) -> u8 {
    let refusal = Refusal::new(crate::ops::RefusalKind::NotConfirmed, message);
    refused(json, intent, &refusal, exit::USAGE)
}

pub fn error(json: bool, intent: &Intent, e: &PortError) -> u8 {
    if json {
        print_json(Report {
            intent,
            outcome: Outcome::Failed,
            plan: None,
            details: &[],
            execution: None,
            refusal: None,
            error: Some(e),
        });
    } else {
        eprintln!("shiftdeck: {}", e.full());
    }
    exit::ERROR
}

pub fn executed(json: bool, report: Report) {
    if json {
        return print_json(report);
    }
    let Some(ex) = report.execution else {
        return;
    };
    match report.outcome {
        Outcome::Succeeded => println!("{}", ex.summary),
        _ => eprintln!(
            "shiftdeck: {} did not go through: {}",
            report.intent.kind().verb(),
            report.error.map(PortError::full).unwrap_or_default()
        ),
    }
    if let Some(c) = &ex.commit {
        println!("  commit {} pushed to {} {}", c.commit, c.remote, c.branch);
    }
    for id in &ex.deployment_ids {
        println!("  deployment {id}");
    }
    for call in &ex.calls {
        println!("  call {call}");
    }
}
