//! The JSON pointer rule (RFC 6901): `/context/prodVersion` names one string value.
//!
//! The document is read by `jsonc-parser`, which keeps the byte range of every value (serde_json
//! forgets where values were) and reads the comments and trailing commas some context files
//! carry. Only the literal's bytes are ever replaced, so the parser never writes anything.

use jsonc_parser::ast::{ObjectPropName, Value};
use jsonc_parser::common::Ranged;
use jsonc_parser::{CollectOptions, ParseOptions, parse_to_ast};

use super::{PinError, PinMatch, line_at};

/// What a context file may hold beyond strict JSON: comments and trailing commas, as
/// tsconfig-style files do. Anything looser (single quotes, bare keys, hex numbers) is an error,
/// because the tools that read cdk.json would not read it either.
pub(super) fn options() -> ParseOptions {
    ParseOptions {
        allow_comments: true,
        allow_trailing_commas: true,
        allow_loose_object_property_names: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

pub(super) const BOM: &str = "\u{feff}";

/// `text` is the whole file, already known to be UTF-8.
pub(super) fn locate(text: &str, file: &str, pointer: &str) -> Result<PinMatch, PinError> {
    let tokens = tokens(pointer)?;
    let content = text.as_bytes();
    // The parser does not skip a byte order mark; positions are shifted back by its length.
    let offset = if text.starts_with(BOM) { BOM.len() } else { 0 };
    let bad_json = |pos: usize, why: String| PinError::BadJson {
        file: file.to_string(),
        line: line_at(content, pos),
        why,
    };
    let parsed =
        parse_to_ast(&text[offset..], &CollectOptions::default(), &options()).map_err(|e| {
            bad_json(
                offset + e.range().start,
                lowercase_first(&e.kind().to_string()),
            )
        })?;
    let Some(root) = parsed.value else {
        return Err(bad_json(content.len(), "the file holds no value".into()));
    };
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
        node = match node {
            Value::Object(object) => {
                let hits: Vec<_> = object
                    .properties
                    .iter()
                    .filter(|p| key(&p.name) == token.as_str())
                    .collect();
                match hits.as_slice() {
                    [] => return Err(no_value(format!("{at} has no key {token:?}"))),
                    [one] => &one.value,
                    several => {
                        return Err(PinError::Ambiguous {
                            file: file.to_string(),
                            pattern: pointer.to_string(),
                            lines: several
                                .iter()
                                .map(|p| line_at(content, offset + p.range.start))
                                .collect(),
                        });
                    }
                }
            }
            Value::Array(array) => {
                let index = array_index(token).ok_or_else(|| {
                    no_value(format!(
                        "{at} is an array, and {token:?} is not an index into it"
                    ))
                })?;
                array.elements.get(index).ok_or_else(|| {
                    no_value(format!(
                        "{at} has {} items, so there is no index {index}",
                        array.elements.len()
                    ))
                })?
            }
            other => {
                return Err(no_value(format!(
                    "{at} is {}, so it has no {token:?} inside",
                    kind(other)
                )));
            }
        };
        walked.push('/');
        walked.push_str(&escape_token(token));
    }
    matched(content, offset, file, pointer, node)
}

pub(super) fn key<'a>(name: &'a ObjectPropName<'_>) -> &'a str {
    match name {
        ObjectPropName::String(s) => &s.value,
        ObjectPropName::Word(w) => w.value,
    }
}

/// What kind of value this is, in words for an error message.
fn kind(value: &Value<'_>) -> &'static str {
    match value {
        Value::Object(_) => "an object",
        Value::Array(_) => "an array",
        Value::StringLit(_) => "a string",
        Value::NumberLit(_) => "a number",
        Value::BooleanLit(b) if b.value => "true",
        Value::BooleanLit(_) => "false",
        Value::NullKeyword(_) => "null",
    }
}

fn matched(
    content: &[u8],
    offset: usize,
    file: &str,
    pointer: &str,
    node: &Value<'_>,
) -> Result<PinMatch, PinError> {
    let start = offset + node.range().start;
    let line = line_at(content, start);
    match node {
        Value::StringLit(lit) => {
            // The range covers the quotes; the literal is what lies between them.
            let span = offset + lit.range.start + 1..offset + lit.range.end - 1;
            if content[span.clone()].contains(&b'\\') {
                return Err(PinError::EscapedString {
                    file: file.to_string(),
                    pointer: pointer.to_string(),
                    line,
                });
            }
            Ok(PinMatch {
                literal: String::from_utf8_lossy(&content[span.clone()]).into_owned(),
                range: span,
                line,
            })
        }
        other => Err(PinError::NotAString {
            file: file.to_string(),
            pointer: pointer.to_string(),
            found: kind(other).to_string(),
            line,
        }),
    }
}

/// The parser's messages start with a capital; ours continue a sentence.
fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
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

pub(super) fn escape_token(token: &str) -> String {
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
