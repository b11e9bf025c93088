//! The ports of a session against real AWS accounts, built from the configuration: one
//! connection per profile and region, shared by the environments that name the same pair; the
//! vendor's release bucket through its own.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use super::connect::{ConnectionKey, Connections, Limits};
use super::metrics::CloudWatchMetrics;
use super::releases::S3Releases;
use super::rollouts::{AwsRollouts, EnvAws};
use crate::audit_log::{JsonlAudit, SharedAudit};
use crate::config::Config;
use crate::ports::{Clock, PortResult, Ports, SystemClock};

/// Time limits and pace from the `[aws]` section.
pub fn limits(config: &Config) -> Limits {
    Limits {
        connect: Duration::from_secs(config.aws.connect_timeout_secs),
        operation: Duration::from_secs(config.aws.call_timeout_secs),
        requests_per_second: config.aws.requests_per_second,
        ..Limits::default()
    }
}

/// Everything a session against AWS reads and acts through. Opening connections reads the
/// shared config files but sends nothing: credentials are resolved at the first call, so a
/// broken profile shows up as that environment's error.
pub async fn ports(config: &Config) -> PortResult<Ports> {
    let connections = Connections::new(limits(config));
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let mut envs = HashMap::new();
    let mut by_env = HashMap::new();
    for env in &config.environments {
        let key = ConnectionKey {
            profile: env.profile.clone(),
            region: env.region.clone(),
        };
        let conn = connections.get(&key).await;
        by_env.insert(env.name.clone(), conn.clone());
        envs.insert(env.name.clone(), Ok(Arc::new(EnvAws::new(conn))));
    }
    let release_key = ConnectionKey {
        profile: config.release.profile.clone(),
        region: config.release.region.clone(),
    };
    let releases = S3Releases::new(
        connections.get(&release_key).await,
        config.release.bucket.clone(),
        config.release.prefix.clone(),
        config.release.trusted_keys(),
    );
    let fork = Arc::new(config.fork.open()?);
    Ok(Ports {
        releases: Arc::new(releases),
        fork: fork.clone(),
        rollouts: Arc::new(AwsRollouts::new(envs, clock.clone())),
        metrics: Arc::new(CloudWatchMetrics::new(by_env)),
        clock,
        // Every record is also pushed to the fork's remote, for the team.
        audit: Arc::new(SharedAudit::new(JsonlAudit::in_data_dir()?, fork.clone())),
        freezes: fork,
        sim: None,
    })
}
