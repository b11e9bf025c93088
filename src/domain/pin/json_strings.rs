//! Every string value of a JSON document with its JSON pointer, for finding pins in files such
//! as `cdk.json` before any locator exists.

use jsonc_parser::ast::Value;
use jsonc_parser::{CollectOptions, parse_to_ast};

use super::json_pointer::{BOM, escape_token, key, options};
use super::{PinMatch, line_at};

/// Each unescaped string value and the pointer that names it, in document order; `None` when
/// the file is not JSON as the pointer rule reads it, so callers fall back to text.
pub fn json_strings(content: &[u8]) -> Option<Vec<(String, PinMatch)>> {
    let text = std::str::from_utf8(content).ok()?;
    // The parser does not skip a byte order mark; positions are shifted back by its length.
    let offset = if text.starts_with(BOM) { BOM.len() } else { 0 };
    let parsed = parse_to_ast(&text[offset..], &CollectOptions::default(), &options()).ok()?;
    let mut out = Vec::new();
    if let Some(root) = &parsed.value {
        walk(content, offset, root, &mut String::new(), &mut out);
    }
    Some(out)
}

fn walk(
    content: &[u8],
    offset: usize,
    node: &Value<'_>,
    pointer: &mut String,
    out: &mut Vec<(String, PinMatch)>,
) {
    match node {
        Value::Object(object) => {
            for p in &object.properties {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&escape_token(key(&p.name)));
                walk(content, offset, &p.value, pointer, out);
                pointer.truncate(len);
            }
        }
        Value::Array(array) => {
            for (i, item) in array.elements.iter().enumerate() {
                let len = pointer.len();
                pointer.push_str(&format!("/{i}"));
                walk(content, offset, item, pointer, out);
                pointer.truncate(len);
            }
        }
        Value::StringLit(lit) => {
            // The range covers the quotes; the literal is what lies between them. An escaped
            // literal cannot be rewritten byte for byte, so it is no candidate.
            let span = offset + lit.range.start + 1..offset + lit.range.end - 1;
            if !content[span.clone()].contains(&b'\\') {
                out.push((
                    pointer.clone(),
                    PinMatch {
                        literal: String::from_utf8_lossy(&content[span.clone()]).into_owned(),
                        range: span,
                        line: line_at(content, offset + lit.range.start),
                    },
                ));
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_string_comes_with_its_pointer_and_line() {
        let doc = b"{\n  \"context\": {\n    \"prodVersion\": \"v1.2.0\",\n    \"a/b\": [\"x\", 1]\n  }\n}\n";
        let found: Vec<(String, String, usize)> = json_strings(doc)
            .unwrap()
            .into_iter()
            .map(|(p, m)| (p, m.literal, m.line))
            .collect();
        assert_eq!(
            found,
            [
                ("/context/prodVersion".into(), "v1.2.0".into(), 3),
                ("/context/a~1b/0".into(), "x".into(), 4)
            ]
        );
        // Comments are read as the pointer rule reads them; what is not JSON gives nothing.
        assert_eq!(json_strings(b"{ // comment\n}").map(|v| v.len()), Some(0));
        assert!(json_strings(b"{ \"a\": ").is_none());
    }
}
