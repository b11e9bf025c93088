//! Pin locators: where an environment's version is written in the fork, and byte-exact rewrites.

mod json_pointer;
mod json_strings;
mod pattern;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::path::PathBuf;

use super::version::Version;

pub use json_strings::json_strings;

/// Where one environment pins its version: a file plus either a text pattern with one
/// `{version}` placeholder or a JSON pointer to a string value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "PinLocatorFields")]
pub struct PinLocator {
    pub file: PathBuf,
    #[serde(flatten)]
    pub rule: PinRule,
}

/// The locator as written in the configuration, before checking that exactly one rule is given.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PinLocatorFields {
    file: PathBuf,
    pattern: Option<String>,
    json_pointer: Option<String>,
}

impl TryFrom<PinLocatorFields> for PinLocator {
    type Error = String;
    fn try_from(f: PinLocatorFields) -> Result<Self, String> {
        let rule = match (f.pattern, f.json_pointer) {
            (Some(p), None) => PinRule::Pattern(p),
            (None, Some(p)) => PinRule::JsonPointer(p),
            (Some(_), Some(_)) => {
                return Err(format!(
                    "the pin of {} has both pattern and json_pointer; keep the one that fits the file",
                    f.file.display()
                ));
            }
            (None, None) => {
                return Err(format!(
                    "the pin of {} needs pattern = '…{{version}}…' or json_pointer = \"/…\"",
                    f.file.display()
                ));
            }
        };
        Ok(Self { file: f.file, rule })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PinRule {
    /// e.g. `const version = "{version}"`.
    Pattern(String),
    /// e.g. `/context/prodVersion`.
    JsonPointer(String),
}

/// The one place a locator matched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PinMatch {
    /// The literal as written, which may not parse as a [`Version`].
    pub literal: String,
    /// Byte range of the literal (without quotes) in the file.
    pub range: Range<usize>,
    /// 1-based line of the literal.
    pub line: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PinError {
    #[error(
        "{file}: the pin pattern {pattern:?} matches nowhere; check that this file writes the version that way, or correct the pattern in the config"
    )]
    NoMatch { file: String, pattern: String },
    #[error(
        "{file}: the pin {pattern:?} matches {} times, on lines {}; it must match exactly once: make the pattern specific to one line, or remove the duplicate key",
        lines.len(),
        join_lines(lines)
    )]
    Ambiguous {
        file: String,
        pattern: String,
        lines: Vec<usize>,
    },
    #[error(
        "{file}: the file is not UTF-8 ({why}); shiftdeck reads and rewrites pin files as UTF-8 text: save it as UTF-8 (without changing anything else), then try again"
    )]
    NotUtf8 { file: String, why: String },
    #[error("the pin pattern {pattern:?} is unusable: {why}")]
    BadPattern { pattern: String, why: String },
    #[error(
        "the JSON pointer {pointer:?} is unusable: {why}; write it as /key/0/key, with ~1 for '/' and ~0 for '~' inside a key"
    )]
    BadPointer { pointer: String, why: String },
    #[error(
        "{file}: nothing at {pointer}: {why}; add the value, or correct the JSON pointer in the config"
    )]
    NoValue {
        file: String,
        pointer: String,
        why: String,
    },
    #[error("{file}: not valid JSON at line {line}: {why}; fix the file, then try again")]
    BadJson {
        file: String,
        line: usize,
        why: String,
    },
    #[error(
        "{file}: {pointer} is {found}, not a string (line {line}); the pin must be a quoted version such as \"v1.2.0\""
    )]
    NotAString {
        file: String,
        pointer: String,
        found: String,
        line: usize,
    },
    #[error(
        "{file}: {pointer} (line {line}) contains escape sequences, which a version never has; write the version plainly, such as \"v1.2.0\""
    )]
    EscapedString {
        file: String,
        pointer: String,
        line: usize,
    },
}

fn join_lines(lines: &[usize]) -> String {
    lines
        .iter()
        .map(|l| l.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

impl PinLocator {
    pub fn describe(&self) -> String {
        let (PinRule::Pattern(rule) | PinRule::JsonPointer(rule)) = &self.rule;
        format!("{} ({rule})", self.file.display())
    }
}

/// Finds the one literal the locator points at in `content`.
pub fn locate(content: &[u8], locator: &PinLocator) -> Result<PinMatch, PinError> {
    let file = locator.file.display().to_string();
    let text = utf8(content, &file)?;
    match &locator.rule {
        PinRule::Pattern(p) => pattern::locate(text, &file, p),
        PinRule::JsonPointer(p) => json_pointer::locate(text, &file, p),
    }
}

/// The file as text, or an error that says which encoding it seems to be in instead: a pattern
/// would otherwise report "matches nowhere" for a UTF-16 file, and a Latin-1 byte could end up
/// inside a match.
fn utf8<'a>(content: &'a [u8], file: &str) -> Result<&'a str, PinError> {
    let not_utf8 = |why: String| PinError::NotUtf8 {
        file: file.to_string(),
        why,
    };
    if content.starts_with(&[0xFF, 0xFE]) || content.starts_with(&[0xFE, 0xFF]) {
        return Err(not_utf8("it starts with a UTF-16 byte order mark".into()));
    }
    std::str::from_utf8(content).map_err(|e| {
        let pos = e.valid_up_to();
        not_utf8(format!(
            "byte 0x{:02x} on line {} is not UTF-8, as in Latin-1 or Windows-1252 text",
            content[pos],
            line_at(content, pos)
        ))
    })
}

/// Replaces the located literal with `new`, leaving every other byte as it was.
pub fn rewrite(content: &[u8], locator: &PinLocator, new: &Version) -> Result<Vec<u8>, PinError> {
    Ok(replace(content, &locate(content, locator)?, new))
}

/// Replaces the literal `found` in `content` (as `locate` returned it) with `new`.
pub fn replace(content: &[u8], found: &PinMatch, new: &Version) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + new.as_str().len());
    out.extend_from_slice(&content[..found.range.start]);
    out.extend_from_slice(new.as_str().as_bytes());
    out.extend_from_slice(&content[found.range.end..]);
    out
}

/// 1-based line number of the byte at `pos`.
fn line_at(content: &[u8], pos: usize) -> usize {
    content[..pos.min(content.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}
