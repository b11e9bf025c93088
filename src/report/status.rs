//! `shiftdeck status [ENV]`: per environment its pin and proposals, deployment groups with
//! their current and last deployments, weights, alarms, provenance of the serving code, errors,
//! and the API calls the read made.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use super::ErrorOut;
use super::versions::SourceError;
use crate::domain::freeze::Freeze;
use crate::domain::provenance::{self, Provenance, ServingCode};
use crate::domain::rollout::Target;
use crate::domain::version::Version;
use crate::ops::reads::Reads;
use crate::ports::{AwsIdentity, PinEvent, Proposal, RefusedPush};

pub const SCHEMA: &str = "shiftdeck.status/1";

#[derive(Debug, Serialize)]
pub struct StatusReport {
    pub schema: &'static str,
    pub fork: Option<ForkOut>,
    pub environments: Vec<EnvOut>,
    /// The calls of the release repository's read (the vendor's bucket), by IAM action.
    pub release_api_calls: BTreeMap<String, u32>,
    pub errors: Vec<SourceError>,
}

#[derive(Debug, Serialize)]
pub struct ForkOut {
    pub branch: String,
    pub remote: String,
    pub head: String,
    pub dirty: bool,
    pub ahead: usize,
    pub behind: usize,
    pub fetch_error: Option<String>,
    /// When the remote was last fetched successfully (RFC 3339).
    pub last_fetch: Option<String>,
    /// Every tracked file with uncommitted changes.
    pub modified: Vec<String>,
    /// Pin commits the remote refused, each kept on a reference until retried or discarded.
    pub refused: Vec<RefusedPush>,
}

#[derive(Debug, Serialize)]
pub struct EnvOut {
    pub name: String,
    pub read_at: String,
    pub identity: Option<AwsIdentity>,
    pub identity_error: Option<ErrorOut>,
    pub pin: Option<Version>,
    pub pin_error: Option<String>,
    pub proposals: Vec<Proposal>,
    /// Set while the environment is frozen: pin and promote into it are refused.
    pub freeze: Option<Freeze>,
    /// Set while the pushed pin waits for the pipeline: no deployment of it has appeared.
    pub pipeline: Option<PipelineOut>,
    /// The pin's changes on the deploy branch, newest first: who, when, from which action,
    /// approved by whom.
    pub history: Vec<PinEvent>,
    /// Deployment groups as read: `latest` and `previous_success` deployments, live
    /// `target_percent`, `alias_routing` for idle aliases, `alarms`. Times are milliseconds
    /// since the epoch.
    pub groups: Vec<Target>,
    pub group_errors: Vec<GroupErrorOut>,
    pub provenance: Vec<ProvenanceOut>,
    /// The environment could not be read at all.
    pub error: Option<ErrorOut>,
    /// The API calls of this read, by IAM action.
    pub api_calls: BTreeMap<String, u32>,
}

#[derive(Debug, Serialize)]
pub struct PipelineOut {
    pub version: Version,
    /// When the pin commit was made (RFC 3339).
    pub pushed_at: String,
    /// No deployment appeared within the configured time (`pipeline_warning_minutes`): the
    /// pipeline may have failed.
    pub overdue: bool,
}

#[derive(Debug, Serialize)]
pub struct GroupErrorOut {
    pub group: String,
    pub error: ErrorOut,
}

#[derive(Debug, Serialize)]
pub struct ProvenanceOut {
    #[serde(flatten)]
    pub code: ServingCode,
    #[serde(flatten)]
    pub check: Provenance,
}

/// `pipeline_warning`: how long a pushed pin may wait for its deployment before it is overdue.
pub fn build(s: &Reads, pipeline_warning: Duration) -> StatusReport {
    let versions = super::versions::build(s);
    let releases = s.releases.result.as_ref().cloned().unwrap_or_default();
    let fork = s.fork.result.as_ref().ok();
    let environments = s
        .environments
        .iter()
        .map(|name| {
            let read = &s.rollouts[name];
            let pin = fork.and_then(|f| f.pins.iter().find(|p| &p.env == name));
            let identity = s.identities.get(name);
            let (groups, group_errors, provenance, api_calls, error) = match &read.result {
                Ok(r) => (
                    r.targets.clone(),
                    r.group_errors
                        .iter()
                        .map(|g| GroupErrorOut {
                            group: g.group.clone(),
                            error: (&g.error).into(),
                        })
                        .collect(),
                    r.serving_code
                        .iter()
                        .map(|c| ProvenanceOut {
                            code: c.clone(),
                            check: provenance::check(c, &releases),
                        })
                        .collect(),
                    r.api_calls.clone(),
                    None,
                ),
                Err(e) => (vec![], vec![], vec![], BTreeMap::new(), Some(e.into())),
            };
            let pipeline = pin
                .and_then(|p| p.pipeline_wait(&groups, read.requested_at, pipeline_warning))
                .map(|w| PipelineOut {
                    version: w.version,
                    pushed_at: super::time(w.pushed_at),
                    overdue: w.overdue,
                });
            EnvOut {
                pipeline,
                name: name.clone(),
                read_at: super::time(read.requested_at),
                identity: identity.and_then(|i| i.as_ref().ok()).cloned(),
                identity_error: identity.and_then(|i| i.as_ref().err()).map(Into::into),
                pin: pin.and_then(|p| p.version.as_ref().ok()).cloned(),
                pin_error: pin.and_then(|p| p.version.as_ref().err()).cloned(),
                proposals: fork
                    .map(|f| {
                        f.proposals
                            .iter()
                            .filter(|p| &p.env == name)
                            .cloned()
                            .collect()
                    })
                    .unwrap_or_default(),
                freeze: fork
                    .and_then(|f| f.freezes.as_ref().ok())
                    .and_then(|l| l.of(name))
                    .cloned(),
                history: fork
                    .map(|f| {
                        f.history
                            .iter()
                            .filter(|e| &e.env == name)
                            .cloned()
                            .collect()
                    })
                    .unwrap_or_default(),
                groups,
                group_errors,
                provenance,
                error,
                api_calls,
            }
        })
        .collect();
    StatusReport {
        schema: SCHEMA,
        fork: fork.map(|f| ForkOut {
            branch: f.branch.clone(),
            remote: f.remote.clone(),
            head: f.head.clone(),
            dirty: f.dirty,
            ahead: f.ahead,
            behind: f.behind,
            fetch_error: f.fetch_error.clone(),
            last_fetch: f.last_fetch.map(super::time),
            modified: f.modified.clone(),
            refused: f.refused.clone(),
        }),
        environments,
        release_api_calls: s.release_calls.clone(),
        errors: versions
            .errors
            .into_iter()
            .filter(|e| !e.source.starts_with("env:"))
            .collect(),
    }
}

/// The report as a person reads it.
pub fn text(r: &StatusReport) -> String {
    let mut out = String::new();
    if let Some(f) = &r.fork {
        out += &format!(
            "fork {}@{} · {} · ahead {} behind {}\n",
            f.branch,
            f.head,
            if f.dirty { "dirty" } else { "clean" },
            f.ahead,
            f.behind
        );
    }
    for e in &r.environments {
        out += &format!(
            "\n{}  pin {}{}\n",
            e.name,
            e.pin.as_ref().map(|v| v.as_str()).unwrap_or("?"),
            e.identity
                .as_ref()
                .map(|i| format!("  as {}", i.arn))
                .unwrap_or_default()
        );
        if let Some(f) = &e.freeze {
            out += &format!("  FROZEN: {}\n", f.describe());
        }
        if let Some(err) = &e.pin_error {
            out += &format!("  pin error: {err}\n");
        }
        if let Some(w) = &e.pipeline {
            out += &if w.overdue {
                format!(
                    "  NO DEPLOYMENT of {} since its push at {}: check the pipeline\n",
                    w.version, w.pushed_at
                )
            } else {
                format!(
                    "  pipeline not started: {} pushed at {}, no deployment yet\n",
                    w.version, w.pushed_at
                )
            };
        }
        for p in &e.proposals {
            out += &format!(
                "  proposal {} by {} on {}\n",
                p.version, p.proposer, p.branch
            );
        }
        for t in &e.groups {
            out += &format!("  {}\n", group_line(t));
            for a in &t.alarms {
                out += &format!("    alarm {} {:?}: {}\n", a.name, a.state, a.reason);
            }
        }
        for p in &e.provenance {
            let what = match &p.check {
                Provenance::Verified { artifact } => format!("signed artifact {artifact}"),
                Provenance::NotSignedArtifact { reason } => {
                    format!("NOT THE SIGNED ARTIFACT: {reason}")
                }
                Provenance::Unknown { reason } => format!("provenance unknown: {reason}"),
            };
            out += &format!("  code {}:{} {what}\n", p.code.function, p.code.number);
        }
        for g in &e.group_errors {
            out += &format!("  error in {}: {}\n", g.group, g.error.message);
        }
        if let Some(err) = &e.error {
            out += &format!("  error: {}\n", err.message);
            if let Some(h) = &err.hint {
                out += &format!("    hint: {h}\n");
            }
        }
        if let Some(err) = &e.identity_error
            && e.error.is_none()
        {
            out += &format!("  identity unknown: {}\n", err.message);
        }
    }
    for e in &r.errors {
        out += &format!("\nerror ({}): {}\n", e.source, e.error.message);
        if let Some(h) = &e.error.hint {
            out += &format!("  hint: {h}\n");
        }
    }
    out
}

fn group_line(t: &Target) -> String {
    let serving = t.serving().map(|v| v.label()).unwrap_or_else(|| "?".into());
    match &t.latest {
        Some(s) if s.status.is_active() => format!(
            "{} {:.0}% {} → {} ({} {})",
            t.group,
            s.target_percent,
            s.from.label(),
            s.to.label(),
            s.deployment_id,
            s.status.label()
        ),
        Some(s) => format!(
            "{} serving {serving} · last {} {} {} → {}",
            t.group,
            s.deployment_id,
            s.status.label(),
            s.from.label(),
            s.to.label()
        ),
        None => format!("{} serving {serving} · no deployments", t.group),
    }
}
