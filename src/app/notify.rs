//! What deserves a bell or a desktop notification, found by comparing a read with the one
//! before it: an alarm that fires, a shift that succeeds, fails or is rolled back, a manual gate
//! that starts waiting, a proposal by someone else. Pure: `update` turns what is found into
//! `Effect::Notify`, and the terminal layer writes it.

use std::collections::BTreeSet;

use serde::Deserialize;

use crate::domain::rollout::{AlarmState, DeploymentStatus, Target};
use crate::ports::{EnvRollout, ForkStatus, Identity};

/// How one kind of event is announced.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// The terminal bell and a desktop notification.
    #[default]
    Both,
    Bell,
    Desktop,
    Off,
}

impl Channel {
    pub fn bell(self) -> bool {
        matches!(self, Channel::Both | Channel::Bell)
    }

    pub fn desktop(self) -> bool {
        matches!(self, Channel::Both | Channel::Desktop)
    }
}

/// `[ui.notify]`: a channel per kind of event; every key may be left out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NotifyConfig {
    pub alarm: Channel,
    pub shift_succeeded: Channel,
    pub shift_failed: Channel,
    pub rolled_back: Channel,
    pub gate_waiting: Channel,
    pub proposal: Channel,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Alarm,
    ShiftSucceeded,
    ShiftFailed,
    RolledBack,
    GateWaiting,
    Proposal,
}

impl NotifyConfig {
    pub fn channel(&self, kind: Kind) -> Channel {
        match kind {
            Kind::Alarm => self.alarm,
            Kind::ShiftSucceeded => self.shift_succeeded,
            Kind::ShiftFailed => self.shift_failed,
            Kind::RolledBack => self.rolled_back,
            Kind::GateWaiting => self.gate_waiting,
            Kind::Proposal => self.proposal,
        }
    }
}

/// One thing that happened, with a key that names it for good (a deployment, an alarm change,
/// a proposal commit) so that it is announced once however often it is read again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub kind: Kind,
    pub env: String,
    /// What it concerns: a group, or an alarm in a group.
    pub subject: String,
    pub key: String,
}

/// What the terminal is asked to do for one announcement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notification {
    pub bell: bool,
    /// Title and body of a desktop notification.
    pub desktop: Option<(String, String)>,
}

/// Events between two reads of an environment's deployments; none on the first read, which
/// shows how things are rather than what just happened.
pub fn rollout_events(env: &str, old: Option<&EnvRollout>, new: &EnvRollout) -> Vec<Event> {
    let Some(old) = old else {
        return Vec::new();
    };
    let mut events = Vec::new();
    for t in &new.targets {
        let before = old.targets.iter().find(|o| o.group == t.group);
        target_events(env, before, t, &mut events);
    }
    events
}

fn target_events(env: &str, old: Option<&Target>, new: &Target, events: &mut Vec<Event>) {
    let mut push = |kind, subject: String, key: String| {
        events.push(Event {
            kind,
            env: env.to_string(),
            subject,
            key,
        })
    };
    for alarm in new.alarms.iter().filter(|a| a.state == AlarmState::Alarm) {
        let was_firing = old
            .and_then(|o| o.alarms.iter().find(|a| a.name == alarm.name))
            .is_some_and(|a| a.state == AlarmState::Alarm);
        if !was_firing {
            push(
                Kind::Alarm,
                format!("{} {}", new.group, alarm.name),
                format!("alarm {env} {} {}", alarm.name, alarm.updated_at.millis()),
            );
        }
    }
    let Some(shift) = &new.latest else { return };
    let before = old
        .and_then(|o| o.latest.as_ref())
        .filter(|s| s.deployment_id == shift.deployment_id);
    let was_active = before.is_none_or(|s| s.status.is_active());
    let ended = match shift.status {
        _ if shift.rollback.is_some() && before.is_none_or(|s| s.rollback.is_none()) => {
            Some(Kind::RolledBack)
        }
        DeploymentStatus::Succeeded if was_active => Some(Kind::ShiftSucceeded),
        DeploymentStatus::Failed | DeploymentStatus::Stopped
            if was_active && shift.rollback.is_none() =>
        {
            Some(Kind::ShiftFailed)
        }
        _ => None,
    };
    // A deployment that started and ended between two reads counts too; in a group not read
    // before, what ended happened before shiftdeck looked.
    if let Some(kind) = ended.filter(|_| old.is_some()) {
        push(
            kind,
            new.group.clone(),
            format!("{kind:?} {}", shift.deployment_id),
        );
    }
    if let Some(gate) = &shift.gate {
        let was_waiting = before
            .and_then(|s| s.gate.as_ref())
            .is_some_and(|g| g.execution_id == gate.execution_id);
        if !was_waiting {
            push(
                Kind::GateWaiting,
                new.group.clone(),
                format!("gate {}", gate.execution_id),
            );
        }
    }
}

/// Proposals by someone other than `me` that were not there at the previous read.
pub fn proposal_events(
    old: Option<&ForkStatus>,
    new: &ForkStatus,
    me: Option<&Identity>,
) -> Vec<Event> {
    let Some(old) = old else {
        return Vec::new();
    };
    new.proposals
        .iter()
        .filter(|p| !old.proposals.iter().any(|o| o.commit == p.commit))
        .filter(|p| me.is_none_or(|me| !me.email.eq_ignore_ascii_case(&p.proposer.email)))
        .map(|p| Event {
            kind: Kind::Proposal,
            env: p.env.clone(),
            subject: format!("{} by {}", p.version, p.proposer.name),
            key: format!("proposal {}", p.commit),
        })
        .collect()
}

/// One announcement per environment and kind for the events not announced before (recorded in
/// `announced`), each as its kind's channel says.
pub fn announce(
    events: Vec<Event>,
    config: &NotifyConfig,
    announced: &mut BTreeSet<String>,
) -> Vec<Notification> {
    let mut fresh: Vec<Event> = events
        .into_iter()
        .filter(|e| announced.insert(e.key.clone()))
        .collect();
    fresh.sort_by(|a, b| (a.kind, &a.env).cmp(&(b.kind, &b.env)));
    let mut out = Vec::new();
    for group in fresh.chunk_by(|a, b| a.kind == b.kind && a.env == b.env) {
        let channel = config.channel(group[0].kind);
        if channel == Channel::Off {
            continue;
        }
        let subjects: Vec<&str> = group.iter().map(|e| e.subject.as_str()).collect();
        let env = &group[0].env;
        let what = match group[0].kind {
            Kind::Alarm => "ALARM",
            Kind::ShiftSucceeded => "shift succeeded",
            Kind::ShiftFailed => "shift failed",
            Kind::RolledBack => "rolled back",
            Kind::GateWaiting => "manual gate waiting",
            Kind::Proposal => "proposal to approve",
        };
        out.push(Notification {
            bell: channel.bell(),
            desktop: channel
                .desktop()
                .then(|| (format!("shiftdeck: {env} {what}"), subjects.join(", "))),
        });
    }
    out
}
