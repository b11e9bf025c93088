//! One deployment group: a function's published versions, its alias and the alias's routing over
//! time, its deployments and its alarms.

use crate::domain::rollout::{AliasRouting, DeploymentStatus, LambdaVersion, Target};
use crate::domain::time::Timestamp;
use crate::domain::version::Version;
use crate::ports::VersionMetrics;

use super::alarms::GroupAlarm;
use super::codedeploy::Deployment;
use super::metrics::{MINUTE, datapoint};
use super::releases::MISBEHAVING_RELEASE;

/// The alias's routing: the main version and, while split, another version with its share.
#[derive(Clone, Debug, PartialEq)]
struct Routing {
    primary: String,
    additional: Option<(String, f64)>,
}

#[derive(Clone, Debug)]
pub struct Group {
    pub name: String,
    pub function: String,
    alias: String,
    config_name: String,
    published: Vec<LambdaVersion>,
    /// Every routing change, oldest first; never empty.
    history: Vec<(Timestamp, Routing)>,
    deployments: Vec<Deployment>,
    alarms: Vec<GroupAlarm>,
    /// Lambda version numbers made to misbehave, and since when.
    faults: Vec<(String, Timestamp)>,
}

impl Group {
    /// A group whose alias points at version 1, built from `first`.
    pub fn new(
        env: &str,
        name: &str,
        function: String,
        alias: &str,
        config_name: String,
        first: Version,
        at: Timestamp,
    ) -> Self {
        let mut group = Self {
            name: name.into(),
            function,
            alias: alias.into(),
            config_name,
            published: Vec::new(),
            history: Vec::new(),
            deployments: Vec::new(),
            alarms: GroupAlarm::for_group(env, name, at),
            faults: Vec::new(),
        };
        let first = group.publish(first);
        group.history.push((
            at,
            Routing {
                primary: first.number,
                additional: None,
            },
        ));
        group
    }

    /// `PublishVersion`: the next version number, tagged with the release it was built from.
    pub fn publish(&mut self, release: Version) -> LambdaVersion {
        let version = LambdaVersion {
            number: (self.published.len() + 1).to_string(),
            release: Some(release),
        };
        self.published.push(version.clone());
        version
    }

    pub fn version(&self, number: &str) -> Option<&LambdaVersion> {
        self.published.iter().find(|v| v.number == number)
    }

    /// The version the alias sends (most of) the traffic to.
    pub fn serving(&self) -> Option<&LambdaVersion> {
        self.version(&self.current().primary)
    }

    pub fn alias(&self) -> &str {
        &self.alias
    }

    fn current(&self) -> &Routing {
        &self.history[self.history.len() - 1].1
    }

    pub fn active(&self) -> Option<&Deployment> {
        self.deployments.last().filter(|d| d.is_active())
    }

    pub fn active_mut(&mut self) -> Option<&mut Deployment> {
        self.deployments.last_mut().filter(|d| d.is_active())
    }

    pub fn find(&self, id: &str) -> Option<&Deployment> {
        self.deployments.iter().find(|d| d.id() == id)
    }

    pub fn find_mut(&mut self, id: &str) -> Option<&mut Deployment> {
        self.deployments.iter_mut().find(|d| d.id() == id)
    }

    /// Adds a deployment; callers check first that none is active, as CodeDeploy runs one
    /// deployment per group at a time.
    pub fn start(&mut self, deployment: Deployment, at: Timestamp) {
        self.deployments.push(deployment);
        self.record_routing(at);
    }

    pub fn next_at(&self) -> Option<Timestamp> {
        self.active().and_then(Deployment::next_at)
    }

    /// Takes every step of the active deployment that is due by `t`.
    pub fn run_until(&mut self, t: Timestamp, execution_id: &mut impl FnMut() -> String) {
        while let Some(at) = self.next_at().filter(|&at| at <= t) {
            if let Some(d) = self.active_mut() {
                d.step(at, &mut *execution_id);
            }
            self.record_routing(at);
        }
    }

    /// Notes the alias's routing at `at` after a deployment changed it.
    pub fn record_routing(&mut self, at: Timestamp) {
        let Some(latest) = self.deployments.last() else {
            return;
        };
        let (primary, additional) = latest.routing();
        let routing = Routing {
            primary: primary.number.clone(),
            additional: additional.map(|(v, w)| (v.number.clone(), w)),
        };
        if *self.current() != routing {
            self.history.push((at, routing));
        }
    }

    /// Whether `number` served any traffic in `[from, to)`.
    fn had_traffic(&self, number: &str, from: Timestamp, to: Timestamp) -> bool {
        let first = self
            .history
            .partition_point(|(t, _)| *t <= from)
            .saturating_sub(1);
        self.history[first..]
            .iter()
            .take_while(|(t, _)| *t < to)
            .any(|(_, r)| {
                r.primary == number
                    || r.additional
                        .as_ref()
                        .is_some_and(|(n, w)| n == number && *w > 0.0)
            })
    }

    fn misbehaving(&self, number: &str, before: Timestamp) -> bool {
        let bad_release = self
            .version(number)
            .and_then(|v| v.release.as_ref())
            .is_some_and(|r| r.as_str() == MISBEHAVING_RELEASE);
        bad_release
            || self
                .faults
                .iter()
                .any(|(n, since)| n == number && *since < before)
    }

    /// Evaluates the alarms on the minute starting at `minute`, watching the newest deployment's
    /// version where it took traffic (the canary), else the alias's main version. Returns the
    /// alarm that is firing, if one is.
    pub fn evaluate_alarms(&mut self, seed: u64, minute: Timestamp) -> Option<(String, String)> {
        let end = minute.plus(MINUTE);
        let canary = self
            .deployments
            .last()
            .map(|d| d.shift().to.number.clone())
            .filter(|n| self.had_traffic(n, minute, end));
        let watched = canary.unwrap_or_else(|| self.current().primary.clone());
        let point = datapoint(
            seed,
            &self.function,
            &watched,
            minute,
            self.misbehaving(&watched, end),
        );
        for alarm in &mut self.alarms {
            alarm.evaluate(point, minute, end);
        }
        self.alarms
            .iter()
            .find(|a| a.firing())
            .map(|a| (a.alarm().name.clone(), a.alarm().reason.clone()))
    }

    /// Makes the active deployment's new version misbehave from `at`; its description, or
    /// `None` when nothing is deploying here.
    pub fn inject_fault(&mut self, at: Timestamp) -> Option<String> {
        let to = self.active()?.shift().to.clone();
        self.faults.push((to.number.clone(), at));
        Some(format!("{} {}", self.function, to.label()))
    }

    /// Per-minute metrics of `number` over the `minutes` whole minutes before `now`, with `None`
    /// for minutes without invocations, where CloudWatch has no datapoint.
    pub fn series(&self, seed: u64, number: &str, minutes: u32, now: Timestamp) -> VersionMetrics {
        let last = super::metrics::minute_of(now);
        let mut metrics = VersionMetrics {
            function: self.function.clone(),
            version: number.to_string(),
            error_rate: Vec::new(),
            p99_ms: Vec::new(),
        };
        for back in (1..=minutes).rev() {
            let minute = Timestamp(last.millis() - i64::from(back) * 60_000);
            let end = minute.plus(MINUTE);
            if !self.had_traffic(number, minute, end) {
                metrics.error_rate.push(None);
                metrics.p99_ms.push(None);
                continue;
            }
            let p = datapoint(
                seed,
                &self.function,
                number,
                minute,
                self.misbehaving(number, end),
            );
            metrics.error_rate.push(Some(p.error_rate));
            metrics.p99_ms.push(Some(p.p99_ms));
        }
        metrics
    }

    pub fn target(&self, auto_rollback_on_alarm: bool) -> Target {
        let latest = self.deployments.last().map(|d| d.shift().clone());
        let previous_success = self
            .deployments
            .iter()
            .rev()
            .skip(1)
            .find(|d| d.shift().status == DeploymentStatus::Succeeded)
            .map(|d| d.shift().clone());
        let routing = self.current();
        let alias_routing = self.version(&routing.primary).map(|v| AliasRouting {
            version: v.clone(),
            additional: routing
                .additional
                .as_ref()
                .and_then(|(n, w)| Some((self.version(n)?.clone(), *w))),
        });
        Target {
            group: self.name.clone(),
            function: self.function.clone(),
            alias: self.alias.clone(),
            config_name: self.config_name.clone(),
            auto_rollback_on_alarm,
            latest,
            previous_success,
            alias_routing,
            alarms: self.alarms.iter().map(|a| a.alarm().clone()).collect(),
        }
    }
}
