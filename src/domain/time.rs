//! Points in time as milliseconds since the Unix epoch, so the simulator's virtual clock and the
//! wall clock are interchangeable everywhere above the ports.

use serde::{Deserialize, Serialize};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[derive(
    Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn from_system(t: SystemTime) -> Self {
        match t.duration_since(UNIX_EPOCH) {
            Ok(d) => Self(d.as_millis() as i64),
            Err(e) => Self(-(e.duration().as_millis() as i64)),
        }
    }

    pub fn millis(self) -> i64 {
        self.0
    }

    pub fn plus(self, d: Duration) -> Self {
        Self(self.0.saturating_add(d.as_millis() as i64))
    }

    /// Time elapsed from `earlier` to `self`, zero when `earlier` is later.
    pub fn since(self, earlier: Timestamp) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0).max(0) as u64)
    }

    pub fn to_system(self) -> SystemTime {
        if self.0 >= 0 {
            UNIX_EPOCH + Duration::from_millis(self.0 as u64)
        } else {
            UNIX_EPOCH - Duration::from_millis(self.0.unsigned_abs())
        }
    }

    /// RFC 3339 in UTC with second precision, as written to the audit log.
    pub fn rfc3339(self) -> String {
        humantime::format_rfc3339_seconds(self.to_system()).to_string()
    }

    /// `HH:MM:SS` in UTC, for timelines and the command log.
    pub fn clock(self) -> String {
        let secs = self.0.div_euclid(1000).rem_euclid(86_400);
        format!(
            "{:02}:{:02}:{:02}",
            secs / 3600,
            (secs / 60) % 60,
            secs % 60
        )
    }
}

/// A point in time as a person types it: RFC 3339 (`2026-11-23T10:00:00Z`), a day
/// (`2026-11-23`, midnight UTC), or how long ago (`90m`, `2h`, `3days`, `1week`).
pub fn parse_since(text: &str, now: Timestamp) -> Result<Timestamp, String> {
    let text = text.trim();
    if let Ok(t) = humantime::parse_rfc3339_weak(text) {
        return Ok(Timestamp::from_system(t));
    }
    if let Ok(t) = humantime::parse_rfc3339_weak(&format!("{text}T00:00:00Z")) {
        return Ok(Timestamp::from_system(t));
    }
    match humantime::parse_duration(text) {
        Ok(ago) => Ok(Timestamp(
            now.0
                .saturating_sub(i64::try_from(ago.as_millis()).unwrap_or(i64::MAX)),
        )),
        Err(_) => Err(format!(
            "{text:?} is not a time: write 2026-11-23T10:00:00Z, 2026-11-23, or how long ago such as 2h or 3days"
        )),
    }
}

/// Compact human duration: `45s`, `3m05s`, `1h02m`.
pub fn short_duration(d: Duration) -> String {
    let s = d.as_secs();
    if s < 60 {
        format!("{s}s")
    } else if s < 3600 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{}h{:02}m", s / 3600, (s / 60) % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_reads_a_time_a_day_or_how_long_ago() {
        let now = Timestamp(1_795_428_847_000);
        assert_eq!(parse_since("2026-11-23T10:14:07Z", now), Ok(now));
        assert_eq!(
            parse_since("2026-11-23", now),
            Ok(Timestamp(1_795_392_000_000))
        );
        assert_eq!(parse_since("2h", now), Ok(Timestamp(now.0 - 7_200_000)));
        assert_eq!(
            parse_since("3days", now),
            Ok(Timestamp(now.0 - 3 * 86_400_000))
        );
        let e = parse_since("last tuesday", now).unwrap_err();
        assert!(e.contains("\"last tuesday\"") && e.contains("2h"), "{e}");
    }

    #[test]
    fn since_saturates_at_zero() {
        assert_eq!(Timestamp(5).since(Timestamp(10)), Duration::ZERO);
        assert_eq!(
            Timestamp(1500).since(Timestamp(500)),
            Duration::from_secs(1)
        );
    }

    #[test]
    fn formats_clock_and_rfc3339() {
        let t = Timestamp(1_700_000_000_000);
        assert_eq!(t.rfc3339(), "2023-11-14T22:13:20Z");
        assert_eq!(t.clock(), "22:13:20");
        assert_eq!(short_duration(Duration::from_secs(185)), "3m05s");
        assert_eq!(short_duration(Duration::from_secs(3720)), "1h02m");
    }
}
