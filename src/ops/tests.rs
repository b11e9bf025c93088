//! The rules, tested on snapshots built by hand: each refusal kind, and the plans that pass.

use std::collections::BTreeMap;

use super::fixtures::{fork, me, release, rollout, shift, stage, v};
use super::*;
use crate::domain::env::EnvName;
use crate::domain::release::ReleaseStatus;
use crate::domain::rollout::{DeploymentStatus, RollbackPlan};
use crate::domain::time::Timestamp;
use crate::ports::{EnvRollout, ForkStatus, Identity, Proposal};

struct World {
    releases: Vec<crate::domain::release::Release>,
    fork: ForkStatus,
    rollouts: BTreeMap<String, EnvRollout>,
    identity: Identity,
    read_only: bool,
}

impl World {
    fn new() -> Self {
        Self {
            releases: vec![
                release("v1.2.0", ReleaseStatus::Verified),
                release("v1.3.0", ReleaseStatus::Verified),
                release("v1.4.0", ReleaseStatus::Unsigned),
                release("v1.5.0", ReleaseStatus::BadSignature("forged".into())),
            ],
            fork: fork(&[("dev", "v1.3.0"), ("prod", "v1.2.0")]),
            rollouts: [
                (
                    "dev".to_string(),
                    rollout(
                        "dev",
                        Some(shift(
                            "d-1",
                            "v1.2.0",
                            "v1.3.0",
                            DeploymentStatus::Succeeded,
                        )),
                    ),
                ),
                ("prod".to_string(), rollout("prod", None)),
            ]
            .into(),
            identity: me(),
            read_only: false,
        }
    }

    fn snapshot(&self) -> Snapshot<'_> {
        Snapshot {
            stages: vec![stage("dev", false), stage("prod", true)],
            releases: Some(&self.releases),
            fork: Some(&self.fork),
            rollouts: self
                .rollouts
                .iter()
                .map(|(k, r)| (k.as_str(), Ok(r)))
                .collect(),
            identity: Some(&self.identity),
            read_only: self.read_only,
            busy: None,
            now: Timestamp(0),
            failure_window: failures::DEFAULT_WINDOW,
        }
    }

    fn plan(&self, intent: Intent) -> Result<Planned, Refusal> {
        plan(&self.snapshot(), &intent)
    }
}

fn env(name: &str) -> EnvName {
    EnvName::new(name)
}

fn pin(e: &str, version: &str) -> Intent {
    Intent::Pin {
        env: env(e),
        version: v(version),
        override_check: false,
    }
}

fn refused(r: Result<Planned, Refusal>) -> Refusal {
    r.expect_err("expected a refusal")
}

#[test]
fn promote_carries_the_pin_to_the_next_environment_as_a_proposal_when_it_needs_approval() {
    let w = World::new();
    let planned = w
        .plan(Intent::Promote {
            from: env("dev"),
            to: None,
            override_check: false,
        })
        .unwrap();
    let Plan::Promote {
        env,
        from,
        to,
        as_proposal,
        action,
        ..
    } = &planned.plan
    else {
        panic!("{planned:?}")
    };
    assert_eq!(
        (env.as_str(), from.as_ref(), to),
        ("prod", Some(&v("v1.2.0")), &v("v1.3.0"))
    );
    assert!(*as_proposal);
    assert_eq!(*action, crate::domain::audit::ActionKind::Promote);
    assert_eq!(planned.needs, Needs::default());
}

#[test]
fn each_rule_refuses_with_its_kind() {
    let mut w = World::new();
    let kind = |w: &World, i: Intent| refused(w.plan(i)).kind;
    assert_eq!(
        kind(&w, pin("qa", "v1.2.0")),
        RefusalKind::UnknownEnvironment
    );
    assert_eq!(kind(&w, pin("dev", "v9.9.9")), RefusalKind::UnknownVersion);
    assert_eq!(kind(&w, pin("dev", "v1.4.0")), RefusalKind::Unverified);
    assert_eq!(kind(&w, pin("dev", "v1.5.0")), RefusalKind::NotOverridable);
    assert_eq!(kind(&w, pin("dev", "v1.3.0")), RefusalKind::NothingToDo);
    assert_eq!(
        kind(
            &w,
            Intent::Promote {
                from: env("prod"),
                to: None,
                override_check: false
            }
        ),
        RefusalKind::NothingToDo
    );
    assert_eq!(
        kind(&w, Intent::Approve { env: env("prod") }),
        RefusalKind::NothingToDo
    );
    w.fork.dirty = true;
    assert_eq!(kind(&w, pin("dev", "v1.2.0")), RefusalKind::DirtyFork);
    w.fork.dirty = false;
    w.fork.ahead = 1;
    assert_eq!(kind(&w, pin("dev", "v1.2.0")), RefusalKind::DivergedFork);
    w.fork.ahead = 0;
    w.rollouts.insert(
        "dev".into(),
        rollout(
            "dev",
            Some(shift(
                "d-2",
                "v1.2.0",
                "v1.3.0",
                DeploymentStatus::InProgress,
            )),
        ),
    );
    assert_eq!(kind(&w, pin("dev", "v1.2.0")), RefusalKind::Shifting);
    assert_eq!(
        kind(
            &w,
            Intent::Promote {
                from: env("dev"),
                to: None,
                override_check: false
            }
        ),
        RefusalKind::Shifting
    );
    w.read_only = true;
    assert_eq!(kind(&w, pin("dev", "v1.2.0")), RefusalKind::ReadOnly);
}

#[test]
fn an_unknown_version_names_the_nearest_that_exist() {
    let r = refused(World::new().plan(pin("dev", "v1.3.1")));
    assert_eq!(
        r.hint.as_deref(),
        Some("versions near it: v1.3.0, v1.4.0, v1.2.0")
    );
}

#[test]
fn an_override_needs_a_reason_that_goes_into_the_commit() {
    let w = World::new();
    let planned = w
        .plan(Intent::Pin {
            env: env("dev"),
            version: v("v1.4.0"),
            override_check: true,
        })
        .unwrap();
    let why = planned.needs.override_of.clone().expect("an override");
    let short = planned.confirmed(None, Some("because")).unwrap_err();
    assert_eq!(short.kind, RefusalKind::NotConfirmed);
    assert!(short.message.contains("(7 given)"), "{}", short.message);
    let plan = planned
        .confirmed(None, Some("vendor confirmed by phone"))
        .unwrap();
    let Plan::Promote {
        override_reason, ..
    } = plan
    else {
        panic!()
    };
    assert_eq!(
        override_reason.as_deref(),
        Some(format!("Override: {why}\nReason: vendor confirmed by phone").as_str())
    );
}

#[test]
fn a_protected_rollback_needs_the_name_typed() {
    let mut w = World::new();
    w.rollouts.insert(
        "prod".into(),
        rollout(
            "prod",
            Some(shift(
                "d-9",
                "v1.2.0",
                "v1.3.0",
                DeploymentStatus::InProgress,
            )),
        ),
    );
    w.fork = fork(&[("dev", "v1.3.0"), ("prod", "v1.3.0")]);
    let planned = w
        .plan(Intent::Rollback {
            env: env("prod"),
            reason: Some("p99 doubled".into()),
        })
        .unwrap();
    assert_eq!(planned.needs.typed_name, Some(env("prod")));
    assert!(planned.confirmed(Some("dev"), None).is_err());
    let Plan::Rollback {
        steps,
        pin_revert,
        reason,
        ..
    } = planned.confirmed(Some("prod"), None).unwrap()
    else {
        panic!()
    };
    assert!(
        matches!(&steps[..], [(g, RollbackPlan::Stop { deployment_id, .. })] if g == "api" && deployment_id == "d-9")
    );
    assert_eq!(pin_revert, Some((v("v1.3.0"), v("v1.2.0"))));
    assert_eq!(reason, "p99 doubled");
}

#[test]
fn approving_ones_own_proposal_is_refused_whatever_the_case_of_the_email() {
    let mut w = World::new();
    w.fork.proposals.push(Proposal {
        env: "prod".into(),
        branch: "shiftdeck/proposal/prod".into(),
        version: v("v1.3.0"),
        proposer: Identity {
            name: "Ada L.".into(),
            email: "ADA@example.com".into(),
        },
        commit: "def5678".into(),
        current: true,
    });
    let r = refused(w.plan(Intent::Approve { env: env("prod") }));
    assert_eq!(r.kind, RefusalKind::SelfApproval);
    w.fork.proposals[0].proposer.email = "bob@example.com".into();
    assert!(matches!(
        w.plan(Intent::Approve { env: env("prod") }).unwrap().plan,
        Plan::ApproveProposal { .. }
    ));
    // A proposal on an older tip is approved by rebuilding it, and the plan says so.
    w.fork.proposals[0].current = false;
    let stale = w.plan(Intent::Approve { env: env("prod") }).unwrap();
    assert!(
        stale
            .details
            .iter()
            .any(|(l, v)| l == "rebuilt" && v.contains("if prod's pin there is still v1.2.0")),
        "{:?}",
        stale.details
    );
    // A rejection's reason is part of its confirmation: too short, it is refused there.
    let reject = w
        .plan(Intent::Reject {
            env: env("prod"),
            reason: "no".into(),
        })
        .unwrap();
    let short = reject.confirmed(None, Some("no")).unwrap_err();
    assert_eq!(short.kind, RefusalKind::NotConfirmed);
    assert!(matches!(
        w.plan(Intent::Reject {
            env: env("prod"),
            reason: "breaks the billing export".into()
        })
        .unwrap()
        .plan,
        Plan::RejectProposal { .. }
    ));
}

#[test]
fn a_failure_counts_against_a_version_only_within_the_window() {
    let mut w = World::new();
    let mut failed = shift("d-7", "v1.2.0", "v1.3.0", DeploymentStatus::Failed);
    failed.completed_at = Some(Timestamp(0));
    w.rollouts
        .insert("dev".into(), rollout("dev", Some(failed)));
    let promote = Intent::Promote {
        from: env("dev"),
        to: None,
        override_check: false,
    };
    let r = refused(w.plan(promote.clone()));
    assert_eq!(r.kind, RefusalKind::FailedUpstream);
    assert!(
        r.message
            .contains("v1.3.0 failed in dev (api, deployment d-7)"),
        "{}",
        r.message
    );
    // Three days and a minute later it no longer counts.
    let later = Timestamp((failures::DEFAULT_WINDOW.as_millis() + 60_000) as i64);
    let mut s = w.snapshot();
    s.now = later;
    assert!(plan(&s, &promote).is_ok());
}

#[test]
fn a_pin_change_lists_the_release_notes_of_every_version_it_crosses() {
    let mut w = World::new();
    w.releases.push(release(
        "v1.2.5",
        ReleaseStatus::Yanked("leaks sessions".into()),
    ));
    w.releases[1].notes = Some("faster\n cold starts".into());
    let promote = w
        .plan(Intent::Promote {
            from: env("dev"),
            to: None,
            override_check: false,
        })
        .unwrap();
    let notes: Vec<&(String, String)> = promote
        .details
        .iter()
        .skip_while(|(l, _)| l != "ships")
        .take(2)
        .collect();
    assert_eq!(
        notes,
        [
            &(
                "ships".to_string(),
                "v1.2.5 (yanked): (no release notes)".to_string()
            ),
            &(String::new(), "v1.3.0: faster cold starts".to_string()),
        ]
    );
    let back = w.plan(pin("dev", "v1.2.0")).unwrap();
    assert!(
        back.details.contains(&(
            "takes away".to_string(),
            "v1.2.5 (yanked): (no release notes)".to_string()
        )),
        "{:?}",
        back.details
    );
}

#[test]
fn a_frozen_environment_refuses_pins_and_promotions_but_not_rollback() {
    let mut w = World::new();
    w.fork.freezes = Ok(crate::ports::FreezeList {
        freezes: vec![crate::domain::freeze::Freeze {
            env: "prod".into(),
            reason: "quarter-end close".into(),
            by: "Dana <d@example.com>".into(),
            at: Timestamp(0),
        }],
        fetch_error: None,
    });
    let r = refused(w.plan(Intent::Promote {
        from: env("dev"),
        to: None,
        override_check: false,
    }));
    assert_eq!(r.kind, RefusalKind::Frozen);
    assert!(
        r.message.contains("prod is frozen by Dana"),
        "{}",
        r.message
    );
    assert_eq!(
        refused(w.plan(pin("prod", "v1.3.0"))).kind,
        RefusalKind::Frozen
    );
    // Unreadable freezes refuse too: a freeze must never be missed.
    w.fork.freezes = Err("no such ref".into());
    assert_eq!(
        refused(w.plan(pin("prod", "v1.3.0"))).kind,
        RefusalKind::NotRead
    );
}

#[test]
fn a_rollback_whose_lambda_versions_name_no_release_restores_the_pin_from_its_history() {
    let mut w = World::new();
    let mut running = shift("d-5", "v1.2.0", "v1.3.0", DeploymentStatus::InProgress);
    running.from.release = None;
    running.to.release = None;
    w.rollouts
        .insert("prod".into(), rollout("prod", Some(running)));
    w.fork = fork(&[("dev", "v1.3.0"), ("prod", "v1.3.0")]);
    w.fork.history.push(crate::ports::PinEvent {
        env: "prod".into(),
        from: Some("v1.2.0".into()),
        to: "v1.3.0".into(),
        commit: "c0ffee".into(),
        short: "c0ffee".into(),
        subject: "Pin prod to v1.3.0".into(),
        author: me(),
        at: Timestamp(0),
        action: Some("promote".into()),
        released_by: None,
        approved_by: None,
        trailers: Vec::new(),
    });
    let Plan::Rollback { pin_revert, .. } = w
        .plan(Intent::Rollback {
            env: env("prod"),
            reason: None,
        })
        .unwrap()
        .plan
    else {
        panic!()
    };
    assert_eq!(pin_revert, Some((v("v1.3.0"), v("v1.2.0"))));
}
