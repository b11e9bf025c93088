//! What the release repository says about a version, and whether it may be pinned.

use serde::{Deserialize, Serialize};

use super::version::Version;

/// `manifest.json` in a version folder of the release repository.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub version: String,
    pub released_at: String,
    pub artifacts: Vec<ArtifactEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Why the vendor withdrew this version, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yanked: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtifactEntry {
    pub name: String,
    pub key: String,
    pub sha256: String,
    pub size: u64,
}

/// Outcome of checking `manifest.json.minisig` against the vendor key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "signature", content = "detail", rename_all = "snake_case")]
pub enum SignatureCheck {
    Valid,
    Missing,
    Invalid(String),
}

/// Outcome of comparing artifact checksums with the manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "integrity", rename_all = "snake_case")]
pub enum IntegrityCheck {
    /// Every artifact's SHA-256 matched the manifest.
    Matched,
    /// Not every artifact could be checked without downloading it.
    NotChecked,
    Mismatch {
        artifact: String,
        expected: String,
        actual: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "detail", rename_all = "snake_case")]
pub enum ReleaseStatus {
    Verified,
    Unsigned,
    BadSignature(String),
    ChecksumMismatch(String),
    Yanked(String),
}

impl ReleaseStatus {
    /// The status a version shows: the most serious finding wins.
    pub fn from_checks(
        sig: &SignatureCheck,
        integrity: &IntegrityCheck,
        yanked: Option<&str>,
    ) -> Self {
        match (sig, integrity, yanked) {
            (SignatureCheck::Invalid(why), _, _) => Self::BadSignature(why.clone()),
            (_, IntegrityCheck::Mismatch { artifact, .. }, _) => {
                Self::ChecksumMismatch(artifact.clone())
            }
            (_, _, Some(reason)) => Self::Yanked(reason.to_string()),
            (SignatureCheck::Missing, _, _) => Self::Unsigned,
            (SignatureCheck::Valid, _, None) => Self::Verified,
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Self::Verified => "verified",
            Self::Unsigned => "unsigned",
            Self::BadSignature(_) => "bad signature",
            Self::ChecksumMismatch(_) => "checksum mismatch",
            Self::Yanked(_) => "yanked",
        }
    }

    /// Whether a person may pin the version anyway, with a reason. An unsigned or yanked
    /// version is what the vendor published, knowingly: a hotfix sent before signing, a version
    /// withdrawn for a problem that does not apply here. A bad signature or a checksum mismatch
    /// means the bytes are not what the vendor published, and no reason makes them safe to run.
    pub fn overridable(&self) -> bool {
        matches!(self, Self::Unsigned | Self::Yanked(_))
    }

    /// `Ok` when the version may be pinned without an override, else why not.
    pub fn pinnable(&self, version: &Version) -> Result<(), String> {
        match self {
            Self::Verified => Ok(()),
            Self::Unsigned => Err(format!(
                "{version} is unsigned: its manifest has no minisign signature from the vendor key"
            )),
            Self::BadSignature(why) => Err(format!(
                "{version} has a bad signature ({why}): the manifest may have been tampered with"
            )),
            Self::ChecksumMismatch(artifact) => Err(format!(
                "{version} failed its integrity check: {artifact} does not match the SHA-256 in the manifest"
            )),
            Self::Yanked(reason) => Err(format!("{version} was yanked by the vendor: {reason}")),
        }
    }
}

/// A version as listed in the release repository, with its checks done.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Release {
    pub version: Version,
    pub released_at: Option<String>,
    pub notes: Option<String>,
    pub artifacts: Vec<ArtifactEntry>,
    pub signature: SignatureCheck,
    pub integrity: IntegrityCheck,
    pub status: ReleaseStatus,
}

impl Release {
    /// Builds a release from its manifest and the two checks; a manifest whose `version` does not
    /// name its own folder is treated as a bad signature, since a valid signature could then be
    /// replayed onto another version.
    pub fn from_manifest(
        folder: &Version,
        manifest: &Manifest,
        signature: SignatureCheck,
        integrity: IntegrityCheck,
    ) -> Self {
        let signature = if manifest.version != folder.as_str() && signature == SignatureCheck::Valid
        {
            SignatureCheck::Invalid(format!(
                "manifest names version {} but lies in folder {folder}",
                manifest.version
            ))
        } else {
            signature
        };
        let status = ReleaseStatus::from_checks(&signature, &integrity, manifest.yanked.as_deref());
        Self {
            version: folder.clone(),
            released_at: Some(manifest.released_at.clone()),
            notes: manifest.notes.clone(),
            artifacts: manifest.artifacts.clone(),
            signature,
            integrity,
            status,
        }
    }

    /// The same release after its artifacts were checked again (downloaded and hashed), with
    /// its status worked out anew. Only a `NotChecked` release is checked again, and its status
    /// then still carries any yank reason.
    pub fn with_integrity(&self, integrity: IntegrityCheck) -> Self {
        let yanked = match &self.status {
            ReleaseStatus::Yanked(reason) => Some(reason.as_str()),
            _ => None,
        };
        Self {
            status: ReleaseStatus::from_checks(&self.signature, &integrity, yanked),
            integrity,
            ..self.clone()
        }
    }
}

/// Checks a minisign signature over `manifest` with the vendor's public key (the base64 line of a
/// minisign `.pub` file, starting `RW`).
pub fn verify_signature(
    manifest: &[u8],
    signature: Option<&[u8]>,
    public_key: &str,
) -> SignatureCheck {
    let Some(sig) = signature else {
        return SignatureCheck::Missing;
    };
    let key = match minisign_verify::PublicKey::from_base64(public_key.trim()) {
        Ok(k) => k,
        Err(e) => {
            return SignatureCheck::Invalid(format!("the configured public key is unusable: {e}"));
        }
    };
    let Ok(text) = std::str::from_utf8(sig) else {
        return SignatureCheck::Invalid("the signature file is not text".into());
    };
    let sig = match minisign_verify::Signature::decode(text) {
        Ok(s) => s,
        Err(e) => return SignatureCheck::Invalid(format!("the signature file is malformed: {e}")),
    };
    match key.verify(manifest, &sig, false) {
        Ok(()) => SignatureCheck::Valid,
        // minisign's own words ("The signature verification failed") do not say what it
        // means for the release.
        Err(minisign_verify::Error::InvalidSignature) => SignatureCheck::Invalid(
            "the signature does not match the manifest (signature verification failed): the manifest was changed after it was signed, or the signature is another manifest's".into(),
        ),
        Err(e) => SignatureCheck::Invalid(e.to_string()),
    }
}

/// Compares each artifact's actual SHA-256 (hex, `None` where unknown) with the manifest.
pub fn check_integrity<'a>(
    artifacts: &[ArtifactEntry],
    actual: impl Fn(&ArtifactEntry) -> Option<&'a str>,
) -> IntegrityCheck {
    let mut all_known = true;
    for a in artifacts {
        match actual(a) {
            Some(sum) if !sum.eq_ignore_ascii_case(&a.sha256) => {
                return IntegrityCheck::Mismatch {
                    artifact: a.name.clone(),
                    expected: a.sha256.clone(),
                    actual: sum.to_string(),
                };
            }
            Some(_) => {}
            None => all_known = false,
        }
    }
    if all_known {
        IntegrityCheck::Matched
    } else {
        IntegrityCheck::NotChecked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_the_vendor_published_knowingly_may_be_overridden() {
        let v = Version::parse("v1.0.0").unwrap();
        for (status, overridable) in [
            (ReleaseStatus::Unsigned, true),
            (ReleaseStatus::Yanked("broke exports".into()), true),
            (ReleaseStatus::BadSignature("x".into()), false),
            (ReleaseStatus::ChecksumMismatch("api.zip".into()), false),
        ] {
            assert_eq!(status.overridable(), overridable, "{status:?}");
            assert!(status.pinnable(&v).is_err(), "{status:?}");
        }
        assert!(ReleaseStatus::Verified.pinnable(&v).is_ok());
    }

    #[test]
    fn the_most_serious_finding_wins() {
        let mismatch = IntegrityCheck::Mismatch {
            artifact: "api.zip".into(),
            expected: "aa".into(),
            actual: "bb".into(),
        };
        assert_eq!(
            ReleaseStatus::from_checks(
                &SignatureCheck::Invalid("x".into()),
                &mismatch,
                Some("bad")
            ),
            ReleaseStatus::BadSignature("x".into())
        );
        assert_eq!(
            ReleaseStatus::from_checks(&SignatureCheck::Valid, &mismatch, Some("bad")),
            ReleaseStatus::ChecksumMismatch("api.zip".into())
        );
        assert_eq!(
            ReleaseStatus::from_checks(
                &SignatureCheck::Valid,
                &IntegrityCheck::Matched,
                Some("data loss")
            ),
            ReleaseStatus::Yanked("data loss".into())
        );
        assert_eq!(
            ReleaseStatus::from_checks(&SignatureCheck::Missing, &IntegrityCheck::NotChecked, None),
            ReleaseStatus::Unsigned
        );
        assert_eq!(
            ReleaseStatus::from_checks(&SignatureCheck::Valid, &IntegrityCheck::NotChecked, None),
            ReleaseStatus::Verified
        );
    }

    #[test]
    fn only_verified_versions_are_pinnable() {
        let v = Version::parse("v1.0.0").unwrap();
        assert!(ReleaseStatus::Verified.pinnable(&v).is_ok());
        let why = ReleaseStatus::Yanked("corrupts sessions".into())
            .pinnable(&v)
            .unwrap_err();
        assert!(
            why.contains("yanked") && why.contains("corrupts sessions"),
            "{why}"
        );
        assert!(
            ReleaseStatus::Unsigned
                .pinnable(&v)
                .unwrap_err()
                .contains("unsigned")
        );
    }

    #[test]
    fn integrity_reports_the_first_mismatching_artifact() {
        let arts = vec![
            ArtifactEntry {
                name: "a.zip".into(),
                key: "v1/a.zip".into(),
                sha256: "AA".into(),
                size: 1,
            },
            ArtifactEntry {
                name: "b.zip".into(),
                key: "v1/b.zip".into(),
                sha256: "bb".into(),
                size: 1,
            },
        ];
        assert_eq!(
            check_integrity(&arts, |a| Some(if a.name == "a.zip" { "aa" } else { "bb" })),
            IntegrityCheck::Matched
        );
        assert_eq!(
            check_integrity(&arts, |a| (a.name == "a.zip").then_some("aa")),
            IntegrityCheck::NotChecked
        );
        assert!(
            matches!(check_integrity(&arts, |_| Some("cc")), IntegrityCheck::Mismatch { artifact, .. } if artifact == "a.zip")
        );
    }

    #[test]
    fn a_check_by_download_decides_the_status_and_keeps_the_yank_reason() {
        let manifest = |yanked: Option<&str>| Manifest {
            version: "v1.0.0".into(),
            released_at: "2026-01-01T00:00:00Z".into(),
            artifacts: Vec::new(),
            notes: None,
            yanked: yanked.map(str::to_string),
        };
        let v = Version::parse("v1.0.0").unwrap();
        let unchecked = |yanked| {
            Release::from_manifest(
                &v,
                &manifest(yanked),
                SignatureCheck::Valid,
                IntegrityCheck::NotChecked,
            )
        };
        let mismatch = IntegrityCheck::Mismatch {
            artifact: "api.zip".into(),
            expected: "aa".into(),
            actual: "bb".into(),
        };
        let bad = unchecked(None).with_integrity(mismatch.clone());
        assert_eq!(
            bad.status,
            ReleaseStatus::ChecksumMismatch("api.zip".into())
        );
        assert_eq!(bad.integrity, mismatch);
        let good = unchecked(Some("leaks memory")).with_integrity(IntegrityCheck::Matched);
        assert_eq!(good.status, ReleaseStatus::Yanked("leaks memory".into()));
        assert_eq!(good.integrity, IntegrityCheck::Matched);
    }

    #[test]
    fn a_missing_signature_is_unsigned_and_garbage_is_invalid() {
        assert_eq!(
            verify_signature(b"{}", None, "RWQ"),
            SignatureCheck::Missing
        );
        assert!(matches!(
            verify_signature(b"{}", Some(b"nonsense"), "RWQ"),
            SignatureCheck::Invalid(_)
        ));
    }
}
