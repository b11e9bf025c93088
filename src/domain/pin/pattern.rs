//! The text-pattern rule: `const version = "{version}"` with one placeholder.
//!
//! A pattern matches whole tokens only: where the pattern begins or ends with a character that
//! could be part of a name, the file's text just before or after the match must not continue
//! that name, so `prodVersion = "{version}"` does not match inside `preprodVersion = "v1"`.

use regex_lite::Regex;

use super::{PinError, PinMatch, line_at};

const PLACEHOLDER: &str = "{version}";
/// What a version literal may consist of: the characters `Version::parse` accepts.
const VERSION_CLASS: &str = "([A-Za-z0-9._+-]+)";

pub(super) fn locate(text: &str, file: &str, pattern: &str) -> Result<PinMatch, PinError> {
    let rule = Rule::compile(pattern)?;
    let found = rule.matches(text);
    let content = text.as_bytes();
    match found.as_slice() {
        [] => Err(PinError::NoMatch {
            file: file.to_string(),
            pattern: pattern.to_string(),
        }),
        [one] => Ok(PinMatch {
            literal: text[one.clone()].to_string(),
            range: one.clone(),
            line: line_at(content, one.start),
        }),
        several => Err(PinError::Ambiguous {
            file: file.to_string(),
            pattern: pattern.to_string(),
            lines: several.iter().map(|m| line_at(content, m.start)).collect(),
        }),
    }
}

/// The compiled pattern and which of its ends must sit at a token boundary.
struct Rule {
    regex: Regex,
    /// The pattern starts with a name character, so the text before may not be one.
    bounded_start: bool,
    /// The pattern ends with a name character or the placeholder.
    bounded_end: bool,
}

impl Rule {
    /// Turns the pattern into a regex: literal text escaped, each whitespace run matching any run
    /// of spaces and tabs, the placeholder capturing the version. Whitespace at either end is
    /// dropped: it could match nothing, so it constrains nothing.
    fn compile(pattern: &str) -> Result<Rule, PinError> {
        let bad = |why: &str| PinError::BadPattern {
            pattern: pattern.to_string(),
            why: why.to_string(),
        };
        if pattern.contains(['\n', '\r']) {
            return Err(bad(
                "it spans several lines; a pin pattern matches within one line",
            ));
        }
        let trimmed = pattern.trim();
        let parts: Vec<&str> = trimmed.split(PLACEHOLDER).collect();
        let [before, after] = parts.as_slice() else {
            return Err(bad(&format!(
                "it has {} {PLACEHOLDER} placeholders; write exactly one, where the version goes",
                parts.len() - 1
            )));
        };
        let source = format!("{}{VERSION_CLASS}{}", literal(before), literal(after));
        Ok(Rule {
            regex: Regex::new(&source).map_err(|e| bad(&e.to_string()))?,
            bounded_start: before.chars().next().is_none_or(is_name_char),
            bounded_end: after.chars().next_back().is_none_or(is_name_char),
        })
    }

    /// The literal's range of every whole-token match, in order and not overlapping.
    fn matches(&self, text: &str) -> Vec<std::ops::Range<usize>> {
        let mut found = Vec::new();
        let mut from = 0;
        while let Some(captures) = self.regex.captures_at(text, from) {
            let (whole, literal) = match (captures.get(0), captures.get(1)) {
                (Some(whole), Some(literal)) => (whole, literal),
                _ => break,
            };
            let starts_token = !self.bounded_start
                || !text[..whole.start()]
                    .chars()
                    .next_back()
                    .is_some_and(is_name_char);
            let ends_token =
                !self.bounded_end || !text[whole.end()..].chars().next().is_some_and(is_name_char);
            if starts_token && ends_token {
                found.push(literal.range());
                from = whole.end().max(whole.start() + 1);
            } else {
                // A match inside a longer name may hide a real one that starts within it.
                from = whole.start()
                    + text[whole.start()..]
                        .chars()
                        .next()
                        .map_or(1, char::len_utf8);
            }
            if from > text.len() {
                break;
            }
        }
        found
    }
}

/// Whether `c` can continue a name in the languages pins are written in (TypeScript, Python,
/// YAML keys, shell): letters, digits, `_` and `$`.
fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
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
            out.push_str(&regex_lite::escape(c.encode_utf8(&mut [0; 4])));
        }
    }
    out
}
