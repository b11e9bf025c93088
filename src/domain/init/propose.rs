//! From the version literals found to the environments of a proposed configuration.

use super::scan::Candidate;
use crate::domain::pin::PinLocator;

/// Words that name an environment, in the order environments are usually promoted through.
const ENV_WORDS: &[&str] = &[
    "sandbox",
    "dev",
    "development",
    "int",
    "integration",
    "test",
    "testing",
    "qa",
    "uat",
    "stage",
    "staging",
    "preprod",
    "prod",
    "production",
    "live",
];

/// The name used when a fork pins one version and nothing says for which environment.
pub const SOLE_ENVIRONMENT: &str = "prod";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProposedEnv {
    pub name: String,
    pub locator: PinLocator,
    /// The literal it pins now, and where.
    pub literal: String,
    pub file: String,
    pub line: usize,
}

/// What init proposes, and what it found but leaves out, with why.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Proposal {
    pub environments: Vec<ProposedEnv>,
    pub left_out: Vec<(Candidate, String)>,
}

/// The words of a key: `stagingVersion`, `STAGING_VERSION`, `/context/staging-version` all
/// give `staging` and `version`.
fn words(key: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for c in key.chars() {
        if !c.is_ascii_alphanumeric() {
            out.push(std::mem::take(&mut word));
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower {
            out.push(std::mem::take(&mut word));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        word.push(c.to_ascii_lowercase());
    }
    out.push(word);
    out.retain(|w| !w.is_empty());
    out
}

/// The environment a key names, as written there (`staging`, `prod`).
fn environment_of(key: &str) -> Option<&'static str> {
    words(key)
        .iter()
        .find_map(|w| ENV_WORDS.iter().find(|e| *e == w).copied())
}

fn rank(name: &str) -> usize {
    ENV_WORDS
        .iter()
        .position(|w| *w == name)
        .unwrap_or(ENV_WORDS.len())
}

/// One environment per name found in a key; a fork with a single pin and no such name gets one
/// environment, [`SOLE_ENVIRONMENT`].
pub fn propose(candidates: Vec<Candidate>) -> Proposal {
    let mut proposal = Proposal::default();
    let usable: Vec<&Candidate> = candidates.iter().filter(|c| c.locator.is_ok()).collect();
    let sole = usable.len() == 1 && usable[0].key.as_deref().and_then(environment_of).is_none();
    for c in &candidates {
        let locator = match &c.locator {
            Ok(l) => l.clone(),
            Err(why) => {
                proposal
                    .left_out
                    .push((c.clone(), format!("no locator matches it alone: {why}")));
                continue;
            }
        };
        let name = match c.key.as_deref().and_then(environment_of) {
            Some(name) => name,
            None if sole => SOLE_ENVIRONMENT,
            None => {
                proposal.left_out.push((
                    c.clone(),
                    "its name says no environment (dev, staging, prod, …)".into(),
                ));
                continue;
            }
        };
        if let Some(first) = proposal.environments.iter().find(|e| e.name == name) {
            let why = format!("{name} is already pinned at {}:{}", first.file, first.line);
            proposal.left_out.push((c.clone(), why));
            continue;
        }
        proposal.environments.push(ProposedEnv {
            name: name.to_string(),
            locator,
            literal: c.literal.clone(),
            file: c.file.clone(),
            line: c.line,
        });
    }
    proposal.environments.sort_by_key(|e| rank(&e.name));
    proposal
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::init::scan::scan;

    #[test]
    fn keys_name_environments_whatever_their_case() {
        assert_eq!(environment_of("stagingVersion"), Some("staging"));
        assert_eq!(environment_of("PROD_VERSION"), Some("prod"));
        assert_eq!(environment_of("/context/dev-release"), Some("dev"));
        assert_eq!(environment_of("productVersion"), None);
        assert_eq!(environment_of("ltbaseVersion"), None);
    }

    #[test]
    fn environments_come_in_promotion_order_and_unnamed_pins_are_left_out() {
        let ts = "export const prodVersion = \"v1.2.0\";\nexport const devVersion = \"v1.3.0\";\nexport const cdkVersion = \"v2.100.0\";\n";
        let p = propose(scan("lib/config.ts", ts.as_bytes()));
        let names: Vec<&str> = p.environments.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["dev", "prod"]);
        assert_eq!(p.left_out.len(), 1);
        assert_eq!(p.left_out[0].0.literal, "v2.100.0");
    }

    #[test]
    fn a_single_unnamed_pin_is_the_one_environment() {
        let p = propose(scan("bin/app.ts", b"const version = \"v1.2.0\";\n"));
        assert_eq!(p.environments.len(), 1);
        assert_eq!(p.environments[0].name, SOLE_ENVIRONMENT);
    }
}
