//! The CloudWatch alarms of a deployment group: 5xx rate and p99 duration, each evaluated on one
//! datapoint a minute.

use crate::domain::rollout::{Alarm, AlarmState};
use crate::domain::time::Timestamp;

use super::metrics::Datapoint;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Watch {
    ErrorRate,
    P99,
}

#[derive(Clone, Debug)]
pub struct GroupAlarm {
    alarm: Alarm,
    watch: Watch,
    threshold: f64,
}

impl GroupAlarm {
    /// `<env>-<group>-5xx-rate` above 1 % and `<env>-<group>-p99` above 800 ms.
    pub fn for_group(env: &str, group: &str, at: Timestamp) -> Vec<GroupAlarm> {
        let alarm = |suffix: &str, threshold: &str| Alarm {
            name: format!("{env}-{group}-{suffix}"),
            state: AlarmState::InsufficientData,
            reason: "Unchecked: Initial alarm creation".into(),
            threshold: threshold.into(),
            updated_at: at,
        };
        vec![
            GroupAlarm {
                alarm: alarm(
                    "5xx-rate",
                    "Errors / Invocations > 1% for 1 datapoint within 1 minute",
                ),
                watch: Watch::ErrorRate,
                threshold: 1.0,
            },
            GroupAlarm {
                alarm: alarm(
                    "p99",
                    "Duration p99 > 800 ms for 1 datapoint within 1 minute",
                ),
                watch: Watch::P99,
                threshold: 800.0,
            },
        ]
    }

    pub fn alarm(&self) -> &Alarm {
        &self.alarm
    }

    /// Evaluates the datapoint of the minute starting at `minute`, at `at`; the state and its
    /// reason change only when the state does, as in CloudWatch.
    pub fn evaluate(&mut self, point: Datapoint, minute: Timestamp, at: Timestamp) {
        let value = match self.watch {
            Watch::ErrorRate => point.error_rate,
            Watch::P99 => point.p99_ms,
        };
        let breaching = value > self.threshold;
        let state = if breaching {
            AlarmState::Alarm
        } else {
            AlarmState::Ok
        };
        if state == self.alarm.state {
            return;
        }
        self.alarm.state = state;
        self.alarm.updated_at = at;
        self.alarm.reason = format!(
            "Threshold Crossed: 1 datapoint [{value:.2} ({})] was {}greater than the threshold ({:.1}).",
            minute.rfc3339(),
            if breaching { "" } else { "not " },
            self.threshold
        );
    }

    pub fn firing(&self) -> bool {
        self.alarm.state == AlarmState::Alarm
    }
}
