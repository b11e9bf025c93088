//! The simulated world behind the same ports as AWS and git: the default demo and the test harness.
