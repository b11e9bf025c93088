//! Planning a pin change: `pin ENV VERSION` and `promote FROM [TO]`.

use crate::domain::audit::ActionKind;
use crate::domain::commit_message::pin_commit_message;
use crate::domain::env::EnvName;
use crate::domain::version::Version;
use crate::ports::{ForkStatus, PROPOSAL_PREFIX};

use super::failures::failures_of;
use super::plan::{Needs, Plan, Planned};

const OVERRIDE_HINT: &str = "to pin it anyway, override with a reason (P in the cockpit, --override --reason \"…\" on the command line)";
use super::refusal::{Refusal, RefusalKind};
use super::snapshot::Snapshot;

/// Carries `from`'s pin to `to` (default: the next environment in the promotion order).
pub(super) fn promote(
    s: &Snapshot,
    from: &EnvName,
    to: Option<&EnvName>,
    override_check: bool,
) -> Result<Planned, Refusal> {
    let target = match to {
        Some(to) => {
            s.stage(to)?;
            let order = |n: &EnvName| s.stages.iter().position(|st| &st.name == n);
            if order(to) <= order(from) {
                return Err(Refusal::new(
                    RefusalKind::NothingToDo,
                    format!("{to} does not come after {from} in the promotion order"),
                )
                .hint(format!(
                    "pin a version in {to} directly with `shiftdeck pin {to} VERSION`"
                )));
            }
            to.clone()
        }
        None => s
            .next_stage(from)
            .map(|st| st.name.clone())
            .ok_or_else(|| {
                Refusal::new(
                    RefusalKind::NothingToDo,
                    format!("{from} is the last environment: there is nothing to promote it to"),
                )
            })?,
    };
    let version = s.pinned(from).ok_or_else(|| {
        Refusal::new(
            RefusalKind::NotRead,
            format!("the pin of {from} is not known"),
        )
        .hint("wait for the fork to be read, or fix the pin's locator (`shiftdeck doctor --local`)")
    })?;
    // A version still being canaried upstream has not proven itself yet.
    if let Some(shift) = s.active_shift(from) {
        return Err(Refusal::new(
            RefusalKind::Shifting,
            format!("{version} is still shifting in {from} ({shift})"),
        )
        .hint("promote it once that shift has succeeded"));
    }
    pin(s, &target, version, override_check, ActionKind::Promote)
}

/// Pins `version` in `env`, or proposes it there when the environment requires approval.
pub(super) fn pin(
    s: &Snapshot,
    env: &EnvName,
    version: &Version,
    override_check: bool,
    action: ActionKind,
) -> Result<Planned, Refusal> {
    let stage = s.stage(env)?;
    let fork = s.fork()?;
    if fork.dirty {
        return Err(Refusal::new(
            RefusalKind::DirtyFork,
            "the fork's work tree has uncommitted changes",
        )
        .hint("commit or stash them first (`git status` in the fork shows them)"));
    }
    if fork.ahead > 0 {
        return Err(Refusal::new(
            RefusalKind::DivergedFork,
            format!(
                "{} has {} commit(s) that are not on {} yet; shiftdeck pushes only its own commit",
                fork.branch, fork.ahead, fork.remote
            ),
        )
        .hint(format!(
            "push them first with `git push {} {}`, or drop them",
            fork.remote, fork.branch
        )));
    }
    let frozen_as_of = frozen_check(fork, env)?;
    let release = s.release(version)?;
    let mut overridden = Vec::new();
    match release.status.pinnable(version) {
        Ok(()) => {}
        Err(why) if !release.status.overridable() => {
            return Err(Refusal::new(RefusalKind::NotOverridable, why)
                .hint("this cannot be overridden: ask the vendor to publish the version again"));
        }
        Err(why) if !override_check => {
            return Err(Refusal::new(RefusalKind::Unverified, why).hint(OVERRIDE_HINT));
        }
        Err(why) => overridden.push(why),
    }
    let failures = failures_of(s, version, s.failure_window);
    if !failures.is_empty() {
        let lines: Vec<String> = failures.iter().map(|f| f.line(version)).collect();
        if !override_check {
            return Err(
                Refusal::new(RefusalKind::FailedUpstream, lines.join("; ")).hint(OVERRIDE_HINT)
            );
        }
        overridden.extend(lines);
    }
    let override_of = (!overridden.is_empty()).then(|| overridden.join("; "));
    let from = s.pinned(env).cloned();
    if from.as_ref() == Some(version) {
        return Err(Refusal::new(
            RefusalKind::NothingToDo,
            format!("{env} already pins {version}"),
        ));
    }
    if let Some(shift) = s.active_shift(env) {
        return Err(Refusal::new(
            RefusalKind::Shifting,
            format!("a shift is running in {env} ({shift})"),
        )
        .hint("wait for it to finish, or roll it back"));
    }
    let as_proposal = stage.requires_approval;
    // Proposing over a colleague's pending proposal would overwrite their branch unseen.
    let pending = fork.proposals.iter().find(|p| as_proposal && env == &p.env);
    if let Some(p) = pending.filter(|p| &p.version == version && p.current) {
        return Err(Refusal::new(
            RefusalKind::NothingToDo,
            format!(
                "{version} is already proposed for {env} by {}",
                p.proposer.name
            ),
        )
        .hint(format!(
            "someone other than {} approves it (a in the cockpit, `shiftdeck approve {env}`)",
            p.proposer.name
        )));
    }
    let identity = s
        .identity
        .map(|i| i.to_string())
        .unwrap_or_else(|| "(git identity)".into());
    let message = pin_commit_message(
        env.as_str(),
        from.as_ref(),
        version,
        action,
        as_proposal,
        None,
        &identity,
    );
    let push = if as_proposal {
        format!(
            "{} {PROPOSAL_PREFIX}{env} (awaits approval by someone else)",
            fork.remote
        )
    } else {
        format!("{} {} (fast-forward)", fork.remote, fork.branch)
    };
    let mut details = vec![
        ("environment".into(), env.to_string()),
        ("file".into(), stage.pin.clone()),
        (
            "change".into(),
            format!(
                "{} → {version}",
                from.as_ref()
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| "?".into())
            ),
        ),
        (
            "commit".into(),
            message.lines().next().unwrap_or_default().to_string(),
        ),
        (
            "trailers".into(),
            format!(
                "Shiftdeck-Action: {}, Released-by: {identity}",
                action.verb()
            ),
        ),
        ("push".into(), push),
    ];
    details.extend(changelog(s, from.as_ref(), version));
    if let Some(stale) = frozen_as_of {
        details.push(("freezes".into(), stale));
    }
    if fork.behind > 0 {
        details.push((
            "remote".into(),
            format!(
                "{}/{} has {} commit(s) your clone has not; the pin is built on its tip",
                fork.remote, fork.branch, fork.behind
            ),
        ));
    }
    if let Some(p) = pending {
        details.push((
            "replaces".into(),
            format!(
                "the pending proposal of {} by {} ({})",
                p.version,
                p.proposer.name,
                if p.current {
                    "its branch is overwritten"
                } else {
                    "it is based on an old tip"
                }
            ),
        ));
    }
    if let Some(why) = &override_of {
        details.push(("OVERRIDE".into(), why.clone()));
    }
    details.push((
        "then".into(),
        if as_proposal {
            "nothing deploys until the proposal is approved".into()
        } else {
            "the pipeline deploys it and CodeDeploy shifts the alias".into()
        },
    ));
    Ok(Planned {
        plan: Plan::Promote {
            env: env.clone(),
            action,
            from,
            to: version.clone(),
            file: stage.pin_file.clone(),
            as_proposal,
            message,
            override_reason: None,
            replaces_proposal: pending.map(|p| p.commit.clone()),
        },
        details,
        needs: Needs {
            typed_name: None,
            override_of,
            reason_for: None,
        },
    })
}

/// The release notes of every version the pin moves across, oldest first: what is about to
/// ship (or, going back, what is about to be taken away).
fn changelog(s: &Snapshot, from: Option<&Version>, to: &Version) -> Vec<(String, String)> {
    let (Some(releases), Some(from)) = (s.releases, from) else {
        return Vec::new();
    };
    let (low, high, label) = if to > from {
        (from, to, "ships")
    } else {
        (to, from, "takes away")
    };
    let mut crossed: Vec<_> = releases
        .iter()
        .filter(|r| &r.version > low && &r.version <= high)
        .collect();
    crossed.sort_by(|a, b| a.version.cmp(&b.version));
    crossed
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let notes = r
                .notes
                .as_deref()
                .map(|n| n.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "(no release notes)".into());
            let status = match r.status.label() {
                "verified" => String::new(),
                other => format!(" ({other})"),
            };
            (
                if i == 0 {
                    label.to_string()
                } else {
                    String::new()
                },
                format!("{}{status}: {notes}", r.version),
            )
        })
        .collect()
}

/// Refuses a pin into a frozen environment. `Ok(Some(..))`: not frozen as far as the last fetch
/// of the freeze ref knows, which failed this time (said in the plan).
fn frozen_check(fork: &ForkStatus, env: &EnvName) -> Result<Option<String>, Refusal> {
    let list = fork.freezes.as_ref().map_err(|e| {
        Refusal::new(
            RefusalKind::NotRead,
            format!("the freezes could not be read: {e}"),
        )
        .hint("a freeze might be missed, so nothing is pinned until they can be read")
    })?;
    if let Some(f) = list.of(env.as_str()) {
        return Err(
            Refusal::new(RefusalKind::Frozen, format!("{env} is {}", f.describe())).hint(format!(
                "rollback stays allowed; when it is over, lift it with `shiftdeck unfreeze {env}`"
            )),
        );
    }
    Ok(list.fetch_error.as_ref().map(|e| {
        format!("none known, as of the last fetch of the freeze ref (this one failed: {e})")
    }))
}
