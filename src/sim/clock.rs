//! The simulated world's clock: moved by hand in tests, or real time sped up in the demo.

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use crate::domain::time::Timestamp;
use crate::ports::Clock;

/// How virtual time passes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ClockMode {
    /// Time stands still until `SimHandle::advance` moves it: deterministic tests.
    Manual,
    /// Virtual time = start + real elapsed time × `speed`.
    Real { speed: f64 },
}

/// Where a manual clock starts: 2026-01-05T09:00:00Z, a Monday morning on a minute boundary.
pub const MANUAL_START: Timestamp = Timestamp(1_767_603_600_000);

pub struct SimClock {
    mode: ClockMode,
    start: Timestamp,
    real_start: Instant,
    /// Time added by `advance`, on top of what the mode says.
    skipped: Mutex<Duration>,
}

impl SimClock {
    pub fn new(mode: ClockMode) -> Self {
        let start = match mode {
            ClockMode::Manual => MANUAL_START,
            ClockMode::Real { .. } => Timestamp::from_system(SystemTime::now()),
        };
        Self {
            mode,
            start,
            real_start: Instant::now(),
            skipped: Mutex::new(Duration::ZERO),
        }
    }

    pub fn start(&self) -> Timestamp {
        self.start
    }

    pub fn advance(&self, d: Duration) {
        *self.skipped.lock().unwrap_or_else(|e| e.into_inner()) += d;
    }
}

impl Clock for SimClock {
    fn now(&self) -> Timestamp {
        let skipped = *self.skipped.lock().unwrap_or_else(|e| e.into_inner());
        let running = match self.mode {
            ClockMode::Manual => Duration::ZERO,
            ClockMode::Real { speed } => self.real_start.elapsed().mul_f64(speed.max(0.0)),
        };
        self.start.plus(skipped + running)
    }
}
