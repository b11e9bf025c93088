//! docs/iam.md's policies against the calls the adapters make: the read-only role allows every
//! call of a refresh and nothing that changes anything; the operator role exactly what its
//! actions call.

use std::collections::BTreeSet;

use shiftdeck::aws::{OPERATOR_ACTIONS, READ_ACTIONS};

/// The actions of the first JSON block after `heading`.
fn actions(doc: &str, heading: &str) -> BTreeSet<String> {
    let after = &doc[doc.find(heading).unwrap_or_else(|| panic!("no {heading}"))..];
    let start = after.find("```json\n").expect("a json block") + 8;
    let end = start + after[start..].find("```").expect("its end");
    let policy: serde_json::Value = serde_json::from_str(&after[start..end]).expect("valid JSON");
    let mut out = BTreeSet::new();
    for statement in policy["Statement"].as_array().expect("statements") {
        assert_eq!(statement["Effect"], "Allow", "{statement}");
        match &statement["Action"] {
            serde_json::Value::String(a) => {
                out.insert(a.clone());
            }
            serde_json::Value::Array(list) => {
                out.extend(list.iter().map(|a| a.as_str().unwrap().to_string()));
            }
            other => panic!("unexpected Action {other}"),
        }
    }
    out
}

fn set(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn the_viewer_may_read_everything_a_refresh_reads_and_change_nothing() {
    let doc = std::fs::read_to_string("docs/iam.md").unwrap();
    let viewer = actions(&doc, "## Read-only role");
    assert_eq!(viewer, set(&READ_ACTIONS));
    let mutating: BTreeSet<String> = set(&OPERATOR_ACTIONS)
        .difference(&set(&READ_ACTIONS))
        .cloned()
        .collect();
    assert!(viewer.is_disjoint(&mutating), "{viewer:?}");
}

#[test]
fn the_operator_may_do_exactly_what_its_actions_call() {
    let doc = std::fs::read_to_string("docs/iam.md").unwrap();
    assert_eq!(actions(&doc, "## Operator role"), set(&OPERATOR_ACTIONS));
}
