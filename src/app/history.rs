//! The command log's past: the cockpit opens with the last records of the audit log, so the
//! log pane and `shiftdeck audit` show the same actions, whichever process did them.

use super::state::LogEntry;
use crate::domain::audit::{AuditRecord, Outcome};
use crate::ports::{AuditLog, PortResult};

/// How many past records the command log starts with.
pub const HISTORY: usize = 50;

/// The last [`HISTORY`] records as command log lines, oldest first.
pub fn log_entries(records: &[AuditRecord]) -> Vec<LogEntry> {
    records[records.len().saturating_sub(HISTORY)..]
        .iter()
        .map(|r| LogEntry {
            at: r.at().unwrap_or_default(),
            env: r.environment.clone(),
            action: r.action.verb().to_string(),
            outcome: r.outcome,
            message: r.message.clone(),
        })
        .collect()
}

/// The log's past read from `audit`, or one line saying why it could not be read.
pub fn read(audit: &dyn AuditLog) -> Vec<LogEntry> {
    let records: PortResult<Vec<AuditRecord>> = audit.read_all();
    match records {
        Ok(records) => log_entries(&records),
        Err(e) => vec![LogEntry {
            at: Default::default(),
            env: String::new(),
            action: "audit".into(),
            outcome: Outcome::Failed,
            message: e.full(),
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit::ActionKind;
    use crate::domain::time::Timestamp;

    #[test]
    fn the_log_starts_with_the_last_records_oldest_first() {
        let records: Vec<AuditRecord> = (0..HISTORY as i64 + 5)
            .map(|n| {
                AuditRecord::new(
                    Timestamp(n * 1000),
                    "A <a@example.com>",
                    "prod",
                    ActionKind::Rollback,
                    Outcome::Refused,
                    format!("record {n}"),
                )
            })
            .collect();
        let log = log_entries(&records);
        assert_eq!(log.len(), HISTORY);
        assert_eq!(log[0].message, "record 5");
        assert_eq!(log[0].at, Timestamp(5000));
        assert_eq!(log.last().unwrap().action, "rollback");
        assert_eq!(log.last().unwrap().outcome, Outcome::Refused);
    }
}
