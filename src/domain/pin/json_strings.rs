//! Every string value of a JSON document with its JSON pointer, for finding pins in files such
//! as `cdk.json` before any locator exists.

use super::json_scan::{self, Node, Value};
use super::{PinMatch, line_at};

/// Each unescaped string value and the pointer that names it, in document order; `None` when
/// the file is not strict JSON (comments, trailing commas), so callers fall back to text.
pub fn json_strings(content: &[u8]) -> Option<Vec<(String, PinMatch)>> {
    let root = json_scan::parse(content).ok()?;
    let mut out = Vec::new();
    walk(content, &root, &mut String::new(), &mut out);
    Some(out)
}

fn walk(content: &[u8], node: &Node, pointer: &mut String, out: &mut Vec<(String, PinMatch)>) {
    match &node.value {
        Value::Object(members) => {
            for m in members {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&m.key.replace('~', "~0").replace('/', "~1"));
                walk(content, &m.node, pointer, out);
                pointer.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push_str(&format!("/{i}"));
                walk(content, item, pointer, out);
                pointer.truncate(len);
            }
        }
        Value::String {
            span,
            escaped: false,
        } => out.push((
            pointer.clone(),
            PinMatch {
                literal: String::from_utf8_lossy(&content[span.clone()]).into_owned(),
                range: span.clone(),
                line: line_at(content, node.start),
            },
        )),
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
        assert!(json_strings(b"{ // comment\n}").is_none());
    }
}
