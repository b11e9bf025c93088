//! The audit log adapter: JSON lines appended to a file in the data directory.
//!
//! Several processes write the same file (two CLI runs and a cockpit): each record is one
//! `write` of a whole line on a file opened for appending, made while holding an exclusive
//! advisory lock on it. Readers take a shared lock, so they never see half a line. The file is
//! only ever appended to; nothing rewrites it.

mod shared;

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use crate::domain::audit::AuditRecord;
use crate::ports::{Appended, AuditLog, ErrorKind, PortError, PortResult};

pub use shared::SharedAudit;

/// The file a log lives in, inside its directory.
pub const FILE_NAME: &str = "audit.jsonl";

pub struct JsonlAudit {
    path: PathBuf,
}

/// shiftdeck's data directory from `directories` (e.g. `~/.local/share/shiftdeck`).
pub fn data_dir() -> PortResult<PathBuf> {
    directories::ProjectDirs::from("", "", "shiftdeck")
        .map(|d| d.data_dir().to_path_buf())
        .ok_or_else(|| {
            PortError::new(
                ErrorKind::Unavailable,
                "no home directory to keep the audit log in",
            )
            .with_hint("set HOME, or name a folder with --audit-dir")
        })
}

impl JsonlAudit {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// `audit.jsonl` in `dir`.
    pub fn in_dir(dir: &Path) -> Self {
        Self::new(dir.join(FILE_NAME))
    }

    /// `audit.jsonl` in the user's data directory.
    pub fn in_data_dir() -> PortResult<Self> {
        Ok(Self::in_dir(&data_dir()?))
    }

    /// The demo's own log, `demo/audit.jsonl` in the data directory: kept after the demo ends,
    /// apart from the real records.
    pub fn demo_in_data_dir() -> PortResult<Self> {
        Ok(Self::in_dir(&data_dir()?.join("demo")))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn io_error(&self, what: &str, e: std::io::Error) -> PortError {
        PortError::new(
            ErrorKind::Unavailable,
            format!("cannot {what} the audit log {}: {e}", self.path.display()),
        )
        .with_hint("check that the data directory exists and is writable")
    }

    /// Appends `record` as one line.
    pub fn write(&self, record: &AuditRecord) -> PortResult<()> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(|e| self.io_error("create the folder of", e))?;
        }
        let mut line = record.to_line();
        line.push('\n');
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(|e| self.io_error("open", e))?;
        file.lock().map_err(|e| self.io_error("lock", e))?;
        // One buffer, one write: even a writer that ignores the lock cannot split the line.
        (&file)
            .write_all(line.as_bytes())
            .and_then(|_| file.sync_data())
            .map_err(|e| self.io_error("write to", e))
        // Closing the file releases the lock.
    }

    /// Every record, oldest first.
    pub fn read(&self) -> PortResult<Vec<AuditRecord>> {
        let mut file = match File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(self.io_error("open", e)),
        };
        file.lock_shared().map_err(|e| self.io_error("lock", e))?;
        self.parse(&mut file)
    }

    /// Runs `send` on every record while no other process can write, and empties the file when
    /// it succeeds: the team trail's outbox, sent once and only once.
    pub fn drain_with<T>(
        &self,
        send: impl FnOnce(&[AuditRecord]) -> PortResult<T>,
    ) -> PortResult<T> {
        let mut file = match OpenOptions::new().read(true).write(true).open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return send(&[]),
            Err(e) => return Err(self.io_error("open", e)),
        };
        file.lock().map_err(|e| self.io_error("lock", e))?;
        let records = self.parse(&mut file)?;
        let sent = send(&records)?;
        file.set_len(0)
            .and_then(|_| file.sync_data())
            .map_err(|e| self.io_error("empty", e))?;
        Ok(sent)
    }

    fn parse(&self, file: &mut File) -> PortResult<Vec<AuditRecord>> {
        let mut text = String::new();
        file.rewind()
            .and_then(|_| file.read_to_string(&mut text))
            .map_err(|e| self.io_error("read", e))?;
        let mut out = Vec::new();
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let rec = serde_json::from_str(line).map_err(|e| {
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

impl AuditLog for JsonlAudit {
    fn append(&self, record: &AuditRecord) -> PortResult<Appended> {
        self.write(record)?;
        Ok(Appended::LocalOnly)
    }

    fn read_all(&self) -> PortResult<Vec<AuditRecord>> {
        self.read()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit::{ActionKind, Outcome};
    use crate::domain::time::Timestamp;

    fn record(env: &str) -> AuditRecord {
        AuditRecord {
            from_version: Some("v2".into()),
            to_version: Some("v1".into()),
            deployment_ids: vec!["d-1".into()],
            api_calls: vec!["codedeploy:StopDeployment d-1".into()],
            ..AuditRecord::new(
                Timestamp(0),
                "A <a@example.com>",
                env,
                ActionKind::Rollback,
                Outcome::Succeeded,
                "ok",
            )
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

    #[test]
    fn a_drain_empties_the_file_only_when_sending_succeeds() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = JsonlAudit::in_dir(dir.path());
        outbox.write(&record("dev")).unwrap();
        let failed: PortResult<()> =
            outbox.drain_with(|_| Err(PortError::new(ErrorKind::Unavailable, "offline")));
        assert!(failed.is_err());
        assert_eq!(outbox.read().unwrap().len(), 1, "kept after a failed send");
        let sent = outbox.drain_with(|r| Ok(r.len())).unwrap();
        assert_eq!(sent, 1);
        assert!(outbox.read().unwrap().is_empty());
        outbox.write(&record("prod")).unwrap();
        assert_eq!(outbox.read().unwrap(), [record("prod")]);
    }
}
