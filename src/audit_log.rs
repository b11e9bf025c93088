//! The audit log adapter: JSON lines appended to a file in the data directory.

use std::fs::{self, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;

use crate::domain::audit::AuditRecord;
use crate::ports::{AuditLog, ErrorKind, PortError, PortResult};

pub struct JsonlAudit {
    path: PathBuf,
}

impl JsonlAudit {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// `audit.jsonl` in the user's data directory.
    pub fn in_data_dir() -> PortResult<Self> {
        let dirs = directories::ProjectDirs::from("", "", "shiftdeck").ok_or_else(|| {
            PortError::new(
                ErrorKind::Unavailable,
                "no home directory to keep the audit log in",
            )
            .with_hint("set HOME, or run with --read-only")
        })?;
        Ok(Self::new(dirs.data_dir().join("audit.jsonl")))
    }

    fn io_error(&self, what: &str, e: std::io::Error) -> PortError {
        PortError::new(
            ErrorKind::Unavailable,
            format!("cannot {what} the audit log {}: {e}", self.path.display()),
        )
        .with_hint("check that the data directory exists and is writable")
    }
}

impl AuditLog for JsonlAudit {
    fn append(&self, record: &AuditRecord) -> PortResult<()> {
        if let Some(dir) = self.path.parent() {
            fs::create_dir_all(dir).map_err(|e| self.io_error("create the folder of", e))?;
        }
        let mut line = serde_json::to_string(record).map_err(|e| {
            PortError::new(
                ErrorKind::Other,
                format!("cannot encode an audit record: {e}"),
            )
        })?;
        line.push('\n');
        // One write call per record, so concurrent shiftdeck processes never interleave lines.
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(|e| self.io_error("open", e))?;
        file.write_all(line.as_bytes())
            .and_then(|_| file.sync_data())
            .map_err(|e| self.io_error("write to", e))
    }

    fn read_all(&self) -> PortResult<Vec<AuditRecord>> {
        let file = match fs::File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(self.io_error("open", e)),
        };
        let mut out = Vec::new();
        for (n, line) in BufReader::new(file).lines().enumerate() {
            let line = line.map_err(|e| self.io_error("read", e))?;
            if line.trim().is_empty() {
                continue;
            }
            let rec = serde_json::from_str(&line).map_err(|e| {
                PortError::new(
                    ErrorKind::Invalid,
                    format!(
                        "{}:{}: not an audit record: {e}",
                        self.path.display(),
                        n + 1
                    ),
                )
                .with_hint("the line was edited by hand; fix or remove it")
            })?;
            out.push(rec);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit::{ActionKind, Outcome};

    fn record(env: &str) -> AuditRecord {
        AuditRecord {
            time: "2026-01-01T00:00:00Z".into(),
            git_identity: "A <a@example.com>".into(),
            aws_identity: None,
            environment: env.into(),
            action: ActionKind::Rollback,
            from_version: Some("v2".into()),
            to_version: Some("v1".into()),
            deployment_ids: vec!["d-1".into()],
            api_calls: vec!["codedeploy:StopDeployment d-1".into()],
            outcome: Outcome::Succeeded,
            message: "ok".into(),
        }
    }

    #[test]
    fn appends_and_reads_back_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let log = JsonlAudit::new(dir.path().join("nested/audit.jsonl"));
        assert!(log.read_all().unwrap().is_empty());
        log.append(&record("dev")).unwrap();
        log.append(&record("prod")).unwrap();
        let all = log.read_all().unwrap();
        assert_eq!(
            all.iter()
                .map(|r| r.environment.as_str())
                .collect::<Vec<_>>(),
            ["dev", "prod"]
        );
        assert_eq!(all[1], record("prod"));
    }

    #[test]
    fn a_corrupt_line_is_reported_with_its_line_number() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        fs::write(&path, "{not json}\n").unwrap();
        let err = JsonlAudit::new(&path).read_all().unwrap_err();
        assert!(err.message.contains("audit.jsonl:1"), "{}", err.message);
    }
}
