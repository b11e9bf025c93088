//! The demo's opening: the hours before the user arrives, played through the world itself so
//! every earlier deployment, alarm and datapoint is real. It ends with dev mid-shift.

use std::time::Duration;

use crate::domain::time::Timestamp;
use crate::domain::version::Version;
use crate::ports::{ErrorKind, PortError, PortResult};

use super::environments::EnvSpec;
use super::pipeline::Pipeline;
use super::world::World;

enum Event {
    Deploy(&'static str, &'static str),
    /// Someone answers the manual gates of the environment's running deployment.
    OpenGates(&'static str),
}

const fn minutes(m: u64) -> Duration {
    Duration::from_secs(60 * m)
}

/// How long before the start, and what happened then.
const HISTORY: [(Duration, Event); 7] = [
    (minutes(80), Event::Deploy("prod", "v1.2.0")),
    (minutes(78), Event::OpenGates("prod")),
    (minutes(70), Event::Deploy("dev", "v1.2.0")),
    (minutes(65), Event::Deploy("staging", "v1.2.0")),
    (minutes(45), Event::Deploy("dev", "v1.2.1")),
    (minutes(30), Event::Deploy("staging", "v1.2.1")),
    // Ninety seconds before, so dev's shift is visibly under way when the user arrives.
    (Duration::from_secs(90), Event::Deploy("dev", "v1.3.0")),
];

/// Every alias starts on this release, before the history begins.
const FIRST_RELEASE: &str = "v1.1.0";

pub fn world(
    seed: u64,
    specs: Vec<EnvSpec>,
    releases: Vec<Version>,
    pipeline: Pipeline,
    start: Timestamp,
) -> PortResult<World> {
    let before = |d: Duration| Timestamp(start.millis() - d.as_millis() as i64);
    let begin = before(HISTORY[0].0 + minutes(10));
    let mut world = World::new(
        seed,
        specs,
        &version(FIRST_RELEASE)?,
        releases,
        pipeline,
        begin,
    );
    for (ago, event) in HISTORY {
        world.run_until(before(ago));
        match event {
            Event::Deploy(env, release) => {
                world.deploy_release(env, &version(release)?)?;
            }
            Event::OpenGates(env) => {
                for target in world.environment(env)?.targets {
                    if let Some((id, gate)) =
                        target.latest.and_then(|s| Some((s.deployment_id, s.gate?)))
                    {
                        world.answer_gate(env, &id, &gate.execution_id, true)?;
                    }
                }
            }
        }
    }
    world.run_until(start);
    Ok(world)
}

fn version(v: &str) -> PortResult<Version> {
    Version::parse(v).map_err(|e| PortError::new(ErrorKind::Invalid, e.to_string()))
}
