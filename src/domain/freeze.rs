//! A freeze: an environment nobody may pin or promote into until it is lifted. Rollback stays
//! allowed, so a frozen environment can still be brought back to safety.

use serde::{Deserialize, Serialize};

use super::time::Timestamp;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Freeze {
    pub env: String,
    /// Why, in the words of whoever froze it; shown wherever the environment is.
    pub reason: String,
    /// `Name <email>` of whoever froze it.
    pub by: String,
    pub at: Timestamp,
}

impl Freeze {
    /// One line for a status line or a refusal: `frozen by Dana <d@x> since 2026-…Z: reason`.
    pub fn describe(&self) -> String {
        format!(
            "frozen by {} since {}: {}",
            self.by,
            self.at.rfc3339(),
            self.reason
        )
    }
}

/// The commit that records a freeze on the freeze ref, with trailers like a pin commit's.
pub fn freeze_message(f: &Freeze) -> String {
    format!(
        "Freeze {env}\n\n{reason}\n\nShiftdeck-Action: freeze\nShiftdeck-Env: {env}\nFrozen-by: {by}\n",
        env = f.env,
        reason = f.reason.trim(),
        by = f.by
    )
}

/// The commit that lifts `lifted`, naming the freeze it ends.
pub fn unfreeze_message(lifted: &Freeze, by: &str) -> String {
    format!(
        "Unfreeze {env}\n\nIt was {what}\n\nShiftdeck-Action: unfreeze\nShiftdeck-Env: {env}\nUnfrozen-by: {by}\n",
        env = lifted.env,
        what = lifted.describe()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_names_who_when_and_why() {
        let f = Freeze {
            env: "prod".into(),
            reason: "incident 42".into(),
            by: "Dana <d@example.com>".into(),
            at: Timestamp(0),
        };
        assert_eq!(
            f.describe(),
            "frozen by Dana <d@example.com> since 1970-01-01T00:00:00Z: incident 42"
        );
    }
}
