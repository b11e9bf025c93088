//! The JSON pointer rule (RFC 6901): `/context/prodVersion` names one string value.

use super::json_scan::{self, Node, Value};
use super::{PinError, PinMatch, line_at};

pub(super) fn locate(content: &[u8], file: &str, pointer: &str) -> Result<PinMatch, PinError> {
    let tokens = tokens(pointer)?;
    let root = json_scan::parse(content).map_err(|e| PinError::BadJson {
        file: file.to_string(),
        line: line_at(content, e.pos),
        why: e.why,
    })?;
    let mut node = &root;
    let mut walked = String::new();
    for token in &tokens {
        let no_value = |why: String| PinError::NoValue {
            file: file.to_string(),
            pointer: pointer.to_string(),
            why,
        };
        let at = if walked.is_empty() {
            "the document"
        } else {
            &walked
        };
        node = match &node.value {
            Value::Object(members) => {
                let hits: Vec<_> = members.iter().filter(|m| &m.key == token).collect();
                match hits.as_slice() {
                    [] => return Err(no_value(format!("{at} has no key {token:?}"))),
                    [one] => &one.node,
                    several => {
                        return Err(PinError::Ambiguous {
                            file: file.to_string(),
                            pattern: pointer.to_string(),
                            lines: several
                                .iter()
                                .map(|m| line_at(content, m.key_start))
                                .collect(),
                        });
                    }
                }
            }
            Value::Array(items) => {
                let index = array_index(token).ok_or_else(|| {
                    no_value(format!(
                        "{at} is an array, and {token:?} is not an index into it"
                    ))
                })?;
                items.get(index).ok_or_else(|| {
                    no_value(format!(
                        "{at} has {} items, so there is no index {index}",
                        items.len()
                    ))
                })?
            }
            other => {
                return Err(no_value(format!(
                    "{at} is {}, so it has no {token:?} inside",
                    other.kind()
                )));
            }
        };
        walked.push('/');
        walked.push_str(&escape_token(token));
    }
    matched(content, file, pointer, node)
}

fn matched(content: &[u8], file: &str, pointer: &str, node: &Node) -> Result<PinMatch, PinError> {
    let line = line_at(content, node.start);
    match &node.value {
        Value::String { escaped: true, .. } => Err(PinError::EscapedString {
            file: file.to_string(),
            pointer: pointer.to_string(),
            line,
        }),
        Value::String { span, .. } => Ok(PinMatch {
            literal: String::from_utf8_lossy(&content[span.clone()]).into_owned(),
            range: span.clone(),
            line,
        }),
        other => Err(PinError::NotAString {
            file: file.to_string(),
            pointer: pointer.to_string(),
            found: other.kind().to_string(),
            line,
        }),
    }
}

/// Splits the pointer into reference tokens, decoding `~1` to `/` and `~0` to `~`.
fn tokens(pointer: &str) -> Result<Vec<String>, PinError> {
    let bad = |why: &str| PinError::BadPointer {
        pointer: pointer.to_string(),
        why: why.to_string(),
    };
    if pointer.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = pointer.strip_prefix('/') else {
        return Err(bad("it does not start with '/'"));
    };
    rest.split('/')
        .map(|raw| {
            let mut token = String::new();
            let mut chars = raw.chars();
            while let Some(c) = chars.next() {
                if c != '~' {
                    token.push(c);
                    continue;
                }
                match chars.next() {
                    Some('0') => token.push('~'),
                    Some('1') => token.push('/'),
                    _ => return Err(bad("'~' must be followed by 0 or 1")),
                }
            }
            Ok(token)
        })
        .collect()
}

fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// An array index as RFC 6901 writes it: `0`, or digits without a leading zero.
fn array_index(token: &str) -> Option<usize> {
    let digits = !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit());
    let leading_zero = token.len() > 1 && token.starts_with('0');
    (digits && !leading_zero)
        .then(|| token.parse().ok())
        .flatten()
}
