//! `shiftdeck versions`: every version in the release repository with its status, and where it
//! is pinned and serving.

use std::collections::BTreeMap;

use serde::Serialize;

use super::ErrorOut;
use crate::domain::release::ReleaseStatus;
use crate::domain::version::Version;
use crate::ops::reads::Reads;

pub const SCHEMA: &str = "shiftdeck.versions/1";

#[derive(Debug, Serialize)]
pub struct VersionsReport {
    pub schema: &'static str,
    pub read_at: String,
    pub versions: Vec<VersionRow>,
    /// The calls of the release repository's read, by IAM action.
    pub api_calls: BTreeMap<String, u32>,
    /// Reads that failed: the release repository, the fork, an environment.
    pub errors: Vec<SourceError>,
}

#[derive(Debug, Serialize)]
pub struct VersionRow {
    pub version: Version,
    /// verified, unsigned, bad_signature, checksum_mismatch or yanked.
    pub status: &'static str,
    /// The reason behind a status other than verified (yank reason, failed check).
    pub detail: Option<String>,
    pub prerelease: bool,
    pub released_at: Option<String>,
    pub notes: Option<String>,
    pub pinned_in: Vec<String>,
    pub serving_in: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct SourceError {
    /// `releases`, `fork` or `env:NAME`.
    pub source: String,
    pub error: ErrorOut,
}

pub fn build(s: &Reads) -> VersionsReport {
    let mut errors = Vec::new();
    if let Err(e) = &s.releases.result {
        errors.push(SourceError {
            source: "releases".into(),
            error: e.into(),
        });
    }
    if let Err(e) = &s.fork.result {
        errors.push(SourceError {
            source: "fork".into(),
            error: e.into(),
        });
    }
    for (env, r) in &s.rollouts {
        if let Err(e) = &r.result {
            errors.push(SourceError {
                source: format!("env:{env}"),
                error: e.into(),
            });
        }
    }
    let mut releases = s.releases.result.as_ref().cloned().unwrap_or_default();
    releases.sort_by(|a, b| b.version.cmp(&a.version));
    let versions = releases
        .into_iter()
        .map(|r| {
            let pinned_in = s
                .fork
                .result
                .as_ref()
                .map(|f| {
                    f.pins
                        .iter()
                        .filter(|p| p.version.as_ref().ok() == Some(&r.version))
                        .map(|p| p.env.clone())
                        .collect()
                })
                .unwrap_or_default();
            let serving_in = s
                .environments
                .iter()
                .filter(|env| {
                    s.rollouts[*env].result.as_ref().is_ok_and(|roll| {
                        roll.targets.iter().any(|t| {
                            t.serving()
                                .and_then(|v| v.release.as_ref())
                                .is_some_and(|v| *v == r.version)
                        })
                    })
                })
                .cloned()
                .collect();
            VersionRow {
                prerelease: r.version.is_prerelease(),
                status: status_key(&r.status),
                detail: detail(&r.status),
                version: r.version,
                released_at: r.released_at,
                notes: r.notes,
                pinned_in,
                serving_in,
            }
        })
        .collect();
    VersionsReport {
        schema: SCHEMA,
        read_at: super::time(s.releases.requested_at),
        versions,
        api_calls: s.release_calls.clone(),
        errors,
    }
}

pub fn status_key(s: &ReleaseStatus) -> &'static str {
    match s {
        ReleaseStatus::Verified => "verified",
        ReleaseStatus::Unsigned => "unsigned",
        ReleaseStatus::BadSignature(_) => "bad_signature",
        ReleaseStatus::ChecksumMismatch(_) => "checksum_mismatch",
        ReleaseStatus::Yanked(_) => "yanked",
    }
}

fn detail(s: &ReleaseStatus) -> Option<String> {
    match s {
        ReleaseStatus::Verified | ReleaseStatus::Unsigned => None,
        ReleaseStatus::BadSignature(d)
        | ReleaseStatus::ChecksumMismatch(d)
        | ReleaseStatus::Yanked(d) => Some(d.clone()),
    }
}

/// One line a version, as a person reads it.
pub fn text(r: &VersionsReport) -> String {
    let mut out = String::new();
    for v in &r.versions {
        let mut line = format!(
            "{:<14} {:<18}",
            v.version.as_str(),
            v.status.replace('_', " ")
        );
        if !v.pinned_in.is_empty() {
            line += &format!(" pinned in {}", v.pinned_in.join(", "));
        }
        if !v.serving_in.is_empty() {
            line += &format!(" · serving in {}", v.serving_in.join(", "));
        }
        if let Some(d) = &v.detail {
            line += &format!(" · {d}");
        }
        out += line.trim_end();
        out.push('\n');
    }
    for e in &r.errors {
        out += &format!("error ({}): {}\n", e.source, e.error.message);
        if let Some(h) = &e.error.hint {
            out += &format!("  hint: {h}\n");
        }
    }
    out
}
