//! The demo release repository: real minisign signatures over the embedded manifests, artifact
//! checksums, and every status a version can have.

use std::collections::BTreeSet;
use std::path::Path;

use futures::executor::block_on;
use sha2::{Digest, Sha256};
use shiftdeck::domain::release::{IntegrityCheck, ReleaseStatus, SignatureCheck};
use shiftdeck::domain::version::Version;
use shiftdeck::ports::ReleaseRepo;
use shiftdeck::sim::{MISBEHAVING_RELEASE, SimReleases, artifact_bytes, demo_public_key};

fn status_of(version: &str) -> ReleaseStatus {
    let releases = block_on(SimReleases::load().unwrap().releases())
        .unwrap()
        .releases;
    releases
        .into_iter()
        .find(|r| r.version.as_str() == version)
        .unwrap_or_else(|| panic!("{version} is in the repository"))
        .status
}

#[test]
fn each_version_has_the_status_it_was_published_with() {
    for v in ["v1.1.0", "v1.2.0", "v1.2.1", "v1.3.0", MISBEHAVING_RELEASE] {
        assert_eq!(status_of(v), ReleaseStatus::Verified, "{v}");
    }
    assert_eq!(status_of("v1.5.0-rc.1"), ReleaseStatus::Unsigned);
    assert!(
        matches!(status_of("v1.4.1"), ReleaseStatus::BadSignature(_)),
        "the manifest was altered after signing"
    );
    assert_eq!(
        status_of("v1.2.2"),
        ReleaseStatus::ChecksumMismatch("worker.zip".into())
    );
    let ReleaseStatus::Yanked(reason) = status_of("v1.3.1") else {
        panic!("v1.3.1 is yanked");
    };
    assert!(reason.contains("corrupts sessions"), "{reason}");
}

#[test]
fn yanked_and_unsigned_versions_are_refused_with_the_reason() {
    let refused = |v: &str| {
        status_of(v)
            .pinnable(&Version::parse(v).unwrap())
            .unwrap_err()
    };
    assert!(refused("v1.3.1").contains("yanked by the vendor: corrupts sessions"));
    assert!(refused("v1.5.0-rc.1").contains("unsigned"));
    assert!(refused("v1.4.1").contains("bad signature"));
}

#[test]
fn signatures_and_checksums_are_real() {
    let releases = block_on(SimReleases::load().unwrap().releases())
        .unwrap()
        .releases;
    let verified = releases
        .iter()
        .find(|r| r.version.as_str() == "v1.3.0")
        .unwrap();
    assert_eq!(verified.signature, SignatureCheck::Valid);
    assert_eq!(verified.integrity, IntegrityCheck::Matched);
    for a in &verified.artifacts {
        let bytes = artifact_bytes("v1.3.0", &a.name);
        assert_eq!(a.sha256, hex::encode(Sha256::digest(&bytes)));
        assert_eq!(a.size, bytes.len() as u64);
    }
    assert!(minisign_verify::PublicKey::from_base64(demo_public_key()).is_ok());
    let mut sorted = releases
        .iter()
        .map(|r| r.version.clone())
        .collect::<Vec<_>>();
    sorted.sort();
    assert_eq!(
        releases
            .iter()
            .map(|r| r.version.clone())
            .collect::<Vec<_>>(),
        sorted
    );
}

#[test]
fn every_folder_in_the_assets_is_served() {
    let folders: BTreeSet<String> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo/releases"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
    let served: BTreeSet<String> = SimReleases::load()
        .unwrap()
        .versions()
        .map(|v| v.to_string())
        .collect();
    assert_eq!(folders, served);
    assert!(served.len() >= 6);
}
