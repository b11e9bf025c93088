//! The team's audit trail on `refs/shiftdeck/audit` of the fork's remote: an append-only chain
//! of commits, each adding one file per record (`2026/11/20261123T101407Z-<hash>.json`, the
//! record's JSON line). A record is never changed or removed; a record already on the trail is
//! not added twice, so sending the outbox again after an unclear failure is harmless.
//!
//! Records wait in an outbox inside the clone's git directory until a push succeeds: one
//! laptop offline loses nothing, and its records go with its next push.

use git2::build::TreeUpdateBuilder;
use git2::{FileMode, Repository, Tree, TreeWalkMode, TreeWalkResult};
use sha2::{Digest, Sha256};

use super::error::Context;
use super::fork::GitFork;
use super::side_ref::Edit;
use crate::audit_log::JsonlAudit;
use crate::domain::audit::{self, AuditRecord};
use crate::ports::{Identity, PortError, PortResult, TeamRecords, TeamTrail, TrailPush};

/// The name under `refs/shiftdeck/`.
pub const TRAIL_REF: &str = "audit";

/// Where in the trail's tree `record` lives: by month, then time and a hash of the line, so
/// names sort by time and two records never share one.
fn record_path(record: &AuditRecord) -> String {
    let hash = hex::encode(Sha256::digest(record.to_line().as_bytes()));
    let time = record.at().map(|t| t.rfc3339());
    match time.as_deref() {
        Some(t) if t.len() >= 20 => {
            let compact: String = t.chars().filter(|c| !matches!(c, '-' | ':')).collect();
            format!("{}/{}/{compact}-{}.json", &t[..4], &t[5..7], &hash[..16])
        }
        _ => format!("undated/{}.json", &hash[..16]),
    }
}

fn commit_message(new: &[&AuditRecord]) -> String {
    let line = |r: &AuditRecord| {
        format!(
            "{} {} {} ({}) by {}",
            r.time,
            r.action.verb(),
            r.environment,
            r.outcome.word(),
            r.git_identity
        )
    };
    match new {
        [one] => format!(
            "Audit: {} {} {}\n\n{}\n",
            one.action.verb(),
            one.environment,
            one.outcome.word(),
            line(one)
        ),
        several => format!(
            "Audit: {} records\n\n{}\n",
            several.len(),
            several
                .iter()
                .map(|r| line(r))
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

/// Every record in the trail's tree, and the paths of files that are not records.
fn read_tree(repo: &Repository, tree: &Tree<'_>) -> (Vec<AuditRecord>, Vec<String>) {
    let (mut records, mut unreadable) = (Vec::new(), Vec::new());
    let _ = tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
        if entry.kind() != Some(git2::ObjectType::Blob) {
            return TreeWalkResult::Ok;
        }
        let path = format!("{dir}{}", entry.name().unwrap_or("?"));
        let parsed = entry
            .to_object(repo)
            .ok()
            .and_then(|o| o.peel_to_blob().ok())
            .and_then(|b| serde_json::from_slice::<AuditRecord>(b.content()).ok());
        match parsed {
            Some(r) => records.push(r),
            None => unreadable.push(path),
        }
        TreeWalkResult::Ok
    });
    audit::sort_by_time(&mut records);
    (records, unreadable)
}

impl GitFork {
    /// This clone's outbox: records not yet on the remote, in the git directory so that it goes
    /// with the clone and no other fork's records mix in.
    fn outbox(&self, repo: &Repository) -> JsonlAudit {
        JsonlAudit::new(
            repo.commondir()
                .join("shiftdeck")
                .join("audit-outbox.jsonl"),
        )
    }

    /// Adds `records` to the trail, skipping those already on it.
    fn send(&self, repo: &Repository, records: &[AuditRecord]) -> PortResult<TrailPush> {
        if records.is_empty() {
            return Ok(TrailPush {
                sent: 0,
                commit: None,
                calls: Vec::new(),
            });
        }
        // A record whose author git does not know (a refusal for that very reason) is still
        // shared, under a name that says so.
        let author = self.identity_in(repo).unwrap_or_else(|_| Identity {
            name: "shiftdeck".into(),
            email: "unknown-author@shiftdeck.invalid".into(),
        });
        let updated = self.update_side(repo, TRAIL_REF, |repo, tree| {
            let new: Vec<(&AuditRecord, String)> = records
                .iter()
                .map(|r| (r, record_path(r)))
                .filter(|(_, path)| tree.get_path(std::path::Path::new(path)).is_err())
                .collect();
            if new.is_empty() {
                return Ok(Edit::Unchanged(0));
            }
            let mut update = TreeUpdateBuilder::new();
            for (record, path) in &new {
                let mut line = record.to_line();
                line.push('\n');
                let blob = repo
                    .blob(line.as_bytes())
                    .doing("storing an audit record")?;
                update.upsert(path.as_str(), blob, FileMode::Blob);
            }
            let tree = update
                .create_updated(repo, tree)
                .doing("building the audit trail's tree")?;
            let listed: Vec<&AuditRecord> = new.iter().map(|(r, _)| *r).collect();
            Ok(Edit::Commit {
                tree,
                message: commit_message(&listed),
                author: author.clone(),
                value: new.len(),
            })
        })?;
        Ok(TrailPush {
            sent: updated.value,
            commit: updated
                .commit
                .or_else(|| self.side_tip(repo, TRAIL_REF))
                .map(|o| o.to_string()),
            calls: updated.calls,
        })
    }
}

impl TeamTrail for GitFork {
    fn publish(&self, record: &AuditRecord) -> PortResult<TrailPush> {
        let repo = self.repo()?;
        self.outbox(&repo).write(record)?;
        self.flush_in(&repo)
    }

    fn flush(&self) -> PortResult<TrailPush> {
        self.flush_in(&self.repo()?)
    }

    fn pending(&self) -> PortResult<usize> {
        Ok(self.outbox(&self.repo()?).read()?.len())
    }

    fn team_records(&self) -> PortResult<TeamRecords> {
        let repo = self.repo()?;
        let fetch_error = self.fetch_side(&repo, TRAIL_REF).err().map(|e| e.full());
        let tree = self.tree_at(&repo, self.side_tip(&repo, TRAIL_REF))?;
        let (records, unreadable) = read_tree(&repo, &tree);
        Ok(TeamRecords {
            records,
            pending: self.outbox(&repo).read()?.len(),
            fetch_error,
            unreadable,
        })
    }
}

impl GitFork {
    fn flush_in(&self, repo: &Repository) -> PortResult<TrailPush> {
        let outbox = self.outbox(repo);
        outbox
            .drain_with(|records| self.send(repo, records))
            .map_err(|e| PortError {
                message: format!(
                    "the audit record is kept on this machine, but the team trail could not be updated: {}",
                    e.message
                ),
                hint: Some(
                    "it is sent with the next action, or with `shiftdeck audit --team`".into(),
                ),
                ..e
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit::{ActionKind, Outcome};
    use crate::domain::time::Timestamp;

    #[test]
    fn records_are_filed_by_month_and_time_and_never_share_a_path() {
        let a = AuditRecord::new(
            Timestamp(1_795_428_847_000),
            "A <a@example.com>",
            "prod",
            ActionKind::Freeze,
            Outcome::Succeeded,
            "frozen",
        );
        let path = record_path(&a);
        assert!(path.starts_with("2026/11/20261123T101407Z-"), "{path}");
        assert!(path.ends_with(".json"));
        let b = AuditRecord {
            environment: "dev".into(),
            ..a.clone()
        };
        assert_ne!(record_path(&b), path);
        assert_eq!(record_path(&a.clone()), path);
        let undated = AuditRecord {
            time: "sometime".into(),
            ..a
        };
        assert!(record_path(&undated).starts_with("undated/"));
    }
}
