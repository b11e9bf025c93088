//! What planning may look at: everything read, borrowed, as of one moment.

use std::collections::BTreeMap;

use crate::domain::env::{EnvName, Stage};
use crate::domain::release::Release;
use crate::domain::rollout::Target;
use crate::domain::time::Timestamp;
use crate::domain::version::Version;
use crate::ports::{EnvRollout, ForkStatus, Identity, PortError};

use super::refusal::{Refusal, RefusalKind};

/// Each environment's read: the rollout, or why it could not be read (absent: not read yet).
pub type RolloutRead<'a> = Result<&'a EnvRollout, &'a PortError>;

#[derive(Clone, Debug)]
pub struct Snapshot<'a> {
    /// In promotion order.
    pub stages: Vec<Stage>,
    pub releases: Option<&'a [Release]>,
    pub fork: Option<&'a ForkStatus>,
    pub rollouts: BTreeMap<&'a str, RolloutRead<'a>>,
    /// The person acting, as git knows them.
    pub identity: Option<&'a Identity>,
    pub read_only: bool,
    /// An action still running (the cockpit runs one at a time).
    pub busy: Option<&'a str>,
    pub now: Timestamp,
    /// How long a failed shift, a rollback or a fired alarm counts against a version.
    pub failure_window: std::time::Duration,
}

impl<'a> Snapshot<'a> {
    pub fn stage(&self, name: &EnvName) -> Result<&Stage, Refusal> {
        find_stage(&self.stages, name)
    }

    /// The environment after `name` in the promotion order.
    pub fn next_stage(&self, name: &EnvName) -> Option<&Stage> {
        let i = self.stages.iter().position(|s| &s.name == name)?;
        self.stages.get(i + 1)
    }

    pub fn fork(&self) -> Result<&'a ForkStatus, Refusal> {
        self.fork.ok_or_else(|| {
            Refusal::new(RefusalKind::NotRead, "the fork has not been read yet")
                .hint("wait for it, or refresh (ctrl-r)")
        })
    }

    pub fn pinned(&self, env: &EnvName) -> Option<&'a Version> {
        self.fork?
            .pins
            .iter()
            .find(|p| env == &p.env)
            .and_then(|p| p.version.as_ref().ok())
    }

    pub fn rollout(&self, env: &EnvName) -> Result<&'a EnvRollout, Refusal> {
        match self.rollouts.get(env.as_str()) {
            Some(Ok(r)) => Ok(r),
            Some(Err(e)) => Err(Refusal::new(
                RefusalKind::NotRead,
                format!("the deployments of {env} could not be read: {}", e.message),
            )
            .hint(
                e.hint
                    .clone()
                    .unwrap_or_else(|| "fix that first; rules are never decided blind".into()),
            )),
            None => Err(Refusal::new(
                RefusalKind::NotRead,
                format!("the deployments of {env} have not been read yet"),
            )
            .hint("wait for them, or refresh (ctrl-r)")),
        }
    }

    /// A shift running in `env`, as `group deployment-id`, when one is.
    pub fn active_shift(&self, env: &EnvName) -> Option<String> {
        let rollout = self.rollouts.get(env.as_str())?.as_ref().ok()?;
        rollout.targets.iter().find_map(|t: &Target| {
            t.active_shift()
                .map(|s| format!("{} {}", t.group, s.deployment_id))
        })
    }

    /// The release `version`, or a refusal naming the nearest ones that exist.
    pub fn release(&self, version: &Version) -> Result<&'a Release, Refusal> {
        let releases = self.releases.ok_or_else(|| {
            Refusal::new(
                RefusalKind::NotRead,
                "the release repository has not been read yet",
            )
            .hint("wait for it, or refresh (ctrl-r)")
        })?;
        releases
            .iter()
            .find(|r| &r.version == version)
            .ok_or_else(|| {
                let known: Vec<&Version> = releases.iter().map(|r| &r.version).collect();
                let near = nearest(version, &known);
                Refusal::new(
                    RefusalKind::UnknownVersion,
                    format!("{version} is not in the release repository"),
                )
                .hint(if near.is_empty() {
                    "the release repository holds no versions yet".to_string()
                } else {
                    format!("versions near it: {}", near.join(", "))
                })
            })
    }
}

/// The stage called `name`, or a refusal that lists the configured ones: also what the command
/// line checks before it reads anything.
pub fn find_stage<'s>(stages: &'s [Stage], name: &EnvName) -> Result<&'s Stage, Refusal> {
    stages.iter().find(|s| &s.name == name).ok_or_else(|| {
        Refusal::new(
            RefusalKind::UnknownEnvironment,
            format!("no environment named {name}"),
        )
        .hint(format!(
            "the configured environments are {}",
            stages
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })
}

/// Up to three versions closest to `wanted` in release order: the ones just below and above it.
fn nearest(wanted: &Version, known: &[&Version]) -> Vec<String> {
    let mut sorted: Vec<&Version> = known.to_vec();
    sorted.sort();
    let at = sorted.partition_point(|v| *v < wanted);
    let (mut below, mut above) = (sorted[..at].iter().rev(), sorted[at..].iter());
    let mut out = Vec::new();
    while out.len() < 3 {
        match (below.next(), above.next()) {
            (None, None) => break,
            (b, a) => out.extend(b.into_iter().chain(a).map(|v| v.to_string())),
        }
    }
    out.truncate(3);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_versions_share_the_longest_prefix() {
        let v = |s: &str| Version::parse(s).unwrap();
        let known = [v("v1.3.0"), v("v1.2.1"), v("v1.2.0"), v("v0.9.0")];
        let refs: Vec<&Version> = known.iter().collect();
        assert_eq!(nearest(&v("v1.2.9"), &refs), ["v1.2.1", "v1.3.0", "v1.2.0"]);
        assert_eq!(nearest(&v("v2.0.0"), &refs), ["v1.3.0", "v1.2.1", "v1.2.0"]);
    }
}
