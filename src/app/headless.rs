//! Drives `update` and the effects it asks for without a terminal, one effect after another, so
//! tests and benchmarks see exactly what the cockpit would do, deterministically.

use std::collections::VecDeque;

use super::action::{Action, Command, Effect, Now};
use super::runner::{World, execute};
use super::state::State;

/// Looks at the state as a frame would show it and reports what a terminal would report back
/// (how the open overlay was laid out).
pub type Look = Box<dyn Fn(&State) -> Option<Action> + Send + Sync>;

pub struct Headless {
    pub world: World,
    pub state: State,
    /// Without a look, no overlay has ever been on screen: a confirm modal then refuses Enter.
    pub look: Option<Look>,
}

impl Headless {
    pub fn new(world: World, state: State) -> Self {
        Self {
            world,
            state,
            look: None,
        }
    }

    /// Applies `action`, then runs every effect it causes (and every effect those results
    /// cause) to completion.
    pub async fn dispatch(&mut self, action: Action) {
        let mut pending: VecDeque<Action> = VecDeque::from([action]);
        while let Some(action) = pending.pop_front() {
            for effect in super::update::update(&mut self.state, action) {
                if effect == Effect::Quit {
                    continue;
                }
                if let Some(result) = execute(&self.world, effect).await {
                    pending.push_back(result);
                }
            }
            // As the terminal loop does: the frame is drawn, and what it laid out comes first.
            if let Some(seen) = self.look.as_ref().and_then(|look| look(&self.state)) {
                pending.push_front(seen);
            }
        }
    }

    pub async fn press(&mut self, command: Command) {
        self.dispatch(Action::Command(command)).await;
    }

    pub async fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.dispatch(Action::Char(c)).await;
        }
    }

    /// Sets the clock to the world's time and runs the refreshes that are due.
    pub async fn tick(&mut self) {
        let now = self.world.ports.clock.now();
        self.dispatch(Action::Tick(Now::with_wall_clock(now))).await;
    }

    /// Reads everything now, whatever the schedule says.
    pub async fn refresh(&mut self) {
        self.tick().await;
        self.press(Command::Refresh).await;
    }

    /// Loads the identities the runner would load at start.
    pub async fn start(&mut self) {
        let fork = self.world.ports.fork.clone();
        if let Ok(Ok(identity)) = tokio::task::spawn_blocking(move || fork.identity()).await {
            self.dispatch(Action::Identity(identity)).await;
        }
        for env in self.world.environments.clone().iter() {
            let identity = crate::ops::deadline::aws_identity(&self.world, env).await;
            self.dispatch(Action::AwsIdentity(env.name.clone(), identity))
                .await;
        }
        self.refresh().await;
    }
}
