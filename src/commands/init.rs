//! `shiftdeck init`.
