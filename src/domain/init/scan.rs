//! Finding version literals (`"v1.2.3"`) in a fork's source files, each with a locator that
//! matches it and nothing else in its file.

use regex_lite::Regex;
use std::path::PathBuf;
use std::sync::LazyLock;

use crate::domain::pin::{self, PinLocator, PinRule};

/// A release version as vendors name them: `v` and semver, with pre-release or build parts.
const VERSION: &str = r"v\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?";

static QUOTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r#""({VERSION})"|'({VERSION})'|`({VERSION})`"#)).expect("valid regex")
});
/// A YAML value written without quotes: `prodVersion: v1.2.0`, maybe with a comment after.
static YAML_PLAIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"^(\s*[\w.-]+:\s*)({VERSION})\s*(?:#.*)?$")).expect("valid regex")
});
/// The key a value is assigned to, at the end of the text before it: `const prodVersion = `,
/// `"prodVersion": `, `PROD_VERSION=`, `prodVersion: `.
static KEY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"([A-Za-z_$][\w$.-]*)["']?\s*[:=]\s*$"#).expect("valid regex"));

/// The kinds of file scanned, by name.
pub fn is_scanned(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lock_file = matches!(
        name,
        "package-lock.json" | "npm-shrinkwrap.json" | "pnpm-lock.yaml" | "composer.lock"
    );
    let vendored = path
        .split('/')
        .any(|d| matches!(d, "node_modules" | "cdk.out" | ".venv" | "venv"));
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let source = matches!(
        ext,
        "ts" | "tsx"
            | "mts"
            | "cts"
            | "js"
            | "jsx"
            | "mjs"
            | "cjs"
            | "py"
            | "json"
            | "yaml"
            | "yml"
            | "toml"
    );
    source && !lock_file && !vendored
}

/// One version literal found in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub file: String,
    pub line: usize,
    pub literal: String,
    /// What the value is assigned to: an identifier, a key, or a JSON pointer.
    pub key: Option<String>,
    /// A locator that matches exactly this literal, or why none could be made.
    pub locator: Result<PinLocator, String>,
}

/// Every version literal in `content`, which is `file` in the fork.
pub fn scan(file: &str, content: &[u8]) -> Vec<Candidate> {
    if file.ends_with(".json")
        && let Some(strings) = pin::json_strings(content)
    {
        return strings
            .into_iter()
            .filter(|(_, m)| is_version(&m.literal))
            .map(|(pointer, m)| Candidate {
                file: file.into(),
                line: m.line,
                literal: m.literal,
                key: Some(pointer.clone()),
                locator: Ok(PinLocator {
                    file: PathBuf::from(file),
                    rule: PinRule::JsonPointer(pointer),
                }),
            })
            .collect();
    }
    let Ok(text) = std::str::from_utf8(content) else {
        return Vec::new();
    };
    let comment = comment_marker(file);
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        for (start, literal, quote) in literals(line, file) {
            let before = &line[..start];
            // A version in a comment is history or prose, not a pin.
            if comment.iter().any(|c| before.contains(c)) {
                continue;
            }
            let key = KEY.captures(before).and_then(|c| c.get(1));
            out.push(Candidate {
                file: file.into(),
                line: i + 1,
                literal: literal.to_string(),
                key: key.map(|k| k.as_str().to_string()),
                locator: text_locator(
                    file,
                    content,
                    (i + 1, line),
                    start,
                    key.map(|k| k.start()),
                    quote,
                ),
            });
        }
    }
    out
}

fn is_version(s: &str) -> bool {
    static WHOLE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(&format!("^{VERSION}$")).expect("valid regex"));
    WHOLE.is_match(s)
}

fn comment_marker(file: &str) -> &'static [&'static str] {
    if file.ends_with(".py")
        || file.ends_with(".yaml")
        || file.ends_with(".yml")
        || file.ends_with(".toml")
    {
        &["#"]
    } else {
        &["//", "/*"]
    }
}

/// Each literal on `line`: where its opening quote is, the version, and the quote used.
fn literals<'l>(line: &'l str, file: &str) -> Vec<(usize, &'l str, &'static str)> {
    let mut out: Vec<_> = QUOTED
        .captures_iter(line)
        .filter_map(|c| {
            let whole = c.get(0)?;
            let (m, quote) = [(1, "\""), (2, "'"), (3, "`")]
                .into_iter()
                .find_map(|(i, q)| c.get(i).map(|m| (m, q)))?;
            Some((whole.start(), m.as_str(), quote))
        })
        .collect();
    if out.is_empty()
        && (file.ends_with(".yaml") || file.ends_with(".yml"))
        && let Some(c) = YAML_PLAIN.captures(line)
        && let Some(m) = c.get(2)
    {
        out.push((m.start(), m.as_str(), ""));
    }
    out
}

/// A pattern from the key (or the start of the line) to the closing quote, widened to the
/// whole line when that matches elsewhere in the file too.
fn text_locator(
    file: &str,
    content: &[u8],
    (line_no, line): (usize, &str),
    quote_at: usize,
    key_at: Option<usize>,
    quote: &str,
) -> Result<PinLocator, String> {
    let indent = line.len() - line.trim_start().len();
    let tries = [key_at.unwrap_or(indent), indent];
    let mut last = String::new();
    for from in tries {
        let pattern = format!("{}{quote}{{version}}{quote}", &line[from..quote_at]);
        let locator = PinLocator {
            file: PathBuf::from(file),
            rule: PinRule::Pattern(pattern.trim().to_string()),
        };
        match pin::locate(content, &locator) {
            Ok(m) if m.line == line_no => return Ok(locator),
            Ok(_) => last = "the pattern matches another line".into(),
            Err(e) => last = e.to_string(),
        }
    }
    Err(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(c: &Candidate) -> String {
        match &c.locator {
            Ok(PinLocator {
                rule: PinRule::Pattern(p) | PinRule::JsonPointer(p),
                ..
            }) => p.clone(),
            Err(e) => format!("ERR {e}"),
        }
    }

    #[test]
    fn typescript_pins_get_a_pattern_from_their_name() {
        let ts = "// upgraded from \"v1.1.0\" last week\nexport const devVersion = \"v1.3.0\";\nexport const stagingVersion = 'v1.2.1-rc.1';\nconst note = \"see v1.0.0\";\n";
        let found = scan("lib/config.ts", ts.as_bytes());
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(
            (
                found[0].line,
                found[0].literal.as_str(),
                found[0].key.as_deref()
            ),
            (2, "v1.3.0", Some("devVersion"))
        );
        assert_eq!(pattern(&found[0]), "devVersion = \"{version}\"");
        assert_eq!(pattern(&found[1]), "stagingVersion = '{version}'");
    }

    #[test]
    fn python_toml_and_plain_yaml_values_are_found() {
        let py = scan("app/versions.py", b"PROD_VERSION = \"v2.0.0\"  # pinned\n");
        assert_eq!(pattern(&py[0]), "PROD_VERSION = \"{version}\"");
        let toml = scan("deploy.toml", b"[release]\nstaging_version = \"v1.0.0\"\n");
        assert_eq!(toml[0].key.as_deref(), Some("staging_version"));
        let yaml = scan("env.yml", b"dev:\n  version: v1.4.0 # bumped\n");
        assert_eq!(pattern(&yaml[0]), "version: {version}");
    }

    #[test]
    fn a_pattern_that_matches_twice_is_widened_or_reported() {
        let ts = "a.version = \"v1.0.0\";\nb.version = \"v1.0.0\";\n";
        let found = scan("x.ts", ts.as_bytes());
        assert_eq!(pattern(&found[0]), "a.version = \"{version}\"");
        let yaml = "dev:\n  version: v1.0.0\nprod:\n  version: v1.1.0\n";
        let found = scan("envs.yaml", yaml.as_bytes());
        assert!(pattern(&found[0]).starts_with("ERR "), "{found:?}");
        assert!(pattern(&found[0]).contains("exactly once"), "{found:?}");
    }

    #[test]
    fn json_values_get_a_pointer() {
        let json = b"{\"version\": \"1.0.0\", \"context\": {\"prodVersion\": \"v1.2.0\", \"url\": \"https://x/v1.2.0/\"}}";
        let found = scan("cdk.json", json);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(pattern(&found[0]), "/context/prodVersion");
    }

    #[test]
    fn lock_files_and_vendored_folders_are_not_scanned() {
        assert!(is_scanned("lib/config.ts") && is_scanned("cdk.json"));
        assert!(!is_scanned("package-lock.json"));
        assert!(!is_scanned("node_modules/x/index.js"));
        assert!(!is_scanned("CHANGELOG.md"));
    }
}
