//! `shiftdeck init`: finds the version pins at the tip of the fork's deploy branch, proposes
//! environments and locators, and writes `shiftdeck.toml` once confirmed.

use clap::Args;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use super::{CommandResult, Failure};
use crate::config::Config;
use crate::domain::init::{self, InitSettings, Proposal};
use crate::domain::pin::PinRule;
use crate::git::survey;

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The fork's clone (default: the repository around the current directory).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub path: PathBuf,
    /// Write the proposed configuration without asking (required without a terminal).
    #[arg(long)]
    pub yes: bool,
    /// Replace an existing shiftdeck.toml.
    #[arg(long)]
    pub force: bool,
    /// The vendor's release bucket.
    #[arg(long, value_name = "NAME")]
    pub bucket: Option<String>,
    /// The vendor's minisign public key (the RW… line of their .pub file).
    #[arg(long, value_name = "KEY")]
    pub public_key: Option<String>,
    /// Key prefix of the releases in the bucket.
    #[arg(long, value_name = "PREFIX")]
    pub prefix: Option<String>,
    /// Region of the release bucket.
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// The deploy branch (default: the checked-out branch).
    #[arg(long, value_name = "BRANCH")]
    pub branch: Option<String>,
    /// The remote pins are pushed to (default: the branch's upstream, else origin).
    #[arg(long, value_name = "REMOTE")]
    pub remote: Option<String>,
}

pub fn run(args: InitArgs) -> CommandResult {
    let fork = survey(
        &args.path,
        args.branch.as_deref(),
        args.remote.as_deref(),
        init::is_scanned,
    )?;
    let target = fork.root.join("shiftdeck.toml");
    if target.exists() && !args.force {
        return Err(Failure::refused(format!(
            "{} exists already; shiftdeck init does not overwrite it\n  hint: pass --force to replace it, or edit it by hand",
            target.display()
        )));
    }
    let candidates = fork
        .files
        .iter()
        .flat_map(|(path, content)| init::scan(path, content))
        .collect();
    let proposal = init::propose(candidates);
    print!("{}", describe(&proposal, &fork.branch));
    if proposal.environments.is_empty() {
        return Err(Failure::error(format!(
            "no version pins found at the tip of {}: no string literal such as \"v1.2.0\" whose name says an environment\n  hint: write shiftdeck.toml by hand (docs/configuration.md), or commit the pin first",
            fork.branch
        )));
    }
    let interactive = std::io::stdin().is_terminal();
    let ask = |flag: &str, what: &str, given: Option<String>| -> Result<String, Failure> {
        match given {
            Some(v) => Ok(v),
            None if interactive => prompt(&format!("{what}: ")),
            None => Err(Failure::usage(format!(
                "{what} is needed and there is no terminal to ask on\n  hint: pass {flag}"
            ))),
        }
    };
    let settings = InitSettings {
        bucket: ask("--bucket NAME", "The vendor's release bucket", args.bucket)?,
        public_key: ask(
            "--public-key RW…",
            "The vendor's minisign public key (RW…)",
            args.public_key,
        )?,
        prefix: args.prefix,
        region: args.region,
        remote: fork.remote,
        branch: fork.branch,
    };
    let text = init::render(&settings, &proposal.environments);
    // Checked as the loader will read it, so a bad key is caught before anything is written.
    Config::parse(&text, &target).map_err(|e| Failure::usage(e.to_string()))?;
    println!("\nProposed {}:\n\n{text}", target.display());
    if !args.yes {
        if !interactive {
            return Err(Failure::usage(
                "not written: there is no terminal to confirm on\n  hint: pass --yes to write the proposal above",
            ));
        }
        let answer = prompt(&format!("Write {}? [y/N] ", target.display()))?;
        if !matches!(answer.to_lowercase().as_str(), "y" | "yes") {
            return Err(Failure::refused("not written: the proposal was declined"));
        }
    }
    std::fs::write(&target, &text).map_err(|e| {
        Failure::error(format!(
            "cannot write {}: {e}\n  hint: check that the folder is writable",
            target.display()
        ))
    })?;
    println!(
        "Wrote {}. Fill in the AWS side of each environment, then run `shiftdeck doctor`.",
        target.display()
    );
    Ok(())
}

/// The literals found, where, and what became of each.
fn describe(p: &Proposal, branch: &str) -> String {
    let found = p.environments.len() + p.left_out.len();
    let mut out = format!("Found {found} version literal(s) at the tip of {branch}:\n");
    for env in &p.environments {
        let rule = match &env.locator.rule {
            PinRule::Pattern(p) => format!("pattern {p}"),
            PinRule::JsonPointer(p) => format!("json_pointer {p}"),
        };
        out += &format!(
            "  {:<28} {:<12} → {:<10} {rule}\n",
            format!("{}:{}", env.file, env.line),
            env.literal,
            env.name
        );
    }
    for (c, why) in &p.left_out {
        out += &format!(
            "  {:<28} {:<12}   not used: {why}\n",
            format!("{}:{}", c.file, c.line),
            c.literal
        );
    }
    out
}

fn prompt(question: &str) -> Result<String, Failure> {
    print!("{question}");
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failure::error(format!("cannot read the answer: {e}")))?;
    Ok(line.trim().to_string())
}
