//! The local log and the team trail behind one `AuditLog`: every record goes to this machine's
//! file first, then to the fork's remote, so one person's laptop is not the only copy.

use std::sync::Arc;

use super::JsonlAudit;
use crate::domain::audit::AuditRecord;
use crate::ports::{Appended, AuditLog, PortResult, TeamTrail};

pub struct SharedAudit {
    local: JsonlAudit,
    trail: Arc<dyn TeamTrail>,
}

impl SharedAudit {
    pub fn new(local: JsonlAudit, trail: Arc<dyn TeamTrail>) -> Self {
        Self { local, trail }
    }
}

impl AuditLog for SharedAudit {
    fn append(&self, record: &AuditRecord) -> PortResult<Appended> {
        // The local record comes first: a push that fails or hangs must not cost it.
        self.local.write(record)?;
        Ok(match self.trail.publish(record) {
            Ok(push) => Appended::Shared(push),
            Err(error) => Appended::Queued {
                pending: self.trail.pending().unwrap_or(1),
                error,
            },
        })
    }

    fn read_all(&self) -> PortResult<Vec<AuditRecord>> {
        self.local.read()
    }
}
