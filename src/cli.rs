//! Command-line definitions.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "shiftdeck",
    version,
    about = "Terminal release cockpit: signed Lambda releases, pinned in git, shifted by CodeDeploy"
)]
pub struct Cli {
    /// Configuration file (default: $SHIFTDECK_CONFIG, shiftdeck.toml at the fork's root, then the user config directory).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Disable promote, approve and rollback.
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Colour theme: dark, light, high-contrast, or a path to a theme file.
    #[arg(long, global = true, value_name = "NAME|FILE")]
    pub theme: Option<String>,
    /// Keymap file whose bindings override the defaults.
    #[arg(long, global = true, value_name = "FILE")]
    pub keymap: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Cmd>,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Run the cockpit against the built-in simulated world (no AWS account needed).
    Demo {
        /// How much faster than real time the simulated clock runs.
        #[arg(long, default_value_t = 20.0)]
        speed: f64,
        /// Seed of the simulated metrics.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Deployment groups per environment.
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=500))]
        targets: u16,
        /// Print the time from start to the first frame on stderr and exit (benchmarks).
        #[arg(long, hide = true)]
        exit_after_first_frame: bool,
    },
    /// Every version in the release repository: status, yank reason, notes, where it is pinned
    /// and serving.
    Versions {
        /// Machine-readable output (schema shiftdeck.versions/1, docs/cli.md).
        #[arg(long)]
        json: bool,
    },
    /// Each environment's pin, proposals, deployments, weights, alarms and provenance.
    Status {
        /// Only this environment.
        env: Option<String>,
        /// Machine-readable output (schema shiftdeck.status/1, docs/cli.md).
        #[arg(long)]
        json: bool,
        /// Read and print again every SECS seconds (default 5) until interrupted; with --json,
        /// one document a line.
        #[arg(long, value_name = "SECS", num_args = 0..=1, default_missing_value = "5")]
        watch: Option<u64>,
    },
    /// Check the configuration, the fork and every read AWS call, and say what is wrong and how
    /// to fix it.
    Doctor {
        /// Check only the configuration and the fork, not AWS.
        #[arg(long)]
        local: bool,
    },
    /// Pin VERSION in ENV: a commit on the deploy branch, or a proposal where ENV requires
    /// approval.
    Pin {
        env: String,
        version: String,
        /// Pin an unsigned or yanked version anyway; needs --reason.
        #[arg(long = "override")]
        override_check: bool,
        #[command(flatten)]
        act: ActArgs,
    },
    /// Carry FROM's pin to TO, or to the environment after FROM.
    Promote {
        from: String,
        to: Option<String>,
        /// Promote an unsigned or yanked version anyway; needs --reason.
        #[arg(long = "override")]
        override_check: bool,
        #[command(flatten)]
        act: ActArgs,
    },
    /// Approve ENV's proposal (someone else's), or open the manual gate its deployments wait at.
    Approve {
        env: String,
        #[command(flatten)]
        act: ActArgs,
    },
    /// Turn down ENV's proposal: its branch is deleted, the reason recorded.
    Reject {
        env: String,
        #[command(flatten)]
        act: ActArgs,
    },
    /// Return ENV to the version that served before, and revert its pin.
    Rollback {
        env: String,
        #[command(flatten)]
        act: ActArgs,
    },
    /// Show the audit log.
    Audit {
        /// One JSON object a line, as stored.
        #[arg(long)]
        json: bool,
    },
    /// Print shell completions.
    Completions { shell: clap_complete::Shell },
}

/// Options every mutating command takes.
#[derive(Clone, Debug, clap::Args)]
pub struct ActArgs {
    /// Confirm without asking: required when there is no terminal.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// The environment's name, for a plan that asks for it to be typed (a protected
    /// environment's rollback).
    #[arg(long, value_name = "ENV")]
    pub confirm: Option<String>,
    /// Why: required by reject and by --override, recorded in the commit and the audit log.
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Show the plan and stop: nothing is changed.
    #[arg(long)]
    pub dry_run: bool,
    /// Machine-readable output (schema shiftdeck.action/1, docs/cli.md).
    #[arg(long)]
    pub json: bool,
}
