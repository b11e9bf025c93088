//! How many AWS requests the cockpit makes a minute, idle and while a shift runs. The cockpit's
//! own schedule (the one `update` and the effect runner, driven headless second by second, with
//! the intervals the cockpit uses against AWS) reads through the real adapters, whose SDK clients
//! are answered by recorded responses in the services' wire formats; every request that leaves
//! the SDK is counted. Counts, not times: the figures do not depend on the machine.
//!
//! The Lambda control plane allows about 15 requests/s per account and region, shared with
//! every pipeline and tool of the account; CloudWatch bills GetMetricData per metric.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;

use shiftdeck::app::action::Command;
use shiftdeck::app::headless::Headless;
use shiftdeck::app::runner::World;
use shiftdeck::app::state::{Pane, Settings, State};
use shiftdeck::aws::metrics::CloudWatchMetrics;
use shiftdeck::aws::rollouts::{AwsRollouts, EnvAws};
use shiftdeck::config::Config;
use shiftdeck::environment::Environment;
use shiftdeck::ports::Ports;

#[macro_use]
mod recorded;
mod sim_common;

use recorded::{Log, connection, fleet, routed};

const GROUPS: u32 = 5;
/// Minutes counted after the first, cold one.
const MINUTES: usize = 10;

/// Requests of one environment in one minute, by service.
#[derive(Clone, Debug, Default, PartialEq)]
struct Minute {
    lambda: u32,
    codedeploy: u32,
    cloudwatch: u32,
    sts: u32,
    /// Every request by what it was, for the failure message.
    all: BTreeMap<String, u32>,
}

impl Minute {
    fn add(&mut self, what: &str) {
        if what.starts_with("GET /2015-03-31/") {
            self.lambda += 1;
        } else if what.starts_with("cloudwatch:") {
            self.cloudwatch += 1;
        } else if what.starts_with("sts:") {
            self.sts += 1;
        } else {
            self.codedeploy += 1;
        }
        // A Lambda request by kind, not by function.
        let kind = match what {
            w if w.contains("/aliases/") => "lambda:GetAlias",
            w if w.contains("?Qualifier=") => "lambda:GetFunction",
            w => w,
        };
        *self.all.entry(kind.to_string()).or_default() += 1;
    }
}

/// What each environment asked for: its first minute (the cold read), then each minute after.
struct Rates {
    first: HashMap<String, Minute>,
    minutes: HashMap<String, Vec<Minute>>,
}

impl Rates {
    fn steady(&self, env: &str) -> &[Minute] {
        &self.minutes[env]
    }

    fn print(&self, title: &str) {
        println!("== {title}");
        for env in ["dev", "staging", "prod"] {
            let first = &self.first[env];
            println!(
                "  {env}: first minute {} Lambda, {} CodeDeploy, {} CloudWatch, {} STS",
                first.lambda, first.codedeploy, first.cloudwatch, first.sts
            );
            let lambda: Vec<u32> = self.steady(env).iter().map(|m| m.lambda).collect();
            let codedeploy: Vec<u32> = self.steady(env).iter().map(|m| m.codedeploy).collect();
            let cloudwatch: Vec<u32> = self.steady(env).iter().map(|m| m.cloudwatch).collect();
            println!(
                "  {env}: then a minute: Lambda {lambda:?}, CodeDeploy {codedeploy:?}, CloudWatch {cloudwatch:?}"
            );
            println!(
                "  {env}: last minute {:?}",
                self.steady(env).last().unwrap().all
            );
        }
    }
}

fn sdk(log: &Log, shifting: fn(u32) -> bool) -> SdkConfig {
    sdk!(routed(log, fleet(shifting, true)))
}

/// The cockpit's settings against AWS, as `shiftdeck` builds them from a configuration.
fn cockpit_settings(environments: &[Environment]) -> Settings {
    let toml = "[release]\nbucket = \"b\"\npublic_key = \"RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3\"\n\n[fork]\npath = \".\"\n\n[[env]]\nname = \"prod\"\npin = { file = \"lib/config.ts\", pattern = 'v = \"{version}\"' }\n";
    let config = Config::parse(toml, std::path::Path::new("shiftdeck.toml")).unwrap();
    let mut settings = Settings::against_aws(&config, false);
    settings.environments = environments.to_vec();
    settings
}

/// Runs the cockpit against three environments of `GROUPS` groups each, the operator watching
/// `watched`, for a cold minute and `MINUTES` more, ticking every second.
async fn run(shifting: fn(u32) -> bool, shifting_env: &str, watched: &str) -> Rates {
    let demo = sim_common::demo();
    let clock = demo.ports.clock.clone();
    let environments: Vec<Environment> = demo
        .environments
        .iter()
        .map(|e| Environment {
            deployment_groups: (0..GROUPS).map(|g| format!("{}-{g:03}", e.name)).collect(),
            profile: None,
            region: Some("us-east-1".into()),
            ..e.clone()
        })
        .collect();
    let mut logs = HashMap::new();
    let mut rollouts = HashMap::new();
    let mut metrics = HashMap::new();
    for env in &environments {
        let log = Log::default();
        let conn = connection(sdk(
            &log,
            if env.name == shifting_env {
                shifting
            } else {
                |_| false
            },
        ));
        rollouts.insert(env.name.clone(), Ok(Arc::new(EnvAws::new(conn.clone()))));
        metrics.insert(env.name.clone(), conn);
        logs.insert(env.name.clone(), log);
    }
    let ports = Ports {
        rollouts: Arc::new(AwsRollouts::new(rollouts, clock.clone())),
        metrics: Arc::new(CloudWatchMetrics::with_clock(metrics, clock.clone())),
        sim: None,
        ..demo.ports.clone()
    };
    let world = World::new(ports, environments.clone());
    let state = State::new(cockpit_settings(&environments), clock.now());
    let mut app = Headless::new(world, state);
    app.start().await;
    app.state.focus = Pane::Environments;
    while app.state.env().unwrap().name != watched {
        let before = app.state.selected_env;
        app.press(Command::Down).await;
        assert_ne!(before, app.state.selected_env, "no environment {watched}");
    }

    let mut first = HashMap::new();
    let mut minutes: HashMap<String, Vec<Minute>> = HashMap::new();
    for second in 0..(1 + MINUTES) * 60 {
        if second > 0 {
            // The world's clock and tokio's, by which the adapters keep what they cached.
            demo.control.advance(Duration::from_secs(1));
            tokio::time::advance(Duration::from_secs(1)).await;
            app.tick().await;
        }
        for (env, log) in &logs {
            let minute = if second < 60 {
                first.entry(env.clone()).or_insert_with(Minute::default)
            } else {
                let all = minutes.entry(env.clone()).or_default();
                if all.len() < second / 60 {
                    all.push(Minute::default());
                }
                all.last_mut().unwrap()
            };
            for sent in log.take() {
                minute.add(&sent.what);
            }
        }
    }
    Rates { first, minutes }
}

#[tokio::test(start_paused = true)]
async fn an_idle_cockpit_reads_each_alias_at_most_once_a_minute_and_the_watched_metrics_once() {
    let rates = run(|_| false, "", "prod").await;
    rates.print("idle, 3 environments x 5 groups, prod watched");
    for env in ["dev", "staging", "prod"] {
        for (i, m) in rates.steady(env).iter().enumerate() {
            assert!(
                m.lambda <= GROUPS,
                "{env} minute {}: {} Lambda requests for {GROUPS} idle groups: {:?}",
                i + 1,
                m.lambda,
                m.all
            );
            let metrics = if env == "prod" { 1 } else { 0 };
            assert_eq!(
                m.all.get("cloudwatch:GetMetricData").copied().unwrap_or(0),
                metrics,
                "{env} minute {}: {:?}",
                i + 1,
                m.all
            );
            assert_eq!(m.sts, 0, "the identity is read once: {:?}", m.all);
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_running_shift_is_read_every_five_seconds_without_a_lambda_request() {
    // prod-000 and prod-001 are shifting; the operator watches prod.
    let rates = run(|g| g < 2, "prod", "prod").await;
    rates.print("prod shifting 2 of 5 groups, prod watched");
    let idle = rates.steady("dev").to_vec();
    for (i, m) in rates.steady("prod").iter().enumerate() {
        let minute = i + 1;
        // Twelve reads a minute, each of them asking for the two shifting groups' targets by
        // the ids listed in the first read.
        assert_eq!(
            m.all.get("BatchGetDeploymentTargets").copied(),
            Some(2 * 12),
            "prod minute {minute}: {:?}",
            m.all
        );
        assert_eq!(m.all.get("ListDeploymentTargets"), None, "{:?}", m.all);
        // The shifting groups' versions are known after the first read, and their weights come
        // from CodeDeploy: only the idle groups' aliases cost Lambda requests.
        assert!(m.lambda <= GROUPS - 2, "prod minute {minute}: {:?}", m.all);
        assert_eq!(m.all.get("cloudwatch:GetMetricData").copied(), Some(1));
    }
    // The other environments stay on the idle schedule.
    assert_eq!(rates.steady("staging"), idle.as_slice());
}
