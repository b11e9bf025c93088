//! Command-line definitions.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

use crate::commands::audit::AuditArgs;
use crate::commands::init::InitArgs;

#[derive(Debug, Parser)]
#[command(
    name = "shiftdeck",
    version,
    about = "Terminal release cockpit: signed Lambda releases, pinned in git, shifted by CodeDeploy"
)]
pub struct Cli {
    /// Configuration file (default: $SHIFTDECK_CONFIG, shiftdeck.toml at the fork's root, then the user config directory).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Disable promote, approve and rollback.
    #[arg(long)]
    pub read_only: bool,
    /// Print the time from start to the cockpit's first frame on stderr and exit (benchmarks).
    #[arg(long, hide = true)]
    pub exit_after_first_frame: bool,
    #[command(flatten)]
    pub ui: UiArgs,
    #[command(subcommand)]
    pub command: Option<Cmd>,
}

/// What only the cockpit draws with: given before any command (the cockpit) or to `demo`.
#[derive(Debug, Default, Args)]
pub struct UiArgs {
    /// Colour theme: dark, light, high-contrast, or a path to a theme file.
    #[arg(long, value_name = "NAME|FILE")]
    pub theme: Option<String>,
    /// Keymap file whose bindings override the defaults.
    #[arg(long, value_name = "FILE")]
    pub keymap: Option<PathBuf>,
}

impl UiArgs {
    /// These, else `outer`'s (given before the command).
    pub fn or(self, outer: UiArgs) -> UiArgs {
        UiArgs {
            theme: self.theme.or(outer.theme),
            keymap: self.keymap.or(outer.keymap),
        }
    }
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
        /// Keep the demo's audit log in this folder (default: demo/ in the data directory), to
        /// read it after the demo with `shiftdeck audit --audit-dir DIR`.
        #[arg(long, value_name = "DIR")]
        audit_dir: Option<PathBuf>,
        /// Disable promote, approve and rollback.
        #[arg(long)]
        read_only: bool,
        #[command(flatten)]
        ui: UiArgs,
    },
    /// Every version in the release repository: status, yank reason, notes, where it is pinned
    /// and serving.
    Versions {
        /// Machine-readable output (schema shiftdeck.versions/1, docs/cli.md).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        config: ConfigArg,
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
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Check the configuration, the fork and every read AWS call, and say what is wrong and how
    /// to fix it.
    Doctor {
        /// Check only the configuration and the fork, not AWS.
        #[arg(long)]
        local: bool,
        #[command(flatten)]
        config: ConfigArg,
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
    /// Freeze ENV for the whole team: pin and promote into it are refused until it is
    /// unfrozen (rollback stays allowed). Needs --reason.
    Freeze {
        env: String,
        #[command(flatten)]
        act: ActArgs,
    },
    /// Lift ENV's freeze.
    Unfreeze {
        env: String,
        #[command(flatten)]
        act: ActArgs,
    },
    /// Find the version pins in a fork and write shiftdeck.toml for it.
    Init(InitArgs),
    /// Show the audit log: this machine's, or with --team everyone's from the fork's remote.
    Audit(AuditArgs),
    /// Print shell completions.
    Completions { shell: clap_complete::Shell },
    /// Print the man page (roff), or write a page per command into a folder.
    Man {
        /// Write shiftdeck.1 and shiftdeck-COMMAND.1 into this folder instead of printing.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

/// The configuration file, for the commands that read one; also accepted before the command.
#[derive(Clone, Debug, Default, Args)]
pub struct ConfigArg {
    /// Configuration file (default: $SHIFTDECK_CONFIG, shiftdeck.toml at the fork's root, then the user config directory).
    #[arg(long = "config", value_name = "FILE")]
    pub path: Option<PathBuf>,
}

impl ConfigArg {
    /// This one, else the one given before the command.
    pub fn or(&self, outer: &Option<PathBuf>) -> Option<PathBuf> {
        self.path.clone().or_else(|| outer.clone())
    }
}

/// Options every mutating command takes.
#[derive(Clone, Debug, clap::Args)]
pub struct ActArgs {
    #[command(flatten)]
    pub config: ConfigArg,
    /// Refuse to act (what would be done is still planned and refused, and audited).
    #[arg(long)]
    pub read_only: bool,
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
