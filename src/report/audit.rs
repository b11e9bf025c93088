//! `shiftdeck audit`: the records that pass the filter, as JSON (schema `shiftdeck.audit/1`)
//! or as a table.

use serde::Serialize;

use super::versions::SourceError;
use crate::domain::audit::{self, AuditFilter, AuditRecord};

#[derive(Debug, Serialize)]
pub struct AuditReport {
    pub schema: &'static str,
    /// `local` (this machine's log) or `team` (the trail on the fork's remote).
    pub source: &'static str,
    /// The log file, or the remote and ref of the team trail.
    pub location: String,
    /// Oldest first.
    pub records: Vec<AuditRecord>,
    /// For `team`: this machine's records not yet on the remote.
    pub pending: Option<usize>,
    /// Files on the trail that are not records.
    pub unreadable: Vec<String>,
    pub errors: Vec<SourceError>,
}

impl AuditReport {
    pub fn new(source: &'static str, location: String, records: Vec<AuditRecord>) -> Self {
        Self {
            schema: audit::SCHEMA,
            source,
            location,
            records,
            pending: None,
            unreadable: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// Keeps the records `filter` lets through, in time order.
    pub fn filtered(mut self, filter: &AuditFilter) -> Self {
        self.records.retain(|r| filter.matches(r));
        audit::sort_by_time(&mut self.records);
        self
    }
}

/// `Dana Reyes` of `Dana Reyes <dana@example.com>`.
fn name_of(identity: &str) -> &str {
    identity.split(" <").next().unwrap_or(identity).trim()
}

fn versions(r: &AuditRecord) -> String {
    match (&r.from_version, &r.to_version) {
        (Some(f), Some(t)) => format!("{f} → {t}"),
        (None, Some(t)) => format!("→ {t}"),
        (Some(f), None) => format!("{f} →"),
        (None, None) => "-".into(),
    }
}

/// One line per record, under a header; newlines in messages become spaces.
pub fn text(r: &AuditReport) -> String {
    let mut out = String::new();
    if r.records.is_empty() {
        out += &format!("no audit records in {}\n", r.location);
    } else {
        out += &format!(
            "{:<20}  {:<10} {:<9} {:<9} {:<18} {:<19} {}\n",
            "TIME", "ENV", "ACTION", "OUTCOME", "WHO", "VERSIONS", "MESSAGE"
        );
    }
    for rec in &r.records {
        let mut message = rec.message.split_whitespace().collect::<Vec<_>>().join(" ");
        if let Some(reason) = rec.reason.as_deref().filter(|r| !message.contains(*r)) {
            message += &format!(" (reason: {reason})");
        }
        out += &format!(
            "{:<20}  {:<10} {:<9} {:<9} {:<18} {:<19} {}\n",
            rec.time,
            rec.environment,
            rec.action.verb(),
            rec.outcome.word(),
            name_of(&rec.git_identity),
            versions(rec),
            message
        );
    }
    if let Some(n) = r.pending.filter(|n| *n > 0) {
        out += &format!(
            "{n} record(s) of this machine are not on the remote yet; they go with the next push\n"
        );
    }
    for path in &r.unreadable {
        out += &format!("not an audit record: {path}\n");
    }
    for e in &r.errors {
        out += &format!("error ({}): {}\n", e.source, e.error.message);
        if let Some(h) = &e.error.hint {
            out += &format!("  hint: {h}\n");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit::{ActionKind, Outcome};
    use crate::domain::time::Timestamp;

    fn rec(secs: i64, env: &str, outcome: Outcome) -> AuditRecord {
        AuditRecord {
            from_version: Some("v1.0.0".into()),
            to_version: Some("v1.1.0".into()),
            ..AuditRecord::new(
                Timestamp(secs * 1000),
                "Dana Reyes <dana@example.com>",
                env,
                ActionKind::Promote,
                outcome,
                "pinned\nv1.1.0",
            )
        }
    }

    #[test]
    fn the_table_has_one_line_per_record_in_time_order() {
        let report = AuditReport::new(
            "local",
            "audit.jsonl".into(),
            vec![
                rec(200, "prod", Outcome::Refused),
                rec(100, "dev", Outcome::Succeeded),
                rec(300, "dev", Outcome::Failed),
            ],
        )
        .filtered(&AuditFilter {
            environment: None,
            since: Some(Timestamp(150_000)),
        });
        let text = text(&report);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].starts_with("TIME"));
        assert!(
            lines[1].starts_with("1970-01-01T00:03:20Z  prod       promote   refused   Dana Reyes         v1.0.0 → v1.1.0     pinned v1.1.0"),
            "{text}"
        );
        assert!(lines[2].contains(" dev ") && lines[2].contains("failed"));
    }

    #[test]
    fn an_empty_log_says_where_it_looked() {
        let report = AuditReport::new("local", "/x/audit.jsonl".into(), vec![]);
        assert_eq!(text(&report), "no audit records in /x/audit.jsonl\n");
    }
}
