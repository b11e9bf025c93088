//! Several processes, each with several threads, append to one audit log at once; no line may
//! be lost and none may be cut into another.
//!
//! Without the test harness (`harness = false`), so that this same binary is also the writer
//! process the test starts: `audit_concurrency --writer FILE ID` appends its records and exits.

use std::process::{Command, ExitCode};
use std::sync::{Arc, Barrier};

use shiftdeck::audit_log::JsonlAudit;
use shiftdeck::domain::audit::{ActionKind, AuditRecord, Outcome};
use shiftdeck::domain::time::Timestamp;
use shiftdeck::ports::AuditLog;

const PROCESSES: usize = 3;
const THREADS: usize = 4;
const RECORDS: usize = 40;
/// Long lines: a write this size is more than one page, where a torn write would show.
const MESSAGE_LEN: usize = 6000;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, file, id] = args.as_slice()
        && flag == "--writer"
    {
        write_as(file, id);
        return ExitCode::SUCCESS;
    }
    match concurrent_writers_lose_and_interleave_no_line() {
        Ok(()) => {
            println!("test concurrent_writers_lose_and_interleave_no_line ... ok");
            println!("1 passed, 0 failed");
            ExitCode::SUCCESS
        }
        Err(why) => {
            println!("test concurrent_writers_lose_and_interleave_no_line ... FAILED\n{why}");
            println!("0 passed, 1 failed");
            ExitCode::FAILURE
        }
    }
}

/// One writer process: `THREADS` threads, released together, each appending `RECORDS` records.
fn write_as(file: &str, id: &str) {
    let log = Arc::new(JsonlAudit::new(file));
    let start = Arc::new(Barrier::new(THREADS));
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let (log, start, id) = (log.clone(), start.clone(), id.to_string());
            std::thread::spawn(move || {
                start.wait();
                for n in 0..RECORDS {
                    let tag = format!("{id}/{t}/{n}");
                    let mut record = AuditRecord::new(
                        Timestamp(n as i64 * 1000),
                        "Writer <w@example.com>",
                        tag.clone(),
                        ActionKind::Pin,
                        Outcome::Succeeded,
                        tag.repeat(MESSAGE_LEN / tag.len() + 1),
                    );
                    record.reason = Some(tag);
                    log.append(&record).expect("append");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("writer thread");
    }
}

fn concurrent_writers_lose_and_interleave_no_line() -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let file = dir.path().join("audit.jsonl");
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let children: Vec<_> = (0..PROCESSES)
        .map(|p| {
            Command::new(&me)
                .arg("--writer")
                .arg(&file)
                .arg(format!("p{p}"))
                .spawn()
        })
        .collect::<Result<_, _>>()
        .map_err(|e| format!("cannot start a writer: {e}"))?;
    for mut child in children {
        let status = child.wait().map_err(|e| e.to_string())?;
        if !status.success() {
            return Err(format!("a writer process failed: {status}"));
        }
    }

    let text = std::fs::read_to_string(&file).map_err(|e| e.to_string())?;
    let lines: Vec<&str> = text.lines().collect();
    let expected = PROCESSES * THREADS * RECORDS;
    if lines.len() != expected {
        return Err(format!("{} lines, expected {expected}", lines.len()));
    }
    let mut seen = std::collections::HashSet::new();
    for (i, line) in lines.iter().enumerate() {
        let record: AuditRecord = serde_json::from_str(line)
            .map_err(|e| format!("line {} is not one whole record: {e}", i + 1))?;
        let tag = record.reason.clone().unwrap_or_default();
        if record.environment != tag || !record.message.starts_with(&tag) {
            return Err(format!("line {} mixes two records", i + 1));
        }
        if !seen.insert(tag.clone()) {
            return Err(format!("{tag} is written twice"));
        }
    }
    // And the log reads back whole through the adapter.
    let read = JsonlAudit::new(&file).read_all().map_err(|e| e.full())?;
    if read.len() != expected {
        return Err(format!("read_all gave {} records", read.len()));
    }
    Ok(())
}
