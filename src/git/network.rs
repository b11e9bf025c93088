//! Time limits and cancelling for the calls that talk to the remote.
//!
//! libgit2 blocks in socket reads that no callback interrupts, so a remote that accepts the
//! connection and never answers is ended by libgit2's own socket time-outs (connect and read);
//! the progress callbacks end a transfer that is cancelled or makes no progress for too long.

use std::cell::{Cell, RefCell};
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::ports::{ErrorKind, PortError};

/// How long the remote may take to accept a connection, and to send anything at all once
/// connected, before the call ends as a time-out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NetworkLimits {
    pub connect: Duration,
    pub idle: Duration,
}

impl Default for NetworkLimits {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(10),
            idle: Duration::from_secs(30),
        }
    }
}

/// The limits of one fork and the cancel requests made on it.
#[derive(Clone, Debug, Default)]
pub(super) struct Network {
    pub limits: NetworkLimits,
    /// Bumped by every cancel: a transfer started before the bump ends at its next callback.
    cancels: Arc<AtomicU64>,
}

/// libgit2's socket limits are process-wide; remembered so they are written only on a change.
static CONNECT_MS: AtomicI32 = AtomicI32::new(0);
static IDLE_MS: AtomicI32 = AtomicI32::new(0);

fn millis(d: Duration) -> i32 {
    i32::try_from(d.as_millis()).unwrap_or(i32::MAX).max(1)
}

impl Network {
    pub fn new(limits: NetworkLimits) -> Self {
        Self {
            limits,
            cancels: Arc::default(),
        }
    }

    /// Ends every transfer running now at its next callback.
    pub fn cancel(&self) {
        self.cancels.fetch_add(1, Ordering::SeqCst);
    }

    /// Applies the limits and starts watching one transfer with `remote`.
    pub fn start(&self, remote: &str) -> Transfer {
        let (connect, idle) = (millis(self.limits.connect), millis(self.limits.idle));
        // SAFETY: the options are plain integers libgit2 reads when it opens a socket; every
        // fork of a process normally has the same limits, so this writes once.
        unsafe {
            if CONNECT_MS.swap(connect, Ordering::SeqCst) != connect {
                let _ = git2::opts::set_server_connect_timeout_in_milliseconds(connect);
            }
            if IDLE_MS.swap(idle, Ordering::SeqCst) != idle {
                let _ = git2::opts::set_server_timeout_in_milliseconds(idle);
            }
        }
        Transfer {
            remote: remote.to_string(),
            limits: self.limits,
            started: Instant::now(),
            last_progress: Cell::new(Instant::now()),
            generation: self.cancels.load(Ordering::SeqCst),
            cancels: self.cancels.clone(),
            ended: Cell::new(None),
            host_key: RefCell::new(None),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ended {
    Cancelled,
    Stalled,
}

/// The ssh host key a server showed, for the error when libgit2 did not find it in
/// `~/.ssh/known_hosts`.
#[derive(Clone, Debug)]
pub(super) struct HostKey {
    pub host: String,
    /// `None` for the default port 22.
    pub port: Option<u16>,
    /// As ssh names it, e.g. "ssh-ed25519".
    pub kind: Option<String>,
    /// Base64 without padding, as `ssh` and `ssh-keygen -l` print it after "SHA256:".
    pub sha256: Option<String>,
}

impl HostKey {
    /// The error for a host key that `~/.ssh/known_hosts` does not vouch for.
    fn untrusted(&self, remote: &str) -> PortError {
        let (at, port_flag) = match self.port {
            Some(port) => (format!("[{}]:{port}", self.host), format!("-p {port} ")),
            None => (self.host.clone(), String::new()),
        };
        let fingerprint = self
            .sha256
            .as_ref()
            .map(|h| format!("SHA256:{h}"))
            .unwrap_or_else(|| "with no SHA256 fingerprint".into());
        let kind = self.kind.as_deref().unwrap_or("host key");
        PortError::new(
            ErrorKind::Credentials,
            format!(
                "the ssh host key of {remote} at {at} ({kind} {fingerprint}) is not trusted: it is not in ~/.ssh/known_hosts, or differs from the key recorded there for {at}"
            ),
        )
        .with_hint(format!(
            "compare the fingerprint with the one the server's owner publishes; if it is theirs, record it by connecting once with `ssh {port_flag}{host}` and answering yes, or with `ssh-keyscan {port_flag}{host} >> ~/.ssh/known_hosts`. If a recorded key changed unexpectedly, someone may be in between: do not push",
            host = self.host
        ))
    }
}

/// One fetch or push under watch.
pub(super) struct Transfer {
    remote: String,
    limits: NetworkLimits,
    started: Instant,
    last_progress: Cell<Instant>,
    generation: u64,
    cancels: Arc<AtomicU64>,
    ended: Cell<Option<Ended>>,
    host_key: RefCell<Option<HostKey>>,
}

impl Transfer {
    /// Notes the host key the server showed.
    pub fn saw_host_key(&self, key: HostKey) {
        *self.host_key.borrow_mut() = Some(key);
    }

    /// Called from the progress callbacks: `false` ends the transfer.
    pub fn alive(&self) -> bool {
        if self.cancels.load(Ordering::SeqCst) != self.generation {
            self.ended.set(Some(Ended::Cancelled));
            return false;
        }
        let now = Instant::now();
        if now.duration_since(self.last_progress.get()) > self.limits.idle {
            self.ended.set(Some(Ended::Stalled));
            return false;
        }
        self.last_progress.set(now);
        true
    }

    pub fn limits(&self) -> NetworkLimits {
        self.limits
    }

    /// Whether the transfer was cancelled.
    pub fn cancelled(&self) -> bool {
        self.ended.get() == Some(Ended::Cancelled)
            || self.cancels.load(Ordering::SeqCst) != self.generation
    }

    /// The error of a failed transfer in the user's words: a cancel or a time-out says so and
    /// names the remote and the limit; anything else is left as it is.
    pub fn fail(&self, doing: &str, cause: git2::Error) -> PortError {
        if cause.code() == git2::ErrorCode::Certificate
            && cause.class() == git2::ErrorClass::Ssh
            && let Some(key) = self.host_key.borrow().as_ref()
        {
            return key.untrusted(&self.remote);
        }
        let timed_out =
            cause.code() == git2::ErrorCode::Timeout || cause.message().contains("timed out");
        self.explain(super::error::git_error(doing, cause), timed_out)
    }

    /// `error` in the user's words when the transfer was cancelled or `timed_out`.
    pub fn explain(&self, error: PortError, timed_out: bool) -> PortError {
        let took = self.started.elapsed().as_secs_f64();
        if self.cancelled() {
            return PortError::new(
                ErrorKind::Refused,
                format!(
                    "the call to {} was cancelled after {took:.1} s",
                    self.remote
                ),
            );
        }
        if !timed_out && self.ended.get() != Some(Ended::Stalled) {
            return error;
        }
        PortError::new(
            ErrorKind::Timeout,
            format!(
                "{} did not answer within its time limit (connect {} s, idle {} s; gave up after {took:.1} s): {}",
                self.remote,
                self.limits.connect.as_secs_f64(),
                self.limits.idle.as_secs_f64(),
                error.message
            ),
        )
        .with_hint(
            "check the network and the remote (`git remote -v`); raise [fork] connect_timeout_secs or idle_timeout_secs for a slow link",
        )
    }
}
