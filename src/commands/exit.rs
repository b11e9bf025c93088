//! Exit codes scripts can branch on.

/// Done as asked (or, with `--dry-run`, planned).
pub const OK: u8 = 0;
/// Something failed: a read, a call, a push.
pub const ERROR: u8 = 1;
/// The command line was wrong: unknown environment or version, malformed argument, `--yes`
/// missing without a terminal.
pub const USAGE: u8 = 2;
/// A rule of shiftdeck refused the action.
pub const REFUSED: u8 = 3;
