//! What shells and `man` read, generated from the clap definitions so they never drift from
//! the real options.

use clap::CommandFactory;
use std::path::Path;

use super::{CommandResult, Failure};
use crate::cli::Cli;

pub fn completions(shell: clap_complete::Shell) -> CommandResult {
    clap_complete::generate(
        shell,
        &mut Cli::command(),
        "shiftdeck",
        &mut std::io::stdout(),
    );
    Ok(())
}

/// Prints `shiftdeck.1`; with `dir`, writes it and a page per command (`shiftdeck-audit.1`, …)
/// there instead.
pub fn man(dir: Option<&Path>) -> CommandResult {
    let command = Cli::command();
    let Some(dir) = dir else {
        let mut out = Vec::new();
        render(&command, "shiftdeck", &mut out)?;
        use std::io::Write;
        return std::io::stdout()
            .write_all(&out)
            .map_err(|e| Failure::error(format!("cannot print the man page: {e}")));
    };
    std::fs::create_dir_all(dir).map_err(|e| write_error(dir, e))?;
    let mut pages = vec![("shiftdeck".to_string(), command.clone())];
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        pages.push((format!("shiftdeck-{}", sub.get_name()), sub.clone()));
    }
    for (name, page) in pages {
        let mut out = Vec::new();
        render(&page, &name, &mut out)?;
        let path = dir.join(format!("{name}.1"));
        std::fs::write(&path, out).map_err(|e| write_error(&path, e))?;
        println!("{}", path.display());
    }
    Ok(())
}

/// `title` is the page's name, so `man shiftdeck-audit` is headed with the full command.
fn render(command: &clap::Command, title: &str, out: &mut Vec<u8>) -> CommandResult {
    clap_mangen::Man::new(command.clone())
        .title(title.to_uppercase())
        .section("1")
        .render(out)
        .map_err(|e| Failure::error(format!("cannot render the man page: {e}")))
}

fn write_error(path: &Path, e: std::io::Error) -> Failure {
    Failure::error(format!(
        "cannot write {}: {e}\n  hint: name a writable folder with --dir",
        path.display()
    ))
}
