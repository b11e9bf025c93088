//! The fork adapter over git2: pins at the deploy branch tip, commits, pushes, proposals.
