//! Whether the code a Lambda version runs is an artifact the vendor signed: its `CodeSha256`
//! (base64 SHA-256 of the deployment package) against the SHA-256s (hex) in the signed manifest
//! of the release it maps to.

use base64::Engine;
use serde::{Deserialize, Serialize};

use super::release::{Release, SignatureCheck};
use super::version::Version;

/// The code of one Lambda version that receives traffic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServingCode {
    pub function: String,
    pub number: String,
    pub release: Option<Version>,
    /// As Lambda reports it: base64.
    pub code_sha256: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "provenance", rename_all = "snake_case")]
pub enum Provenance {
    /// The code is the named artifact of a release whose manifest the vendor signed.
    Verified { artifact: String },
    /// The code is none of the signed release's artifacts: what runs is not what the vendor
    /// signed.
    NotSignedArtifact { reason: String },
    /// It cannot be told: the version maps to no release, or the release is not signed.
    Unknown { reason: String },
}

impl Provenance {
    pub fn label(&self) -> &'static str {
        match self {
            Self::Verified { .. } => "signed artifact",
            Self::NotSignedArtifact { .. } => "NOT THE SIGNED ARTIFACT",
            Self::Unknown { .. } => "provenance unknown",
        }
    }
}

/// Checks `code` against the release it claims, found in `releases`.
pub fn check(code: &ServingCode, releases: &[Release]) -> Provenance {
    let Some(version) = &code.release else {
        return Provenance::Unknown {
            reason: format!(
                "{} version {} names no release in its description",
                code.function, code.number
            ),
        };
    };
    let Some(release) = releases.iter().find(|r| &r.version == version) else {
        return Provenance::Unknown {
            reason: format!("{version} is not in the release repository"),
        };
    };
    if release.signature != SignatureCheck::Valid {
        return Provenance::Unknown {
            reason: format!("the manifest of {version} is not validly signed"),
        };
    }
    let Some(hex) = base64_to_hex(&code.code_sha256) else {
        return Provenance::Unknown {
            reason: format!(
                "Lambda reported an unreadable CodeSha256 {:?}",
                code.code_sha256
            ),
        };
    };
    match release
        .artifacts
        .iter()
        .find(|a| a.sha256.eq_ignore_ascii_case(&hex))
    {
        Some(a) => Provenance::Verified {
            artifact: a.name.clone(),
        },
        None => Provenance::NotSignedArtifact {
            reason: format!(
                "{} version {} runs code with SHA-256 {hex}, which is none of the {} artifact(s) signed for {version}",
                code.function,
                code.number,
                release.artifacts.len()
            ),
        },
    }
}

/// S3 and Lambda give SHA-256s in base64; manifests in hex.
pub fn base64_to_hex(b64: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()?;
    (bytes.len() == 32).then(|| hex::encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::release::{ArtifactEntry, IntegrityCheck, ReleaseStatus};
    use sha2::{Digest, Sha256};

    fn release(sig: SignatureCheck, zip: &[u8]) -> Release {
        Release {
            version: Version::parse("v1.2.0").unwrap(),
            released_at: None,
            notes: None,
            artifacts: vec![ArtifactEntry {
                name: "api.zip".into(),
                key: "v1.2.0/api.zip".into(),
                sha256: hex::encode(Sha256::digest(zip)),
                size: zip.len() as u64,
            }],
            signature: sig,
            integrity: IntegrityCheck::NotChecked,
            status: ReleaseStatus::Verified,
        }
    }

    fn code(zip: &[u8], release: Option<&str>) -> ServingCode {
        ServingCode {
            function: "ltbase-prod-api".into(),
            number: "7".into(),
            release: release.map(|r| Version::parse(r).unwrap()),
            code_sha256: base64::engine::general_purpose::STANDARD.encode(Sha256::digest(zip)),
        }
    }

    #[test]
    fn the_signed_artifact_is_recognised_and_other_code_is_called_out() {
        let releases = [release(SignatureCheck::Valid, b"signed zip")];
        assert_eq!(
            check(&code(b"signed zip", Some("v1.2.0")), &releases),
            Provenance::Verified {
                artifact: "api.zip".into()
            }
        );
        let other = check(&code(b"patched by hand", Some("v1.2.0")), &releases);
        assert!(
            matches!(&other, Provenance::NotSignedArtifact { reason } if reason.contains("none of the 1 artifact(s) signed for v1.2.0")),
            "{other:?}"
        );
    }

    #[test]
    fn without_a_signed_release_nothing_is_claimed() {
        let unsigned = [release(SignatureCheck::Missing, b"zip")];
        assert!(matches!(
            check(&code(b"zip", Some("v1.2.0")), &unsigned),
            Provenance::Unknown { .. }
        ));
        assert!(matches!(
            check(&code(b"zip", None), &unsigned),
            Provenance::Unknown { .. }
        ));
        assert!(matches!(
            check(&code(b"zip", Some("v9.9.9")), &unsigned),
            Provenance::Unknown { .. }
        ));
    }

    #[test]
    fn base64_sums_become_hex() {
        let sum = Sha256::digest(b"x");
        let b64 = base64::engine::general_purpose::STANDARD.encode(sum);
        assert_eq!(base64_to_hex(&b64), Some(hex::encode(sum)));
        assert_eq!(base64_to_hex("not base64!"), None);
        assert_eq!(base64_to_hex("AAAA"), None);
    }
}
