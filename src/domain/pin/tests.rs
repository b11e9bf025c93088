//! Locating and rewriting pins: the scenarios of DESIGN.md §1 "Fork" and its byte-exact promise.

use proptest::prelude::*;

use super::*;

fn pattern(file: &str, p: &str) -> PinLocator {
    PinLocator {
        file: file.into(),
        rule: PinRule::Pattern(p.into()),
    }
}

fn pointer(file: &str, p: &str) -> PinLocator {
    PinLocator {
        file: file.into(),
        rule: PinRule::JsonPointer(p.into()),
    }
}

fn version(s: &str) -> Version {
    Version::parse(s).unwrap()
}

fn literal_at(content: &str, locator: &PinLocator) -> (String, usize) {
    let found = locate(content.as_bytes(), locator).unwrap();
    assert_eq!(&content[found.range.clone()], found.literal);
    (found.literal, found.line)
}

const TS: &str = "import * as cdk from 'aws-cdk-lib';\n\nconst version = \"v1.2.0\";\nexport const stagingVersion = \"v1.1.0\";\n";

#[test]
fn a_pattern_finds_the_literal_and_its_line() {
    let at = literal_at(
        TS,
        &pattern("lib/config.ts", "const version = \"{version}\""),
    );
    assert_eq!(at, ("v1.2.0".to_string(), 3));
    let at = literal_at(
        TS,
        &pattern("lib/config.ts", "stagingVersion = \"{version}\""),
    );
    assert_eq!(at, ("v1.1.0".to_string(), 4));
}

#[test]
fn whitespace_in_the_pattern_matches_any_run_of_spaces_and_tabs() {
    let locator = pattern("a.ts", "version = \"{version}\"");
    for text in [
        "version=\"v1\"",
        "version  =\t \"v1\"",
        "\tversion\t=\t\"v1\"\r\n",
    ] {
        assert_eq!(literal_at(text, &locator).0, "v1", "in {text:?}");
    }
}

#[test]
fn a_pattern_never_matches_across_lines() {
    let err = locate(
        b"version =\n\"v1\"\n",
        &pattern("a.ts", "version = \"{version}\""),
    )
    .unwrap_err();
    assert!(matches!(err, PinError::NoMatch { .. }), "{err}");
}

#[test]
fn the_placeholder_takes_only_version_characters() {
    let found = locate(
        b"v = \"1.2.3-rc.1+b_7\";",
        &pattern("a.ts", "v = \"{version}"),
    )
    .unwrap();
    assert_eq!(found.literal, "1.2.3-rc.1+b_7");
    let err = locate(b"v = \"\";", &pattern("a.ts", "v = \"{version}\"")).unwrap_err();
    assert!(matches!(err, PinError::NoMatch { .. }));
}

#[test]
fn no_match_names_the_file_and_the_pattern_and_says_what_to_do() {
    let err = locate(
        TS.as_bytes(),
        &pattern("lib/config.ts", "prodVersion = \"{version}\""),
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("lib/config.ts: "), "{text}");
    assert!(
        text.contains("prodVersion") && text.contains("correct the pattern"),
        "{text}"
    );
}

#[test]
fn several_matches_are_ambiguous_with_their_lines() {
    let err = locate(
        TS.as_bytes(),
        &pattern("lib/config.ts", "ersion = \"{version}\""),
    )
    .unwrap_err();
    assert_eq!(
        err,
        PinError::Ambiguous {
            file: "lib/config.ts".into(),
            pattern: "ersion = \"{version}\"".into(),
            lines: vec![3, 4],
        }
    );
    assert!(err.to_string().contains("on lines 3, 4"), "{err}");
}

#[test]
fn a_pattern_needs_exactly_one_placeholder_on_one_line() {
    for bad in [
        "version = \"v1\"",
        "{version}-{version}",
        "a = \"{version}\"\nb",
    ] {
        let err = locate(TS.as_bytes(), &pattern("a.ts", bad)).unwrap_err();
        assert!(matches!(err, PinError::BadPattern { .. }), "{bad:?}: {err}");
    }
}

#[test]
fn regex_characters_in_the_pattern_are_literal() {
    let text = "pin(\"v1\") // (.*)\npin(x) \"v2\"\n";
    let found = locate(text.as_bytes(), &pattern("a.ts", "pin(\"{version}\")")).unwrap();
    assert_eq!((found.literal.as_str(), found.line), ("v1", 1));
}

const CDK: &str = "{\n  \"app\": \"npx ts-node bin/app.ts\",\n  \"context\": {\n    \"stagingVersion\": \"v1.1.0\",\n    \"prodVersion\": \"v1.0.0\"\n  }\n}\n";

#[test]
fn a_json_pointer_finds_the_string_value_without_quotes() {
    let at = literal_at(CDK, &pointer("cdk.json", "/context/prodVersion"));
    assert_eq!(at, ("v1.0.0".to_string(), 5));
}

#[test]
fn a_json_pointer_follows_escapes_array_indices_and_escaped_keys() {
    let doc = "\u{feff}{\"a/b\": {\"m~n\": [\"x\", {\"p\\u0072od\": \"v3\"}]}}";
    let at = literal_at(doc, &pointer("cdk.json", "/a~1b/m~0n/1/prod"));
    assert_eq!(at, ("v3".to_string(), 1));
}

#[test]
fn a_json_rewrite_keeps_crlf_bom_and_key_order() {
    let doc = "\u{feff}{\r\n\t\"z\" : 1,\r\n\t\"context\" : { \"prodVersion\" :\"v1.0.0\" },\r\n\t\"a\": \"é\"\r\n}\r\n";
    let out = rewrite(
        doc.as_bytes(),
        &pointer("cdk.json", "/context/prodVersion"),
        &version("v2.0.0"),
    )
    .unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        doc.replace("v1.0.0", "v2.0.0")
    );
}

#[test]
fn duplicate_keys_on_the_path_are_ambiguous_with_their_lines() {
    let doc = "{\n\"context\": {\n\"prodVersion\": \"v1\",\n\"prodVersion\": \"v2\"\n}\n}";
    let err = locate(doc.as_bytes(), &pointer("cdk.json", "/context/prodVersion")).unwrap_err();
    assert!(
        matches!(&err, PinError::Ambiguous { lines, .. } if lines == &[3, 4]),
        "{err}"
    );
    assert!(
        err.to_string().contains("remove the duplicate key"),
        "{err}"
    );
}

#[test]
fn a_value_that_is_not_a_string_is_reported_with_its_kind_and_line() {
    let doc = "{\n  \"context\": {\n    \"prodVersion\": 12\n  }\n}";
    let err = locate(doc.as_bytes(), &pointer("cdk.json", "/context/prodVersion")).unwrap_err();
    assert_eq!(
        err,
        PinError::NotAString {
            file: "cdk.json".into(),
            pointer: "/context/prodVersion".into(),
            found: "a number".into(),
            line: 3,
        }
    );
}

#[test]
fn a_string_with_escape_sequences_cannot_be_a_version() {
    let doc = "{\"v\": \"v1\\u002e0\"}";
    let err = locate(doc.as_bytes(), &pointer("cdk.json", "/v")).unwrap_err();
    assert!(
        matches!(err, PinError::EscapedString { line: 1, .. }),
        "{err}"
    );
    assert!(
        err.to_string().contains("write the version plainly"),
        "{err}"
    );
}

#[test]
fn missing_values_say_which_step_of_the_pointer_failed() {
    let cases = [
        ("/context/devVersion", "/context has no key \"devVersion\""),
        ("/app/x", "/app is a string"),
        ("/nothing", "the document has no key \"nothing\""),
    ];
    for (p, expected) in cases {
        let err = locate(CDK.as_bytes(), &pointer("cdk.json", p)).unwrap_err();
        assert!(matches!(err, PinError::NoValue { .. }), "{p}: {err}");
        assert!(err.to_string().contains(expected), "{p}: {err}");
    }
    let arr = "{\"a\": [\"v1\"]}";
    for p in ["/a/1", "/a/-", "/a/01"] {
        let err = locate(arr.as_bytes(), &pointer("x.json", p)).unwrap_err();
        assert!(matches!(err, PinError::NoValue { .. }), "{p}: {err}");
    }
}

#[test]
fn bad_pointers_are_refused_before_reading_the_file() {
    for p in ["context/prodVersion", "/a~2b", "/a~"] {
        let err = locate(CDK.as_bytes(), &pointer("cdk.json", p)).unwrap_err();
        assert!(matches!(err, PinError::BadPointer { .. }), "{p}: {err}");
    }
}

#[test]
fn invalid_json_is_reported_with_its_line() {
    let cases: [(&[u8], usize); 8] = [
        (b"{\n  \"a\": 1,\n}\n", 3),
        (b"{\n\"a\": tru }", 2),
        (b"{\"a\": \"open", 1),
        (b"{\"a\": 01}", 1),
        (b"{\"a\": \"\\x\"}", 1),
        (b"{\"a\": \"\\ud800\"}", 1),
        (b"{} {}", 1),
        (b"\n\n{\"a\": \"\xff\"}", 3),
    ];
    for (doc, line) in cases {
        let err = locate(doc, &pointer("cdk.json", "/a")).unwrap_err();
        assert!(
            matches!(&err, PinError::BadJson { line: l, .. } if *l == line),
            "{:?}: {err}",
            String::from_utf8_lossy(doc)
        );
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let doc = "[".repeat(100_000);
    let err = locate(doc.as_bytes(), &pointer("cdk.json", "/0")).unwrap_err();
    assert!(matches!(err, PinError::BadJson { .. }), "{err}");
}

/// Text that cannot contain a pin line: no quotes, no `=`, but tabs and non-ASCII.
fn filler() -> impl Strategy<Value = String> {
    "[ \ta-zA-Z0-9éß€✓😀;:(){}/*.-]{0,24}"
}

fn version_name() -> impl Strategy<Value = String> {
    "[A-Za-z0-9][A-Za-z0-9._+-]{0,15}"
}

/// Asserts that `after` is `before` with only `range` replaced by `new`.
fn only_literal_changed(before: &[u8], after: &[u8], range: &Range<usize>, new: &str) {
    assert_eq!(&before[..range.start], &after[..range.start]);
    assert_eq!(&after[range.start..range.start + new.len()], new.as_bytes());
    assert_eq!(&before[range.end..], &after[range.start + new.len()..]);
}

proptest! {
    #[test]
    fn pattern_rewrite_changes_only_the_literal(
        bom in any::<bool>(),
        crlf in any::<bool>(),
        above in prop::collection::vec(filler(), 0..5),
        below in prop::collection::vec(filler(), 0..5),
        indent in "[ \t]{0,3}",
        around_eq in ("[ \t]{0,2}", "[ \t]{0,2}"),
        tail in filler(),
        old in version_name(),
        new in version_name(),
    ) {
        let eol = if crlf { "\r\n" } else { "\n" };
        let mut text = String::from(if bom { "\u{feff}" } else { "" });
        for line in &above {
            text.push_str(line);
            text.push_str(eol);
        }
        text.push_str(&format!("{indent}const version{}={}\"{old}\";{tail}{eol}", around_eq.0, around_eq.1));
        for line in &below {
            text.push_str(line);
            text.push_str(eol);
        }
        let locator = pattern("lib/version.ts", "const version = \"{version}\"");
        let before = locate(text.as_bytes(), &locator).unwrap();
        prop_assert_eq!(&before.literal, &old);
        prop_assert_eq!(before.line, above.len() + 1);

        let after = rewrite(text.as_bytes(), &locator, &version(&new)).unwrap();
        prop_assert_eq!(locate(&after, &locator).unwrap().literal, new.clone());
        only_literal_changed(text.as_bytes(), &after, &before.range, &new);
    }

    #[test]
    fn json_rewrite_changes_only_the_literal(
        bom in any::<bool>(),
        crlf in any::<bool>(),
        space in "[ \t]{0,2}",
        others in prop::collection::vec(("[a-zA-Z]{1,8}", "[a-zé€ 😀]{0,8}"), 0..4),
        position in 0usize..4,
        old in version_name(),
        new in version_name(),
    ) {
        let eol = if crlf { "\r\n" } else { "\n" };
        let mut members: Vec<String> = others
            .iter()
            .filter(|(key, _)| key != "prodVersion")
            .map(|(key, value)| format!("{space}{space}\"{key}\"{space}:{space}\"{value}\""))
            .collect();
        members.insert(position.min(members.len()), format!("{space}{space}\"prodVersion\":{space}\"{old}\""));
        let separator = format!(",{eol}");
        let text = format!(
            "{}{{{eol}{space}\"context\": {{{eol}{}{eol}{space}}}{eol}}}{eol}",
            if bom { "\u{feff}" } else { "" },
            members.join(&separator),
        );
        let locator = pointer("cdk.json", "/context/prodVersion");
        let before = locate(text.as_bytes(), &locator)
            .map_err(|e| TestCaseError::fail(format!("{e} in {text:?}")))?;
        prop_assert_eq!(&before.literal, &old);

        let after = rewrite(text.as_bytes(), &locator, &version(&new)).unwrap();
        prop_assert_eq!(locate(&after, &locator).unwrap().literal, new.clone());
        only_literal_changed(text.as_bytes(), &after, &before.range, &new);
    }
}
