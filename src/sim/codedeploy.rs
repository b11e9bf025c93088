//! One CodeDeploy deployment of a Lambda alias, moved from event to event on the virtual clock:
//! Created → InProgress → Succeeded / Failed / Stopped, with BeforeAllowTraffic, AllowTraffic
//! (the schedule's steps) and AfterAllowTraffic.

use std::time::Duration;

use crate::domain::rollout::{
    DeploymentStatus, EventStatus, LambdaVersion, LifecycleEvent, ManualGate, Rollback, Shift,
};
use crate::domain::schedule::DeploymentConfig;
use crate::domain::time::Timestamp;

/// CodeDeploy takes a moment between accepting a deployment and starting it.
pub const START_DELAY: Duration = Duration::from_secs(5);

/// A lifecycle hook that has not reported by then fails, as in AWS.
pub const HOOK_TIMEOUT: Duration = Duration::from_secs(3600);

/// What runs at a lifecycle hook.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hook {
    /// A validation function that reports Succeeded after `takes`.
    Check { takes: Duration },
    /// A function that records its execution id and waits for someone to answer it.
    ManualGate,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Hooks {
    pub before: Option<Hook>,
    pub after: Option<Hook>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Created,
    Hook {
        event: LifecycleEvent,
        hook: Hook,
        since: Timestamp,
    },
    /// Traffic is shifting; `step` indexes the schedule step in force.
    Traffic {
        step: usize,
    },
    Done,
}

#[derive(Clone, Debug)]
pub struct Deployment {
    shift: Shift,
    hooks: Hooks,
    phase: Phase,
}

impl Deployment {
    pub fn new(
        id: String,
        config: DeploymentConfig,
        from: LambdaVersion,
        to: LambdaVersion,
        hooks: Hooks,
        at: Timestamp,
        is_rollback_redeploy: bool,
    ) -> Self {
        let events = [
            LifecycleEvent::BeforeAllowTraffic,
            LifecycleEvent::AllowTraffic,
            LifecycleEvent::AfterAllowTraffic,
        ]
        .map(|e| (e, EventStatus::Pending))
        .to_vec();
        Self {
            shift: Shift {
                deployment_id: id,
                status: DeploymentStatus::Created,
                config,
                from,
                to,
                created_at: at,
                traffic_started_at: None,
                completed_at: None,
                target_percent: 0.0,
                events,
                gate: None,
                rollback: None,
                is_rollback_redeploy,
            },
            hooks,
            phase: Phase::Created,
        }
    }

    pub fn shift(&self) -> &Shift {
        &self.shift
    }

    pub fn id(&self) -> &str {
        &self.shift.deployment_id
    }

    pub fn is_active(&self) -> bool {
        self.shift.status.is_active()
    }

    /// When this deployment next changes on its own, if it still will.
    pub fn next_at(&self) -> Option<Timestamp> {
        match self.phase {
            Phase::Created => Some(self.shift.created_at.plus(START_DELAY)),
            Phase::Hook { hook, since, .. } => Some(since.plus(match hook {
                Hook::Check { takes } => takes,
                Hook::ManualGate => HOOK_TIMEOUT,
            })),
            Phase::Traffic { step } => {
                let next = self.shift.config.steps().get(step + 1)?.at;
                Some(self.shift.traffic_started_at?.plus(next))
            }
            Phase::Done => None,
        }
    }

    /// Carries out the change that `next_at` announced for `at`; `execution_id` names a manual
    /// gate should one open.
    pub fn step(&mut self, at: Timestamp, execution_id: impl FnOnce() -> String) {
        match self.phase {
            Phase::Created => {
                self.shift.status = DeploymentStatus::InProgress;
                self.enter_hook(LifecycleEvent::BeforeAllowTraffic, at, execution_id);
            }
            Phase::Hook {
                event,
                hook: Hook::Check { .. },
                ..
            } => {
                self.set_event(event, EventStatus::Succeeded);
                self.after_hook(event, at, execution_id);
            }
            Phase::Hook {
                event,
                hook: Hook::ManualGate,
                ..
            } => {
                self.set_event(event, EventStatus::Failed);
                self.fail(at, format!("the {event:?} hook timed out after one hour"));
            }
            Phase::Traffic { step } => self.shift_traffic(step + 1, at, execution_id),
            Phase::Done => {}
        }
    }

    /// `PutLifecycleEventHookExecutionStatus` for the gate this deployment waits at;
    /// `next_execution_id` names a gate that opens after it.
    pub fn answer_gate(
        &mut self,
        execution_id: &str,
        succeeded: bool,
        at: Timestamp,
        next_execution_id: impl FnOnce() -> String,
    ) -> Result<(), String> {
        let waiting = self.shift.gate.as_ref().map(|g| g.execution_id.as_str());
        let Phase::Hook { event, .. } = self.phase else {
            return Err(self.no_gate(execution_id));
        };
        if waiting != Some(execution_id) {
            return Err(self.no_gate(execution_id));
        }
        self.shift.gate = None;
        if succeeded {
            self.set_event(event, EventStatus::Succeeded);
            self.after_hook(event, at, next_execution_id);
        } else {
            self.set_event(event, EventStatus::Failed);
            self.fail(at, format!("the {event:?} manual gate was answered Failed"));
        }
        Ok(())
    }

    fn no_gate(&self, execution_id: &str) -> String {
        match &self.shift.gate {
            Some(g) => format!(
                "deployment {} waits at hook execution {}, not {execution_id}",
                self.id(),
                g.execution_id
            ),
            None => format!(
                "deployment {} ({}) is not waiting at a lifecycle hook, so there is no hook execution {execution_id} to answer",
                self.id(),
                self.shift.status.label()
            ),
        }
    }

    /// Returns all traffic to the old version and ends the deployment, as CodeDeploy's automatic
    /// rollback and `StopDeployment` with auto-rollback do.
    pub fn roll_back(&mut self, at: Timestamp, status: DeploymentStatus, reason: String) {
        let running = if status == DeploymentStatus::Stopped {
            EventStatus::Skipped
        } else {
            EventStatus::Failed
        };
        self.end(at, status, running);
        self.shift.rollback = Some(Rollback { reason, at });
    }

    fn fail(&mut self, at: Timestamp, reason: String) {
        // Auto-rollback on failure only has something to undo once traffic has moved.
        let moved = self.shift.traffic_started_at.is_some();
        self.end(at, DeploymentStatus::Failed, EventStatus::Failed);
        if moved {
            self.shift.rollback = Some(Rollback { reason, at });
        }
    }

    fn end(&mut self, at: Timestamp, status: DeploymentStatus, running: EventStatus) {
        for (_, s) in &mut self.shift.events {
            *s = match *s {
                EventStatus::InProgress => running,
                EventStatus::Pending => EventStatus::Skipped,
                done => done,
            };
        }
        self.shift.status = status;
        self.shift.target_percent = 0.0;
        self.shift.gate = None;
        self.shift.completed_at = Some(at);
        self.phase = Phase::Done;
    }

    fn enter_hook(
        &mut self,
        event: LifecycleEvent,
        at: Timestamp,
        execution_id: impl FnOnce() -> String,
    ) {
        let hook = match event {
            LifecycleEvent::BeforeAllowTraffic => self.hooks.before,
            _ => self.hooks.after,
        };
        let Some(hook) = hook else {
            self.set_event(event, EventStatus::Skipped);
            return self.after_hook(event, at, execution_id);
        };
        self.set_event(event, EventStatus::InProgress);
        if hook == Hook::ManualGate {
            self.shift.gate = Some(ManualGate {
                event,
                execution_id: execution_id(),
                waiting_since: at,
            });
        }
        self.phase = Phase::Hook {
            event,
            hook,
            since: at,
        };
    }

    fn after_hook(
        &mut self,
        event: LifecycleEvent,
        at: Timestamp,
        execution_id: impl FnOnce() -> String,
    ) {
        if event == LifecycleEvent::BeforeAllowTraffic {
            self.set_event(LifecycleEvent::AllowTraffic, EventStatus::InProgress);
            self.shift.traffic_started_at = Some(at);
            self.shift_traffic(0, at, execution_id);
        } else {
            self.shift.status = DeploymentStatus::Succeeded;
            self.shift.completed_at = Some(at);
            self.phase = Phase::Done;
        }
    }

    /// Moves the alias to schedule step `step`; the last step completes AllowTraffic.
    fn shift_traffic(&mut self, step: usize, at: Timestamp, execution_id: impl FnOnce() -> String) {
        let percent = self
            .shift
            .config
            .steps()
            .get(step)
            .map_or(100, |s| s.percent);
        self.shift.target_percent = f64::from(percent);
        self.phase = Phase::Traffic { step };
        if percent >= 100 {
            self.set_event(LifecycleEvent::AllowTraffic, EventStatus::Succeeded);
            self.enter_hook(LifecycleEvent::AfterAllowTraffic, at, execution_id);
        }
    }

    fn set_event(&mut self, event: LifecycleEvent, status: EventStatus) {
        if let Some((_, s)) = self.shift.events.iter_mut().find(|(e, _)| *e == event) {
            *s = status;
        }
    }

    /// The alias as this deployment leaves it: the version holding the rest of the traffic and
    /// the new version with its share, while it is split.
    pub fn routing(&self) -> (&LambdaVersion, Option<(&LambdaVersion, f64)>) {
        let s = &self.shift;
        match s.status {
            DeploymentStatus::Succeeded => (&s.to, None),
            status if status.is_active() && s.target_percent >= 100.0 => (&s.to, None),
            status if status.is_active() && s.target_percent > 0.0 => {
                (&s.from, Some((&s.to, s.target_percent / 100.0)))
            }
            _ => (&s.from, None),
        }
    }
}
