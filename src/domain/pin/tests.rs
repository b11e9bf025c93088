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
    let text =
        "const version = \"v1\";\n// old: const version = \"v0\";\nconst version = \"v2\";\n";
    let err = locate(
        text.as_bytes(),
        &pattern("lib/config.ts", "version = \"{version}\""),
    )
    .unwrap_err();
    assert_eq!(
        err,
        PinError::Ambiguous {
            file: "lib/config.ts".into(),
            pattern: "version = \"{version}\"".into(),
            lines: vec![1, 2, 3],
        }
    );
    assert!(err.to_string().contains("on lines 1, 2, 3"), "{err}");
}

/// The case from the field: prod's pattern also occurs inside preprod's name.
const PREPROD: &str =
    "export const preprodVersion = \"v1.1.0\";\nexport const prodVersion: string = \"v1.0.0\";\n";

#[test]
fn a_pattern_matches_whole_names_only() {
    let prod = pattern("lib/config.ts", "prodVersion = \"{version}\"");
    let err = locate(PREPROD.as_bytes(), &prod).unwrap_err();
    assert!(
        matches!(err, PinError::NoMatch { .. }),
        "preprodVersion is not prodVersion: {err}"
    );
    let typed = pattern("lib/config.ts", "prodVersion: string = \"{version}\"");
    assert_eq!(literal_at(PREPROD, &typed), ("v1.0.0".to_string(), 2));
    let preprod = pattern("lib/config.ts", "preprodVersion = \"{version}\"");
    let out = rewrite(PREPROD.as_bytes(), &preprod, &version("v1.2.0")).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        PREPROD.replacen("v1.1.0", "v1.2.0", 1)
    );
}

#[test]
fn a_name_continued_after_the_pattern_is_not_a_match() {
    // `version` ends with a name character, so `versionOld` is another name.
    let text = "versionOld = v0\nversion = v1\n";
    let found = locate(text.as_bytes(), &pattern("a.env", "version = {version}")).unwrap();
    assert_eq!((found.literal.as_str(), found.line), ("v1", 2));
    // A placeholder at the end stops where the version does, and `$` would continue a name.
    let err = locate(b"v = v1$x\n", &pattern("a.sh", "v = {version}")).unwrap_err();
    assert!(matches!(err, PinError::NoMatch { .. }), "{err}");
    // Text that does not end with a name character may be followed by anything.
    let found = locate(b"x=\"v1\"y", &pattern("a.ts", "x=\"{version}\"")).unwrap();
    assert_eq!(found.literal, "v1");
}

#[test]
fn a_match_inside_a_longer_name_does_not_hide_a_real_one_right_after() {
    let text = "aversion = \"v0\" version = \"v1\"";
    let found = locate(
        text.as_bytes(),
        &pattern("a.ts", " version = \"{version}\" "),
    )
    .unwrap();
    assert_eq!(found.literal, "v1");
}

#[test]
fn single_quoted_literals_are_found_with_a_single_quoted_pattern() {
    let text = "VERSION = 'v3.1.4'  # pinned\nOTHER_VERSION = 'v0.0.1'\n";
    let locator = pattern("settings.py", "VERSION = '{version}'");
    assert_eq!(literal_at(text, &locator), ("v3.1.4".to_string(), 1));
    let out = rewrite(text.as_bytes(), &locator, &version("v3.2.0")).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        text.replacen("v3.1.4", "v3.2.0", 1)
    );
}

#[test]
fn a_very_large_file_is_located_and_rewritten_in_place() {
    let mut text = String::with_capacity(12 << 20);
    for i in 0..200_000 {
        text.push_str(&format!(
            "export const setting{i} = \"value {i}\"; // ünï\n"
        ));
    }
    text.push_str("export const prodVersion = \"v1.0.0\";\n");
    text.push_str(&"// trailing comment line\n".repeat(100_000));
    let locator = pattern("lib/config.ts", "prodVersion = \"{version}\"");
    let (literal, line) = literal_at(&text, &locator);
    assert_eq!((literal.as_str(), line), ("v1.0.0", 200_001));
    let out = rewrite(text.as_bytes(), &locator, &version("v1.1.0")).unwrap();
    assert_eq!(
        out,
        text.replacen("\"v1.0.0\"", "\"v1.1.0\"", 1).into_bytes()
    );

    let json = format!(
        "{{\"filler\": [{}], \"context\": {{\"prodVersion\": \"v1.0.0\"}}}}",
        vec!["\"x\""; 500_000].join(",")
    );
    let found = locate(
        json.as_bytes(),
        &pointer("cdk.json", "/context/prodVersion"),
    )
    .unwrap();
    assert_eq!(found.literal, "v1.0.0");
}

#[test]
fn a_file_that_is_not_utf8_says_so() {
    let utf16: Vec<u8> = "\u{feff}const version = \"v1\";\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let latin1 = b"// caf\xe9\nconst version = \"v1\";\n".to_vec();
    let locators = [
        pattern("lib/config.ts", "const version = \"{version}\""),
        pointer("lib/config.ts", "/version"),
    ];
    for locator in &locators {
        let err = locate(&utf16, locator).unwrap_err();
        assert!(
            matches!(&err, PinError::NotUtf8 { why, .. } if why.contains("UTF-16")),
            "{err}"
        );
        let err = locate(&latin1, locator).unwrap_err();
        assert!(
            matches!(&err, PinError::NotUtf8 { why, .. } if why.contains("0xe9 on line 1")),
            "{err}"
        );
        assert!(
            err.to_string()
                .starts_with("lib/config.ts: the file is not UTF-8")
        );
        assert!(err.to_string().contains("save it as UTF-8"), "{err}");
    }
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
    let cases: [(&[u8], usize); 9] = [
        (b"{\n  \"a\": 1,,\n}\n", 2),
        (b"{\n\"a\": tru }", 2),
        (b"{\"a\": \"open", 1),
        (b"{\"a\": 0x1}", 1),
        (b"{\"a\": \"\\x41\"}", 1),
        (b"{} {}", 1),
        (b"{\n'a': \"v1\"}", 2),
        (b"{\na: \"v1\"}", 2),
        (b"\n\n{\"a\": \"v1\" /* open", 3),
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
fn comments_and_trailing_commas_in_a_context_file_are_read_and_kept() {
    let doc = "{\n  // the versions each stage deploys\n  \"context\": {\n    \"prodVersion\": /* pinned */ \"v1.0.0\",\n  },\n}\n";
    let locator = pointer("cdk.json", "/context/prodVersion");
    assert_eq!(literal_at(doc, &locator), ("v1.0.0".to_string(), 4));
    let out = rewrite(doc.as_bytes(), &locator, &version("v1.1.0")).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        doc.replace("v1.0.0", "v1.1.0")
    );
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

    /// Whatever the bytes, a locate returns an error or a literal that really is at its range,
    /// and a rewrite of it is found again with every other byte unchanged.
    #[test]
    fn any_bytes_are_an_error_or_a_true_match(
        bytes in prop::collection::vec(any::<u8>(), 0..400),
        text in "\\PC{0,200}",
        json in r#"[\{\}\[\]":, \n/*a-z0-9\\v.]{0,120}"#,
    ) {
        let locators = [
            pattern("a.ts", "version = \"{version}\""),
            pattern("a.ts", "{version}"),
            pointer("cdk.json", "/a"),
            pointer("cdk.json", "/a/0"),
        ];
        for content in [bytes.as_slice(), text.as_bytes(), json.as_bytes()] {
            for locator in &locators {
                if let Ok(found) = locate(content, locator) {
                    prop_assert_eq!(&content[found.range.clone()], found.literal.as_bytes());
                    prop_assert_eq!(found.line, line_at(content, found.range.start));
                    if let Ok(new) = Version::parse("v9.8.7") {
                        let after = replace(content, &found, &new);
                        let again = locate(&after, locator);
                        prop_assert!(again.is_ok(), "{:?}", again);
                        prop_assert_eq!(again.unwrap().range.start, found.range.start);
                        only_literal_changed(content, &after, &found.range, new.as_str());
                    }
                }
            }
        }
    }

    /// A pin line whose name is continued on either side, near the real one or alone: only the
    /// real one is ever found.
    #[test]
    fn a_near_miss_name_is_never_taken_for_the_pin(
        before in "[A-Za-z0-9_$]{1,6}",
        after in "[A-Za-z0-9_$]{1,6}",
        which in 0usize..3,
        real in any::<bool>(),
        real_first in any::<bool>(),
        old in version_name(),
    ) {
        let near = match which {
            0 => format!("const {before}prodVersion = \"v0.0.1\";"),
            1 => format!("const prodVersion{after} = \"v0.0.1\";"),
            _ => format!("const {before}prodVersion{after} = \"v0.0.1\";"),
        };
        let real_line = format!("const prodVersion = \"{old}\";");
        let lines = match (real, real_first) {
            (false, _) => vec![near],
            (true, true) => vec![real_line, near],
            (true, false) => vec![near, real_line],
        };
        let text = lines.join("\n");
        let found = locate(text.as_bytes(), &pattern("a.ts", "prodVersion = \"{version}\""));
        if real {
            let found = found.map_err(|e| TestCaseError::fail(format!("{e} in {text:?}")))?;
            prop_assert_eq!(found.literal, old);
            prop_assert_eq!(found.line, if real_first { 1 } else { 2 });
        } else {
            prop_assert!(matches!(found, Err(PinError::NoMatch { .. })), "{:?} in {:?}", found, text);
        }
    }
}
