//! Drawing: pure functions from a view model to a ratatui frame.
