//! Hand-built cockpit states for the UI snapshots: three environments, seven versions with every
//! release status, and a fixed clock (2025-03-14 12:00:00 UTC).
// Shared by several test crates, each of which uses only some of the states.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::Duration;

use shiftdeck::app::call_log::ReadKind;
use shiftdeck::app::state::{
    Confirm, LogEntry, Modal, Pane, Panel, Plan, Remote, Settings, State, newest_first,
};
use shiftdeck::domain::audit::Outcome;
use shiftdeck::domain::pin::{PinLocator, PinRule};
use shiftdeck::domain::release::{IntegrityCheck, Release, ReleaseStatus, SignatureCheck};
use shiftdeck::domain::rollout::{
    Alarm, AlarmState, DeploymentStatus, EventStatus, LambdaVersion, LifecycleEvent, ManualGate,
    RedeployRequest, Rollback, RollbackPlan, Shift, Target,
};
use shiftdeck::domain::schedule::DeploymentConfig;
use shiftdeck::domain::time::Timestamp;
use shiftdeck::domain::version::Version;
use shiftdeck::environment::Environment;
use shiftdeck::ops::Intent;
use shiftdeck::ports::{
    AwsIdentity, EnvRollout, ErrorKind, ForkStatus, Identity, PinnedVersion, PortError, Proposal,
    VersionMetrics,
};

pub const NOW: Timestamp = Timestamp(1_741_953_600_000);

pub fn ago(secs: u64) -> Timestamp {
    Timestamp(NOW.0 - (secs as i64) * 1000)
}

fn v(s: &str) -> Version {
    Version::parse(s).unwrap()
}

/// Lambda version numbers follow the release: v1.3.0 is #13, v1.4.0 is #14.
fn lv(release: &str) -> LambdaVersion {
    let number = match release {
        "v1.1.0" => "11",
        "v1.2.0" => "12",
        "v1.3.0" => "13",
        "v1.4.0" => "14",
        _ => "15",
    };
    LambdaVersion {
        number: number.into(),
        release: Some(v(release)),
    }
}

fn remote<T>(value: T, age_secs: u64) -> Remote<T> {
    Remote {
        value: Some(value),
        fetched_at: Some(ago(age_secs)),
        wall_at: Some(ago(age_secs)),
        ..Remote::default()
    }
}

fn identity(name: &str, email: &str) -> Identity {
    Identity {
        name: name.into(),
        email: email.into(),
    }
}

fn env(name: &str, file: &str, protected: bool) -> Environment {
    Environment {
        name: name.into(),
        pin: PinLocator {
            file: PathBuf::from(file),
            rule: PinRule::JsonPointer(format!("/context/{name}Version")),
        },
        region: Some("eu-west-1".into()),
        profile: Some(format!("acme-{name}")),
        application: "ltbase".into(),
        deployment_groups: vec!["api".into(), "worker".into(), "scheduler".into()],
        requires_approval: protected,
        require_signed_approval: false,
        protected,
        accent: None,
        alias: "Prod".into(),
    }
}

fn release(version: &str, date: &str, status: ReleaseStatus, notes: &str) -> Release {
    Release {
        version: v(version),
        released_at: Some(format!("{date}T09:30:00Z")),
        notes: Some(notes.into()),
        artifacts: Vec::new(),
        signature: SignatureCheck::Valid,
        integrity: IntegrityCheck::Matched,
        status,
    }
}

/// Newest first, as the cockpit stores them.
fn releases() -> Vec<Release> {
    let mut list = vec![
        release(
            "v1.1.0",
            "2024-11-04",
            ReleaseStatus::Verified,
            "Session API v2.",
        ),
        release(
            "v1.2.0",
            "2024-12-09",
            ReleaseStatus::Yanked("corrupts sessions on resume; use v1.3.0".into()),
            "Resumable sessions.",
        ),
        release(
            "v1.3.0",
            "2025-01-20",
            ReleaseStatus::Verified,
            "Fixes session resume; faster cold starts.",
        ),
        release(
            "v1.3.1",
            "2025-02-03",
            ReleaseStatus::ChecksumMismatch("worker.zip".into()),
            "Worker memory fix.",
        ),
        release(
            "v1.4.0",
            "2025-02-24",
            ReleaseStatus::Verified,
            "Batch import endpoint; p99 down 20% on large tenants.",
        ),
        release(
            "v1.4.1",
            "2025-03-05",
            ReleaseStatus::BadSignature("signature made by an unknown key".into()),
            "Import retries.",
        ),
        release(
            "v1.5.0-rc.1",
            "2025-03-12",
            ReleaseStatus::Unsigned,
            "Release candidate: streaming exports.",
        ),
    ];
    newest_first(&mut list);
    list
}

fn fork(pins: [&str; 3]) -> ForkStatus {
    ForkStatus {
        branch: "main".into(),
        remote: "origin".into(),
        head: "a1b2c3d".into(),
        dirty: false,
        ahead: 0,
        behind: 0,
        pins: ["dev", "staging", "prod"]
            .into_iter()
            .zip(pins)
            .map(|(env, pin)| PinnedVersion {
                pinned_at: None,
                env: env.into(),
                version: Ok(v(pin)),
                line: Some(4),
            })
            .collect(),
        proposals: Vec::new(),
        fetch_error: None,
        modified: Vec::new(),
        last_fetch: None,
        refused: Vec::new(),
        history: Vec::new(),
        freezes: Ok(Default::default()),
    }
}

const HOOKS_DONE: [(LifecycleEvent, EventStatus); 3] = [
    (LifecycleEvent::BeforeAllowTraffic, EventStatus::Succeeded),
    (LifecycleEvent::AllowTraffic, EventStatus::Succeeded),
    (LifecycleEvent::AfterAllowTraffic, EventStatus::Succeeded),
];

const HOOKS_SHIFTING: [(LifecycleEvent, EventStatus); 3] = [
    (LifecycleEvent::BeforeAllowTraffic, EventStatus::Succeeded),
    (LifecycleEvent::AllowTraffic, EventStatus::InProgress),
    (LifecycleEvent::AfterAllowTraffic, EventStatus::Pending),
];

fn linear_1m() -> DeploymentConfig {
    DeploymentConfig::predefined("CodeDeployDefault.LambdaLinear10PercentEvery1Minute").unwrap()
}

fn succeeded(id: &str, from: &str, to: &str, ended_secs_ago: u64) -> Shift {
    Shift {
        deployment_id: id.into(),
        status: DeploymentStatus::Succeeded,
        config: linear_1m(),
        from: lv(from),
        to: lv(to),
        created_at: ago(ended_secs_ago + 700),
        traffic_started_at: Some(ago(ended_secs_ago + 600)),
        completed_at: Some(ago(ended_secs_ago)),
        target_percent: 100.0,
        events: HOOKS_DONE.to_vec(),
        gate: None,
        rollback: None,
        is_rollback_redeploy: false,
    }
}

/// A linear shift whose traffic started `secs_ago`, at the weight the schedule gives now.
fn linear_shift(id: &str, from: &str, to: &str, secs_ago: u64) -> Shift {
    let config = linear_1m();
    Shift {
        deployment_id: id.into(),
        status: DeploymentStatus::InProgress,
        config,
        from: lv(from),
        to: lv(to),
        created_at: ago(secs_ago + 45),
        traffic_started_at: Some(ago(secs_ago)),
        completed_at: None,
        target_percent: f64::from(config.percent_at(Duration::from_secs(secs_ago))),
        events: HOOKS_SHIFTING.to_vec(),
        gate: None,
        rollback: None,
        is_rollback_redeploy: false,
    }
}

fn alarm(name: &str, state: AlarmState, threshold: &str, reason: &str, secs_ago: u64) -> Alarm {
    Alarm {
        name: name.into(),
        state,
        reason: reason.into(),
        threshold: threshold.into(),
        updated_at: ago(secs_ago),
    }
}

fn alarms(group: &str, firing: bool) -> Vec<Alarm> {
    let errors = if firing {
        alarm(
            &format!("ltbase-{group}-errors"),
            AlarmState::Alarm,
            "Errors > 5 for 1 datapoints within 1 minute",
            "Threshold Crossed: 1 datapoint [23.0] was greater than the threshold (5.0)",
            20,
        )
    } else {
        alarm(
            &format!("ltbase-{group}-errors"),
            AlarmState::Ok,
            "Errors > 5 for 1 datapoints within 1 minute",
            "Threshold Crossed: no datapoints were greater than the threshold (5.0)",
            3600,
        )
    };
    vec![
        errors,
        alarm(
            &format!("ltbase-{group}-p99"),
            AlarmState::Ok,
            "Duration p99 > 800 ms for 3 datapoints within 3 minutes",
            "Threshold Crossed: no datapoints were greater than the threshold (800.0)",
            3600,
        ),
    ]
}

fn target(group: &str, latest: Option<Shift>, firing: bool) -> Target {
    Target {
        group: group.into(),
        function: format!("ltbase-{group}"),
        alias: "Prod".into(),
        config_name: "CodeDeployDefault.LambdaLinear10PercentEvery1Minute".into(),
        auto_rollback_on_alarm: true,
        latest,
        previous_success: None,
        alias_routing: None,
        alarms: alarms(group, firing),
    }
}

/// Every group of an environment settled on `version`, moved there from `from`.
fn settled(env: &str, from: &str, version: &str, ended_secs_ago: u64) -> EnvRollout {
    EnvRollout::new(
        env,
        ["api", "worker", "scheduler"]
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let id = format!("d-{}{}{i}", env.to_uppercase(), &version[1..2]);
                target(
                    g,
                    Some(succeeded(&id, from, version, ended_secs_ago)),
                    false,
                )
            })
            .collect(),
        NOW,
    )
}

fn metrics(function: &str, canary_errors: &[f64]) -> Vec<VersionMetrics> {
    let minutes = 15;
    let baseline_errors: Vec<Option<f64>> = (0..minutes)
        .map(|m| Some(0.2 + 0.1 * f64::from(m % 3)))
        .collect();
    // The canary has an error rate only for the minutes it has taken traffic.
    let mut canary: Vec<Option<f64>> = vec![None; minutes as usize - canary_errors.len()];
    canary.extend(canary_errors.iter().copied().map(Some));
    vec![
        VersionMetrics {
            function: function.into(),
            version: "14".into(),
            error_rate: canary,
            p99_ms: (0..minutes)
                .map(|m| Some(310.0 + 12.0 * f64::from(m % 4)))
                .collect(),
        },
        VersionMetrics {
            function: function.into(),
            version: "13".into(),
            error_rate: baseline_errors,
            p99_ms: (0..minutes)
                .map(|m| Some(380.0 + 15.0 * f64::from(m % 5)))
                .collect(),
        },
    ]
}

fn log() -> Vec<LogEntry> {
    let entry = |secs, env: &str, action: &str, outcome, message: &str| LogEntry {
        at: ago(secs),
        env: env.into(),
        action: action.into(),
        outcome,
        message: message.into(),
    };
    vec![
        entry(
            5400,
            "dev",
            "promote",
            Outcome::Succeeded,
            "pinned v1.4.0 (commit 4e5f6a7), pushed origin main",
        ),
        entry(
            1800,
            "prod",
            "promote",
            Outcome::Succeeded,
            "proposed v1.4.0 on shiftdeck/proposal/prod, awaits approval",
        ),
        entry(
            900,
            "prod",
            "approve",
            Outcome::Refused,
            "you proposed v1.4.0 for prod; an approver other than the proposer must approve it",
        ),
    ]
}

fn settings() -> Settings {
    Settings {
        environments: vec![
            env("dev", "cdk.json", false),
            env("staging", "cdk.json", false),
            env("prod", "cdk.json", true),
        ],
        read_only: false,
        demo: true,
        refresh_active: Duration::from_secs(5),
        refresh_idle: Duration::from_secs(30),
        refresh_metrics: Duration::ZERO,
        pipeline_warning: Duration::from_secs(15 * 60),
        failure_window: shiftdeck::ops::failures::DEFAULT_WINDOW,
        clock_speed: 1.0,
        notify: Default::default(),
    }
}

/// Nothing moving: dev and staging on v1.4.0, prod on v1.3.0 with v1.4.0 awaiting approval.
pub fn idle() -> State {
    let mut s = State::new(settings(), NOW);
    s.identity = Some(identity("Alice Example", "alice@example.com"));
    s.releases = remote(releases(), 12);
    let mut f = fork(["v1.4.0", "v1.4.0", "v1.3.0"]);
    f.proposals.push(Proposal {
        env: "prod".into(),
        branch: "shiftdeck/proposal/prod".into(),
        version: v("v1.4.0"),
        proposer: identity("Bob Builder", "bob@example.com"),
        commit: "b0b0b0b".into(),
        current: true,
    });
    s.fork = remote(f, 4);
    s.rollouts.insert(
        "dev".into(),
        remote(settled("dev", "v1.3.0", "v1.4.0", 5000), 8),
    );
    s.rollouts.insert(
        "staging".into(),
        remote(settled("staging", "v1.3.0", "v1.4.0", 2400), 8),
    );
    s.rollouts.insert(
        "prod".into(),
        remote(settled("prod", "v1.2.0", "v1.3.0", 86_400), 8),
    );
    s.log = log();
    s.selected_env = 1;
    s.selected_version = 2;
    s
}

/// Staging's api shifting v1.3.0 → v1.4.0, 3m30s into a linear 10%-a-minute shift; the worker
/// waits at a manual gate.
pub fn shifting() -> State {
    let mut s = idle();
    let mut rollout = settled("staging", "v1.2.0", "v1.3.0", 9000);
    rollout.targets[0].latest = Some(linear_shift("d-STAGING41", "v1.3.0", "v1.4.0", 210));
    let mut gated = linear_shift("d-STAGING42", "v1.3.0", "v1.4.0", 0);
    gated.status = DeploymentStatus::Ready;
    gated.traffic_started_at = None;
    gated.target_percent = 0.0;
    gated.events[0].1 = EventStatus::InProgress;
    gated.events[1].1 = EventStatus::Pending;
    gated.gate = Some(ManualGate {
        event: LifecycleEvent::BeforeAllowTraffic,
        execution_id: "exec-7f3a".into(),
        waiting_since: ago(95),
    });
    rollout.targets[1].latest = Some(gated);
    s.rollouts.insert("staging".into(), remote(rollout, 2));
    s.metrics.insert(
        "staging".into(),
        remote(metrics("ltbase-api", &[0.3, 0.2, 0.4, 0.3]), 2),
    );
    if let Some(f) = &mut s.fork.value {
        f.pins[0].version = Ok(v("v1.4.0"));
    }
    s.focus = Pane::Shift;
    s
}

/// The canary's error alarm has fired; CodeDeploy has not reacted yet.
pub fn alarm_firing() -> State {
    let mut s = shifting();
    if let Some(r) = s.rollouts.get_mut("staging").and_then(|r| r.value.as_mut()) {
        r.targets[0].alarms = alarms("api", true);
    }
    s.metrics.insert(
        "staging".into(),
        remote(metrics("ltbase-api", &[0.3, 2.5, 9.8, 23.0]), 2),
    );
    s
}

/// CodeDeploy stopped the shift on the alarm and returned all traffic to v1.3.0.
pub fn rolled_back() -> State {
    let mut s = alarm_firing();
    if let Some(r) = s.rollouts.get_mut("staging").and_then(|r| r.value.as_mut()) {
        let shift = r.targets[0].latest.as_mut().unwrap();
        shift.status = DeploymentStatus::Stopped;
        shift.target_percent = 0.0;
        shift.completed_at = Some(ago(10));
        shift.events[1].1 = EventStatus::Failed;
        shift.events[2].1 = EventStatus::Skipped;
        shift.rollback = Some(Rollback {
            reason:
                "alarm ltbase-api-errors fired (Errors > 5); CodeDeploy returned 100% to v1.3.0"
                    .into(),
            at: ago(10),
        });
    }
    s.log.push(LogEntry {
        at: ago(10),
        env: "staging".into(),
        action: "rollback".into(),
        outcome: Outcome::Succeeded,
        message: "CodeDeploy rolled d-STAGING41 back automatically: alarm ltbase-api-errors".into(),
    });
    s
}

/// An operator's rollback of prod: a LambdaAllAtOnce redeployment back to v1.3.0 is running.
pub fn rollback_in_progress() -> State {
    let mut s = idle();
    let mut rollout = settled("prod", "v1.3.0", "v1.4.0", 900);
    let mut back = linear_shift("d-PROD-RB1", "v1.4.0", "v1.3.0", 0);
    back.config = DeploymentConfig::AllAtOnce;
    back.is_rollback_redeploy = true;
    back.traffic_started_at = None;
    back.target_percent = 0.0;
    back.events[1].1 = EventStatus::Pending;
    back.events[0].1 = EventStatus::InProgress;
    rollout.targets[0].latest = Some(back);
    s.rollouts.insert("prod".into(), remote(rollout, 1));
    if let Some(f) = &mut s.fork.value {
        f.pins[2].version = Ok(v("v1.3.0"));
        f.proposals.clear();
    }
    s.busy = Some("roll back prod (3 groups, pin v1.4.0 → v1.3.0)".into());
    s.selected_env = 2;
    s.focus = Pane::Shift;
    s
}

/// The rollback confirm for protected prod, on v1.4.0 since half an hour, with "pr" typed so far.
pub fn confirm_rollback_prod() -> State {
    let mut s = idle();
    s.selected_env = 2;
    s.rollouts.insert(
        "prod".into(),
        remote(settled("prod", "v1.3.0", "v1.4.0", 1800), 8),
    );
    if let Some(f) = &mut s.fork.value {
        f.pins[2].version = Ok(v("v1.4.0"));
        f.proposals.clear();
    }
    let to = lv("v1.3.0");
    let from = lv("v1.4.0");
    let detail = |g: &str| {
        (
            g.to_string(),
            format!(
                "codedeploy:CreateDeployment LambdaAllAtOnce {} → {}",
                from.label(),
                to.label()
            ),
        )
    };
    s.modal = Some(Modal::Confirm(Box::new(Confirm {
        intent: Intent::Rollback {
            env: "prod".into(),
            reason: None,
        },
        plan: Plan::Rollback {
            env: "prod".into(),
            steps: ["api", "worker", "scheduler"]
                .iter()
                .map(|g| {
                    (
                        g.to_string(),
                        RollbackPlan::Redeploy(RedeployRequest {
                            group: g.to_string(),
                            function: format!("ltbase-prod-{g}"),
                            alias: "Prod".into(),
                            from: from.clone(),
                            to: to.clone(),
                            run_hooks: false,
                            ignore_alarms: false,
                        }),
                    )
                })
                .collect(),
            pin_revert: Some((v("v1.4.0"), v("v1.3.0"))),
            reason: "rollback by operator".into(),
        },
        details: vec![
            ("environment".into(), "prod".into()),
            detail("api"),
            detail("worker"),
            detail("scheduler"),
            (
                "pin".into(),
                "cdk.json (/context/prodVersion): v1.4.0 → v1.3.0".into(),
            ),
            (
                "push".into(),
                "origin main (revert commit, Shiftdeck-Action: rollback)".into(),
            ),
        ],
        type_to_confirm: Some("prod".into()),
        override_of: None,
        reason_for: None,
        typed: "pr".into(),
        changed: false,
    })));
    s
}

pub fn help() -> State {
    let mut s = idle();
    s.panel = Some(Panel::Help);
    s
}

/// The selected version's artifacts have no checksum in S3: its detail says so and how to check
/// them; the one below it is being downloaded.
pub fn unchecked_artifacts() -> State {
    let mut s = idle();
    s.focus = Pane::Versions;
    if let Some(list) = &mut s.releases.value {
        for r in list.iter_mut().skip(s.selected_version).take(2) {
            r.integrity = IntegrityCheck::NotChecked;
        }
        let below = list[s.selected_version + 1].version.clone();
        s.verifying.insert(below);
    }
    s
}

/// The calls view over real accounts: dev read twice in the last minute and its metrics once,
/// staging once long ago, prod's last read denied, the release bucket listed two minutes ago.
pub fn calls() -> State {
    let mut s = shifting();
    s.settings.demo = false;
    for (env, account) in [("dev", "111111111111"), ("staging", "222222222222")] {
        s.aws_identity.insert(
            env.into(),
            Ok(AwsIdentity {
                account: account.into(),
                arn: format!("arn:aws:sts::{account}:assumed-role/ShiftdeckViewer/alice"),
            }),
        );
    }
    let counts = |pairs: &[(&str, u32)]| pairs.iter().map(|(a, n)| (a.to_string(), *n)).collect();
    let dev = s.api_calls.entry("dev".into()).or_default();
    dev.record(
        ago(50),
        ReadKind::Rollout,
        counts(&[
            ("codedeploy:ListDeploymentGroups", 1),
            ("codedeploy:BatchGetDeploymentGroups", 1),
            ("codedeploy:BatchGetDeployments", 1),
            ("lambda:GetAlias", 2),
            ("lambda:GetFunction", 4),
            ("cloudwatch:DescribeAlarms", 1),
        ]),
    );
    dev.record(
        ago(40),
        ReadKind::Metrics,
        counts(&[("cloudwatch:GetMetricData", 1)]),
    );
    dev.record(
        ago(5),
        ReadKind::Rollout,
        counts(&[
            ("codedeploy:BatchGetDeployments", 1),
            ("codedeploy:ListDeploymentTargets", 1),
            ("codedeploy:BatchGetDeploymentTargets", 1),
            ("cloudwatch:DescribeAlarms", 1),
        ]),
    );
    s.api_calls.entry("staging".into()).or_default().record(
        ago(300),
        ReadKind::Rollout,
        counts(&[("codedeploy:BatchGetDeploymentGroups", 1)]),
    );
    if let Some(r) = s.rollouts.get_mut("prod") {
        r.error = Some(PortError::new(
            ErrorKind::AccessDenied,
            "arn:aws:sts::333333333333:assumed-role/ShiftdeckViewer/alice may not call codedeploy:ListDeploymentGroups on ltbase-prod",
        ));
    }
    // The release bucket's listing, two minutes ago: ten folders, nine manifests and signatures.
    s.release_calls.record(
        ago(120),
        ReadKind::Releases,
        counts(&[("s3:ListBucket", 10), ("s3:GetObject", 18)]),
    );
    s.panel = Some(Panel::Calls);
    s
}

/// Staging's deployments could not be read for four minutes, and a rollback just failed.
pub fn error() -> State {
    let mut s = shifting();
    if let Some(r) = s.rollouts.get_mut("staging") {
        r.fetched_at = Some(ago(240));
        r.wall_at = Some(ago(240));
        r.error = Some(
            PortError::new(
                ErrorKind::Credentials,
                "the AWS SSO session for profile acme-staging has expired",
            )
            .with_hint("run: aws sso login --profile acme-staging"),
        );
        r.failures = 5;
    }
    s.log.push(LogEntry {
        at: ago(3),
        env: "staging".into(),
        action: "rollback".into(),
        outcome: Outcome::Failed,
        message: "rollback of staging incomplete: api: the AWS SSO session for profile acme-staging has expired".into(),
    });
    s.modal = Some(Modal::Message {
        title: "rollback failed".into(),
        // As the runner reports it: the failed CodeDeploy call, and the pin reverted regardless.
        body: "rollback of staging incomplete: api: the AWS SSO session for profile acme-staging has expired".into(),
    });
    s
}

pub fn read_only() -> State {
    let mut s = shifting();
    s.settings.read_only = true;
    s
}

/// `n` deployment groups in each environment, a handful of them shifting, alarming or rolled back.
pub fn many_targets(n: usize) -> State {
    let mut s = idle();
    for (e, name) in ["dev", "staging", "prod"].iter().enumerate() {
        let targets = (0..n)
            .map(|i| {
                let group = format!("svc-{i:03}");
                let latest = match (i + e) % 40 {
                    0 => linear_shift(
                        &format!("d-{name}{i}"),
                        "v1.3.0",
                        "v1.4.0",
                        30 * (i % 9) as u64,
                    ),
                    7 => {
                        let mut sh = linear_shift(&format!("d-{name}{i}"), "v1.3.0", "v1.4.0", 100);
                        sh.status = DeploymentStatus::Stopped;
                        sh.target_percent = 0.0;
                        sh.rollback = Some(Rollback {
                            reason: "alarm fired".into(),
                            at: ago(60),
                        });
                        sh
                    }
                    _ => succeeded(&format!("d-{name}{i}"), "v1.2.0", "v1.3.0", 4000),
                };
                target(&group, Some(latest), (i + e) % 40 == 0 && i % 80 == 0)
            })
            .collect();
        s.rollouts.insert(
            name.to_string(),
            remote(EnvRollout::new(*name, targets, NOW), 3),
        );
    }
    s.selected_target = n * 3 / 4;
    s.focus = Pane::Shift;
    s
}
