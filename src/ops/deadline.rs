//! Every port call has a deadline: a stuck endpoint ends as an error, never as a pane that
//! stays "loading" or a command that hangs.

use std::time::Duration;

use crate::environment::Environment;
use crate::ports::{AwsIdentity, ErrorKind, PortError};

use super::world::World;

/// The longest any read may take, retries included.
pub const READ_DEADLINE: Duration = Duration::from_secs(30);
/// git work (fetch and status) gets longer: a large fork over a slow link.
pub const GIT_DEADLINE: Duration = Duration::from_secs(120);
/// Downloading a release's artifacts to check them: up to 250 MB each over a slow link. A
/// stalled download ends sooner (the SDK's stalled-stream protection).
pub const DOWNLOAD_DEADLINE: Duration = Duration::from_secs(600);
/// The longest a mutating call may take before its outcome counts as unknown.
pub const MUTATION_DEADLINE: Duration = Duration::from_secs(45);

/// A port call that has not answered by `limit` ends as a time-out error. The adapters set
/// tighter limits of their own; this one holds whatever they miss.
pub async fn within<T>(
    limit: Duration,
    what: &str,
    call: impl Future<Output = Result<T, PortError>>,
) -> Result<T, PortError> {
    tokio::time::timeout(limit, call).await.unwrap_or_else(|_| {
        Err(PortError::new(
            ErrorKind::Timeout,
            format!("{what} did not answer within {}s", limit.as_secs()),
        )
        .with_hint("shiftdeck tries again at the next refresh"))
    })
}

/// `within` the read deadline.
pub async fn within_read<T>(
    what: &str,
    call: impl Future<Output = Result<T, PortError>>,
) -> Result<T, PortError> {
    within(READ_DEADLINE, what, call).await
}

/// A mutation that has not answered by its deadline may still have happened: its outcome is
/// unknown, it is never retried, and the state is read again.
pub async fn mutation<T>(
    what: &str,
    call: impl Future<Output = Result<T, PortError>>,
) -> Result<T, PortError> {
    tokio::time::timeout(MUTATION_DEADLINE, call)
        .await
        .unwrap_or_else(|_| {
            Err(PortError::new(
                ErrorKind::OutcomeUnknown,
                format!(
                    "{what} was sent but did not answer within {}s: it may or may not have taken effect",
                    MUTATION_DEADLINE.as_secs()
                ),
            )
            .with_hint("shiftdeck reads the state again; check it before acting again"))
        })
}

/// git2 and file work run off the event loop.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, PortError> + Send + 'static,
) -> Result<T, PortError> {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|e| {
        Err(PortError::new(
            ErrorKind::Other,
            format!("background task failed: {e}"),
        ))
    })
}

/// Who `env`'s AWS connection acts as, within the read deadline.
pub async fn aws_identity(world: &World, env: &Environment) -> Result<AwsIdentity, PortError> {
    within(
        READ_DEADLINE,
        &format!("sts:GetCallerIdentity for {}", env.name),
        world.ports.rollouts.caller(env),
    )
    .await
}
