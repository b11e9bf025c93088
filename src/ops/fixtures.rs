//! Builders for the tests of the rules and of `update`: readable facts, not copies of reads.

use crate::domain::env::{EnvName, Stage};
use crate::domain::release::{IntegrityCheck, Release, ReleaseStatus, SignatureCheck};
use crate::domain::rollout::{DeploymentStatus, LambdaVersion, Shift, Target};
use crate::domain::schedule::DeploymentConfig;
use crate::domain::time::Timestamp;
use crate::domain::version::Version;
use crate::ports::{EnvRollout, ForkStatus, Identity, PinnedVersion};

pub fn v(s: &str) -> Version {
    Version::parse(s).expect("a version")
}

pub fn stage(name: &str, protected: bool) -> Stage {
    Stage {
        name: EnvName::new(name),
        pin: format!("cdk.json (/context/{name})"),
        pin_file: "cdk.json".into(),
        requires_approval: protected,
        protected,
    }
}

pub fn me() -> Identity {
    Identity {
        name: "Ada".into(),
        email: "ada@example.com".into(),
    }
}

pub fn release(version: &str, status: ReleaseStatus) -> Release {
    Release {
        version: v(version),
        released_at: None,
        notes: None,
        artifacts: Vec::new(),
        signature: SignatureCheck::Valid,
        integrity: IntegrityCheck::Matched,
        status,
    }
}

/// A clean fork whose deploy branch pins each `(env, version)`.
pub fn fork(pins: &[(&str, &str)]) -> ForkStatus {
    ForkStatus {
        branch: "main".into(),
        remote: "origin".into(),
        head: "abc1234".into(),
        dirty: false,
        ahead: 0,
        behind: 0,
        pins: pins
            .iter()
            .map(|(env, version)| PinnedVersion {
                env: env.to_string(),
                version: Ok(v(version)),
                line: Some(1),
                pinned_at: None,
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

fn lambda(number: &str, release: &str) -> LambdaVersion {
    LambdaVersion {
        number: number.into(),
        release: Some(v(release)),
    }
}

/// A deployment of `group` from `from` to `to` with `status`.
pub fn shift(id: &str, from: &str, to: &str, status: DeploymentStatus) -> Shift {
    Shift {
        deployment_id: id.into(),
        status,
        config: DeploymentConfig::predefined("CodeDeployDefault.LambdaLinear10PercentEvery1Minute")
            .expect("a predefined config"),
        from: lambda("1", from),
        to: lambda("2", to),
        created_at: Timestamp(0),
        traffic_started_at: Some(Timestamp(0)),
        completed_at: None,
        target_percent: 0.0,
        events: Vec::new(),
        gate: None,
        rollback: None,
        is_rollback_redeploy: false,
    }
}

pub fn rollout(env: &str, latest: Option<Shift>) -> EnvRollout {
    EnvRollout::new(
        env,
        vec![Target {
            group: "api".into(),
            function: format!("{env}-api"),
            alias: "Prod".into(),
            config_name: "CodeDeployDefault.LambdaLinear10PercentEvery1Minute".into(),
            auto_rollback_on_alarm: true,
            latest,
            previous_success: None,
            alias_routing: None,
            alarms: Vec::new(),
        }],
        Timestamp(0),
    )
}
