//! CodeDeploy traffic-shifting configurations for Lambda as weight over time.
//!
//! Model (as CodeDeploy documents it): a linear config shifts `percent` at the start of each
//! increment, one increment every `interval`, so the new version carries
//! `min(100, percent * (k + 1))` percent during increment `k`; a canary config shifts `percent` at
//! the start and the rest after one `interval`; all-at-once shifts everything at the start.
//! The traffic shift is complete when the new version carries 100 percent.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;

use super::time::Timestamp;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DeploymentConfig {
    AllAtOnce,
    /// `percent` first, the rest after `interval_minutes`.
    Canary {
        percent: u8,
        interval_minutes: u32,
    },
    /// `percent` more every `interval_minutes`.
    Linear {
        percent: u8,
        interval_minutes: u32,
    },
}

/// One traffic shift: from `at` (offset from the start of the shift) the new version carries
/// `percent` of the traffic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    pub at: Duration,
    pub percent: u8,
}

pub const PREDEFINED: [&str; 9] = [
    "CodeDeployDefault.LambdaAllAtOnce",
    "CodeDeployDefault.LambdaCanary10Percent5Minutes",
    "CodeDeployDefault.LambdaCanary10Percent10Minutes",
    "CodeDeployDefault.LambdaCanary10Percent15Minutes",
    "CodeDeployDefault.LambdaCanary10Percent30Minutes",
    "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
    "CodeDeployDefault.LambdaLinear10PercentEvery2Minutes",
    "CodeDeployDefault.LambdaLinear10PercentEvery3Minutes",
    "CodeDeployDefault.LambdaLinear10PercentEvery10Minutes",
];

impl DeploymentConfig {
    /// The predefined Lambda configs by their CodeDeploy name (the `CodeDeployDefault.` prefix
    /// may be left out). Custom configs come from `GetDeploymentConfig` instead.
    pub fn predefined(name: &str) -> Option<Self> {
        let short = name.strip_prefix("CodeDeployDefault.").unwrap_or(name);
        let short = short.strip_prefix("Lambda")?;
        let candidates = std::iter::once(Self::AllAtOnce)
            .chain([5, 10, 15, 30].map(|m| Self::Canary {
                percent: 10,
                interval_minutes: m,
            }))
            .chain([1, 2, 3, 10].map(|m| Self::Linear {
                percent: 10,
                interval_minutes: m,
            }));
        candidates.into_iter().find(|c| c.label() == short)
    }

    /// A custom config as `GetDeploymentConfig` describes it; `None` for percentages outside
    /// 1..=99 or a zero interval, which CodeDeploy does not accept either.
    pub fn custom(kind: CustomKind, percent: u8, interval_minutes: u32) -> Option<Self> {
        if !(1..=99).contains(&percent) || interval_minutes == 0 {
            return None;
        }
        Some(match kind {
            CustomKind::TimeBasedCanary => Self::Canary {
                percent,
                interval_minutes,
            },
            CustomKind::TimeBasedLinear => Self::Linear {
                percent,
                interval_minutes,
            },
        })
    }

    fn interval(&self) -> Duration {
        match *self {
            Self::AllAtOnce => Duration::ZERO,
            Self::Canary {
                interval_minutes, ..
            }
            | Self::Linear {
                interval_minutes, ..
            } => Duration::from_secs(60 * u64::from(interval_minutes)),
        }
    }

    /// Every weight change of the shift, the first at offset zero, the last at 100 percent.
    pub fn steps(&self) -> Vec<Step> {
        match *self {
            Self::AllAtOnce => vec![Step {
                at: Duration::ZERO,
                percent: 100,
            }],
            Self::Canary { percent, .. } => vec![
                Step {
                    at: Duration::ZERO,
                    percent,
                },
                Step {
                    at: self.interval(),
                    percent: 100,
                },
            ],
            Self::Linear { percent, .. } => {
                let increments = 100u32.div_ceil(u32::from(percent.max(1)));
                (0..increments)
                    .map(|k| Step {
                        at: self.interval() * k,
                        percent: (u32::from(percent) * (k + 1)).min(100) as u8,
                    })
                    .collect()
            }
        }
    }

    /// How long the traffic shift takes from its first step to 100 percent.
    pub fn shift_duration(&self) -> Duration {
        self.steps().last().map(|s| s.at).unwrap_or_default()
    }

    /// Percent of traffic on the new version `elapsed` after the shift started.
    pub fn percent_at(&self, elapsed: Duration) -> u8 {
        self.steps()
            .iter()
            .rev()
            .find(|s| s.at <= elapsed)
            .map(|s| s.percent)
            .unwrap_or(0)
    }

    /// The first step strictly after `elapsed`, if any remains.
    pub fn next_step(&self, elapsed: Duration) -> Option<Step> {
        self.steps().into_iter().find(|s| s.at > elapsed)
    }

    /// When the traffic shift reaches 100 percent, for a shift that started at `started`.
    pub fn eta(&self, started: Timestamp) -> Timestamp {
        started.plus(self.shift_duration())
    }

    /// The CodeDeploy name for predefined configs, a description for custom ones.
    pub fn label(&self) -> String {
        match *self {
            Self::AllAtOnce => "AllAtOnce".into(),
            Self::Canary {
                percent,
                interval_minutes,
            } => format!(
                "Canary{percent}Percent{interval_minutes}Minute{}",
                if interval_minutes == 1 { "" } else { "s" }
            ),
            Self::Linear {
                percent,
                interval_minutes,
            } => format!(
                "Linear{percent}PercentEvery{interval_minutes}Minute{}",
                if interval_minutes == 1 { "" } else { "s" }
            ),
        }
    }
}

impl fmt::Display for DeploymentConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CustomKind {
    TimeBasedCanary,
    TimeBasedLinear,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minutes(m: u64) -> Duration {
        Duration::from_secs(60 * m)
    }

    /// Percent on the new version at each whole minute 0..=n, sampled just after the minute.
    fn by_minute(c: DeploymentConfig, n: u64) -> Vec<u8> {
        (0..=n).map(|m| c.percent_at(minutes(m))).collect()
    }

    #[test]
    fn every_predefined_name_parses_and_round_trips() {
        for name in PREDEFINED {
            let c = DeploymentConfig::predefined(name).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(format!("CodeDeployDefault.Lambda{}", c.label()), name);
        }
        assert_eq!(
            DeploymentConfig::predefined("CodeDeployDefault.LambdaCanary10Percent7Minutes"),
            None
        );
        assert_eq!(
            DeploymentConfig::predefined("CodeDeployDefault.LambdaLinear10PercentEvery1Minutes"),
            None
        );
        assert_eq!(
            DeploymentConfig::predefined("CodeDeployDefault.AllAtOnce"),
            None
        );
    }

    #[test]
    fn linear_every_minute_matches_aws_minute_by_minute() {
        let c = DeploymentConfig::predefined("LambdaLinear10PercentEvery1Minute").unwrap();
        assert_eq!(
            by_minute(c, 10),
            [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 100]
        );
        assert_eq!(c.shift_duration(), minutes(9));
        assert_eq!(c.percent_at(Duration::from_secs(59)), 10);
    }

    #[test]
    fn linear_every_n_minutes_steps_on_the_interval() {
        for (name, n) in [
            ("LambdaLinear10PercentEvery2Minutes", 2),
            ("LambdaLinear10PercentEvery3Minutes", 3),
            ("LambdaLinear10PercentEvery10Minutes", 10),
        ] {
            let c = DeploymentConfig::predefined(name).unwrap();
            for m in 0..=(10 * n) {
                let expected = ((m / n + 1) * 10).min(100) as u8;
                assert_eq!(c.percent_at(minutes(m)), expected, "{name} at minute {m}");
            }
            assert_eq!(c.shift_duration(), minutes(9 * n));
        }
    }

    #[test]
    fn canaries_hold_ten_percent_for_their_interval() {
        for n in [5u64, 10, 15, 30] {
            let c =
                DeploymentConfig::predefined(&format!("LambdaCanary10Percent{n}Minutes")).unwrap();
            for m in 0..n {
                assert_eq!(c.percent_at(minutes(m)), 10, "canary {n} at minute {m}");
            }
            assert_eq!(c.percent_at(minutes(n)), 100);
            assert_eq!(c.eta(Timestamp(0)), Timestamp(0).plus(minutes(n)));
        }
    }

    #[test]
    fn all_at_once_is_a_single_step() {
        let c = DeploymentConfig::AllAtOnce;
        assert_eq!(by_minute(c, 2), [100, 100, 100]);
        assert_eq!(c.next_step(Duration::ZERO), None);
    }

    #[test]
    fn custom_configs_follow_the_same_rules() {
        let lin = DeploymentConfig::custom(CustomKind::TimeBasedLinear, 30, 2).unwrap();
        assert_eq!(by_minute(lin, 7), [30, 30, 60, 60, 90, 90, 100, 100]);
        let can = DeploymentConfig::custom(CustomKind::TimeBasedCanary, 25, 4).unwrap();
        assert_eq!(by_minute(can, 4), [25, 25, 25, 25, 100]);
        assert_eq!(
            DeploymentConfig::custom(CustomKind::TimeBasedLinear, 0, 1),
            None
        );
        assert_eq!(
            DeploymentConfig::custom(CustomKind::TimeBasedCanary, 10, 0),
            None
        );
    }

    #[test]
    fn next_step_and_eta() {
        let c = DeploymentConfig::predefined("LambdaLinear10PercentEvery1Minute").unwrap();
        let next = c.next_step(Duration::from_secs(90)).unwrap();
        assert_eq!(
            next,
            Step {
                at: minutes(2),
                percent: 30
            }
        );
        assert_eq!(c.eta(Timestamp(1000)), Timestamp(1000 + 9 * 60_000));
    }
}
