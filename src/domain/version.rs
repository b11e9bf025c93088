//! Release versions as the vendor names them: `v1.2.0`, `v1.3.0-rc.1`, or anything else.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cmp::Ordering;
use std::fmt;

/// A release version. Semver names (with or without a leading `v`) sort by semver precedence;
/// any other name sorts after every semver name, alphabetically.
#[derive(Clone, Debug)]
pub struct Version {
    raw: String,
    semver: Option<semver::Version>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    #[error("a version cannot be empty")]
    Empty,
    #[error("version {0:?} contains {1:?}; use letters, digits, '.', '-', '+' or '_'")]
    BadCharacter(String, char),
}

impl Version {
    pub fn parse(s: &str) -> Result<Self, VersionError> {
        if s.is_empty() {
            return Err(VersionError::Empty);
        }
        // The name is written into source files between quotes: only characters that need no
        // escaping in TypeScript, JSON or a shell are accepted.
        if let Some(c) = s
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '_')))
        {
            return Err(VersionError::BadCharacter(s.to_string(), c));
        }
        let semver = semver::Version::parse(s.strip_prefix('v').unwrap_or(s)).ok();
        Ok(Self {
            raw: s.to_string(),
            semver,
        })
    }

    /// Whether the name is a semantic version (with or without the `v`).
    pub fn is_semver(&self) -> bool {
        self.semver.is_some()
    }

    pub fn as_str(&self) -> &str {
        &self.raw
    }

    pub fn is_prerelease(&self) -> bool {
        self.semver.as_ref().is_some_and(|v| !v.pre.is_empty())
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Version {}

impl std::hash::Hash for Version {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.raw.hash(state)
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        match (&self.semver, &other.semver) {
            (Some(a), Some(b)) => a.cmp(b).then_with(|| self.raw.cmp(&other.raw)),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => self.raw.cmp(&other.raw),
        }
    }
}

impl Serialize for Version {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.raw)
    }
}

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Version::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn sorts_semver_then_prerelease_then_other_names_last() {
        let mut all = [
            v("nightly"),
            v("v1.10.0"),
            v("v1.2.0"),
            v("v1.3.0-rc.1"),
            v("v1.3.0"),
            v("1.2.5"),
            v("alpha-build"),
        ];
        all.sort();
        let names: Vec<_> = all.iter().map(|v| v.as_str()).collect();
        assert_eq!(
            names,
            [
                "v1.2.0",
                "1.2.5",
                "v1.3.0-rc.1",
                "v1.3.0",
                "v1.10.0",
                "alpha-build",
                "nightly"
            ]
        );
    }

    #[test]
    fn rejects_characters_that_would_break_a_source_literal() {
        assert_eq!(Version::parse(""), Err(VersionError::Empty));
        assert!(matches!(
            Version::parse("v1\"; rm"),
            Err(VersionError::BadCharacter(_, '"'))
        ));
        assert!(v("v1.3.0-rc.1").is_prerelease());
        assert!(!v("v1.3.0").is_prerelease());
    }
}
