//! The text-pattern rule: `const version = "{version}"` with one placeholder.

use regex::bytes::Regex;

use super::{PinError, PinMatch, line_at};

const PLACEHOLDER: &str = "{version}";
/// What a version literal may consist of: the characters `Version::parse` accepts.
const VERSION_CLASS: &str = "([A-Za-z0-9._+-]+)";

pub(super) fn locate(content: &[u8], file: &str, pattern: &str) -> Result<PinMatch, PinError> {
    let regex = compile(pattern)?;
    let found: Vec<_> = regex
        .captures_iter(content)
        .filter_map(|c| c.get(1))
        .collect();
    match found.as_slice() {
        [] => Err(PinError::NoMatch {
            file: file.to_string(),
            pattern: pattern.to_string(),
        }),
        [one] => Ok(PinMatch {
            // The class is ASCII only, so the bytes are always valid UTF-8.
            literal: String::from_utf8_lossy(one.as_bytes()).into_owned(),
            range: one.range(),
            line: line_at(content, one.start()),
        }),
        several => Err(PinError::Ambiguous {
            file: file.to_string(),
            pattern: pattern.to_string(),
            lines: several
                .iter()
                .map(|m| line_at(content, m.start()))
                .collect(),
        }),
    }
}

/// Turns the pattern into a regex: literal text escaped, each whitespace run matching any run of
/// spaces and tabs, the placeholder capturing the version.
fn compile(pattern: &str) -> Result<Regex, PinError> {
    let bad = |why: &str| PinError::BadPattern {
        pattern: pattern.to_string(),
        why: why.to_string(),
    };
    if pattern.contains(['\n', '\r']) {
        return Err(bad(
            "it spans several lines; a pin pattern matches within one line",
        ));
    }
    let parts: Vec<&str> = pattern.split(PLACEHOLDER).collect();
    let [before, after] = parts.as_slice() else {
        return Err(bad(&format!(
            "it has {} {PLACEHOLDER} placeholders; write exactly one, where the version goes",
            parts.len() - 1
        )));
    };
    let source = format!("{}{VERSION_CLASS}{}", literal(before), literal(after));
    Regex::new(&source).map_err(|e| bad(&e.to_string()))
}

fn literal(text: &str) -> String {
    let mut out = String::new();
    let mut in_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            if !in_space {
                out.push_str("[ \t]*");
            }
            in_space = true;
        } else {
            in_space = false;
            out.push_str(&regex::escape(c.encode_utf8(&mut [0; 4])));
        }
    }
    out
}
