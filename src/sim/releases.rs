//! The demo release repository: manifests and signatures embedded from `assets/demo`, artifact
//! bytes made on the fly, checked with the same domain functions as the S3 adapter.

use async_trait::async_trait;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

use crate::domain::release::{
    IntegrityCheck, Manifest, Release, check_integrity, verify_signature,
};
use crate::domain::version::Version;
use crate::ports::{ErrorKind, PortError, PortResult, ReleaseRepo, ReleasesRead};

/// The release that passes every check but fails in production: high error rate and p99.
pub const MISBEHAVING_RELEASE: &str = "v1.4.0";

/// The one artifact in the bucket that was replaced after its manifest was signed.
const REPLACED_AFTER_RELEASE: (&str, &str) = ("v1.2.2", "worker.zip");

const PUBLIC_KEY_FILE: &str = include_str!("../../assets/demo/demo-key.pub");

/// One version folder of the bucket.
struct Folder {
    version: &'static str,
    manifest: &'static str,
    signature: Option<&'static str>,
}

macro_rules! folder {
    ($v:literal) => {
        Folder {
            version: $v,
            manifest: include_str!(concat!("../../assets/demo/releases/", $v, "/manifest.json")),
            signature: Some(include_str!(concat!(
                "../../assets/demo/releases/",
                $v,
                "/manifest.json.minisig"
            ))),
        }
    };
    ($v:literal, unsigned) => {
        Folder {
            version: $v,
            manifest: include_str!(concat!("../../assets/demo/releases/", $v, "/manifest.json")),
            signature: None,
        }
    };
}

const FOLDERS: [Folder; 9] = [
    folder!("v1.1.0"),
    folder!("v1.2.0"),
    folder!("v1.2.1"),
    folder!("v1.2.2"),
    folder!("v1.3.0"),
    folder!("v1.3.1"),
    folder!("v1.4.0"),
    folder!("v1.4.1"),
    folder!("v1.5.0-rc.1", unsigned),
];

/// The demo vendor's minisign public key (the `RW…` line of `assets/demo/demo-key.pub`).
pub fn demo_public_key() -> &'static str {
    PUBLIC_KEY_FILE
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("RW"))
        .unwrap_or_default()
}

/// The bytes of `artifact` as the vendor built it for `version`: a stand-in for the zip, the same
/// on every run so the signed manifests can name its SHA-256.
pub fn artifact_bytes(version: &str, artifact: &str) -> Vec<u8> {
    let function = artifact.trim_end_matches(".zip");
    format!(
        "// {artifact} of ltbase {version}, built by the demo vendor\n\
         exports.handler = async () => ({{ statusCode: 200, body: \"{function} {version}\" }});\n"
    )
    .into_bytes()
}

/// The bytes the bucket holds for `artifact`, which differ from the vendor's build only where an
/// artifact was replaced after release.
fn stored_artifact(version: &str, artifact: &str) -> Vec<u8> {
    let mut bytes = artifact_bytes(version, artifact);
    if (version, artifact) == REPLACED_AFTER_RELEASE {
        bytes.extend_from_slice(b"// re-uploaded after release\n");
    }
    bytes
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub struct SimReleases {
    releases: Vec<Release>,
}

impl SimReleases {
    /// Checks every embedded version against the demo key, as the S3 adapter would.
    pub fn load() -> PortResult<Self> {
        let mut releases = FOLDERS
            .iter()
            .map(|folder| check(folder, demo_public_key()))
            .collect::<PortResult<Vec<_>>>()?;
        releases.sort_by(|a, b| a.version.cmp(&b.version));
        Ok(Self { releases })
    }

    pub fn versions(&self) -> impl Iterator<Item = &Version> {
        self.releases.iter().map(|r| &r.version)
    }
}

fn check(folder: &Folder, public_key: &str) -> PortResult<Release> {
    let invalid = |why: String| {
        PortError::new(
            ErrorKind::Invalid,
            format!("demo release {}: {why}", folder.version),
        )
    };
    let version = Version::parse(folder.version).map_err(|e| invalid(e.to_string()))?;
    let manifest: Manifest =
        serde_json::from_str(folder.manifest).map_err(|e| invalid(e.to_string()))?;
    let signature = verify_signature(
        folder.manifest.as_bytes(),
        folder.signature.map(str::as_bytes),
        public_key,
    );
    let sums: HashMap<&str, String> = manifest
        .artifacts
        .iter()
        .map(|a| {
            let bytes = stored_artifact(folder.version, &a.name);
            (a.name.as_str(), sha256_hex(&bytes))
        })
        .collect();
    let integrity = check_integrity(&manifest.artifacts, |a| {
        sums.get(a.name.as_str()).map(String::as_str)
    });
    Ok(Release::from_manifest(
        &version, &manifest, signature, integrity,
    ))
}

#[async_trait]
impl ReleaseRepo for SimReleases {
    /// The simulated repository makes no API calls.
    async fn releases(&self) -> PortResult<ReleasesRead> {
        Ok(self.releases.clone().into())
    }

    /// Hashes the embedded artifacts again: the simulated repository holds every one.
    async fn verify_by_download(&self, version: &Version) -> PortResult<IntegrityCheck> {
        let folder = FOLDERS
            .iter()
            .find(|f| f.version == version.as_str())
            .ok_or_else(|| {
                PortError::new(
                    ErrorKind::NotFound,
                    format!("{version} is not in the demo's release repository"),
                )
            })?;
        Ok(check(folder, demo_public_key())?.integrity)
    }
}
