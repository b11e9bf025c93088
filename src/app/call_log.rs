//! The AWS API calls each environment's reads made: the last read of each kind and a rolling
//! minute, so that a refresh that grows (more groups, a pagination loop, retries of a throttled
//! budget) is seen in the cockpit before the account's quota is. Only what the adapters
//! counted: the simulated world makes no calls and counts none.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use crate::domain::time::Timestamp;

/// How far back the rolling count reaches.
pub const WINDOW: Duration = Duration::from_secs(60);

/// Which read made the calls: they have their own cadences.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ReadKind {
    /// Deployment groups, deployments, targets, aliases, versions, alarms.
    Rollout,
    /// GetMetricData for the visible targets.
    Metrics,
    /// The release repository's listing, manifests and signatures.
    Releases,
}

/// The calls of one read, by IAM action, at the machine time it was requested.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Read {
    pub at: Timestamp,
    pub kind: ReadKind,
    pub calls: BTreeMap<String, u32>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallLog {
    /// Reads of the last `WINDOW`, oldest first, and the last read of each kind even when older.
    reads: VecDeque<Read>,
}

impl CallLog {
    /// Records a read that was requested at `at` (machine time) and drops what has left the
    /// window, keeping the last read of each kind.
    pub fn record(&mut self, at: Timestamp, kind: ReadKind, calls: BTreeMap<String, u32>) {
        self.reads.push_back(Read { at, kind, calls });
        let keep_from = self.reads.back().map(|r| r.at).unwrap_or(at);
        let mut i = 0;
        while i < self.reads.len() {
            let r = &self.reads[i];
            let newer_of_kind = self.reads.iter().skip(i + 1).any(|n| n.kind == r.kind);
            if keep_from.since(r.at) > WINDOW && newer_of_kind {
                self.reads.remove(i);
            } else {
                i += 1;
            }
        }
    }

    /// The most recent read of `kind`.
    pub fn last(&self, kind: ReadKind) -> Option<&Read> {
        self.reads.iter().rev().find(|r| r.kind == kind)
    }

    /// All calls of the reads requested within `WINDOW` before `now`: the environment pane's
    /// figure, drawn every frame, so it sums without building the map.
    pub fn last_minute_total(&self, now: Timestamp) -> u32 {
        self.within(now).flat_map(|r| r.calls.values()).sum()
    }

    fn within(&self, now: Timestamp) -> impl Iterator<Item = &Read> {
        self.reads.iter().filter(move |r| now.since(r.at) <= WINDOW)
    }

    /// Calls by action of the reads requested within `WINDOW` before `now`, and how many reads.
    pub fn last_minute(&self, now: Timestamp) -> (BTreeMap<String, u32>, usize) {
        let mut sum = BTreeMap::new();
        let mut reads = 0;
        for r in self.within(now) {
            reads += 1;
            for (action, n) in &r.calls {
                *sum.entry(action.clone()).or_insert(0) += n;
            }
        }
        (sum, reads)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calls(pairs: &[(&str, u32)]) -> BTreeMap<String, u32> {
        pairs.iter().map(|(a, n)| (a.to_string(), *n)).collect()
    }

    fn at(seconds: i64) -> Timestamp {
        Timestamp(seconds * 1000)
    }

    #[test]
    fn the_minute_sums_the_reads_within_it_and_the_last_reads_stay_known() {
        let mut log = CallLog::default();
        log.record(
            at(0),
            ReadKind::Metrics,
            calls(&[("cloudwatch:GetMetricData", 1)]),
        );
        log.record(at(10), ReadKind::Rollout, calls(&[("lambda:GetAlias", 3)]));
        log.record(
            at(40),
            ReadKind::Rollout,
            calls(&[
                ("lambda:GetAlias", 1),
                ("codedeploy:BatchGetDeployments", 1),
            ]),
        );
        log.record(at(75), ReadKind::Rollout, calls(&[("lambda:GetAlias", 1)]));

        let (sum, reads) = log.last_minute(at(75));
        assert_eq!(reads, 2, "the reads at 40 s and 75 s");
        assert_eq!(
            sum,
            calls(&[
                ("lambda:GetAlias", 2),
                ("codedeploy:BatchGetDeployments", 1)
            ])
        );
        assert_eq!(log.last_minute_total(at(75)), 3);
        assert_eq!(log.last(ReadKind::Rollout).unwrap().at, at(75));
        // Older than the window, but still the last metrics read.
        assert_eq!(log.last(ReadKind::Metrics).unwrap().at, at(0));
        // The read at 10 s has left the window and is forgotten.
        assert_eq!(log.reads.len(), 3);
        assert_eq!(log.last_minute(at(200)), (BTreeMap::new(), 0));
    }
}
