//! The S3 release repository against moto, seeded through the real S3 client: version folders
//! with zips stored with SHA-256 checksums and manifests signed with minisign, read through
//! `S3Releases` exactly as a vendor's bucket would be.

mod emulators;

use std::io::Cursor;
use std::sync::{Arc, OnceLock};

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{ChecksumAlgorithm, CompletedMultipartUpload, CompletedPart};
use sha2::{Digest, Sha256};
use shiftdeck::aws::connect::{Connection, ConnectionKey, Limits};
use shiftdeck::aws::releases::S3Releases;
use shiftdeck::domain::release::{
    ArtifactEntry, IntegrityCheck, Manifest, Release, ReleaseStatus, SignatureCheck,
};
use shiftdeck::domain::version::Version;
use shiftdeck::ports::{ErrorKind, ReleaseRepo, ReleasesRead};
use shiftdeck::sim::{artifact_bytes, demo_public_key};

use emulators::moto::Moto;

/// One server for the whole binary, each test in its own bucket: moto takes seconds to start.
/// The harness's watchdog stops it when the binary ends.
fn moto() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(Moto::start)
}

/// A vendor's minisign key pair.
struct Key {
    pair: minisign::KeyPair,
}

impl Key {
    fn new() -> Key {
        Key {
            pair: minisign::KeyPair::generate_unencrypted_keypair().expect("a key pair"),
        }
    }

    /// The `RW…` line of the `.pub` file, as the configuration holds it.
    fn public(&self) -> String {
        self.pair.pk.to_base64()
    }

    fn sign(&self, bytes: &[u8]) -> Vec<u8> {
        minisign::sign(
            Some(&self.pair.pk),
            &self.pair.sk,
            Cursor::new(bytes),
            None,
            None,
        )
        .expect("signed")
        .to_string()
        .into_bytes()
    }
}

/// One bucket of the vendor's, as the vendor's release tooling fills it.
struct Bucket {
    name: String,
    s3: aws_sdk_s3::Client,
    conn: Arc<Connection>,
}

impl Bucket {
    async fn create(name: &str) -> Bucket {
        let sdk = moto().sdk_config();
        let s3 = aws_sdk_s3::Client::new(&sdk);
        s3.create_bucket()
            .bucket(name)
            .send()
            .await
            .unwrap_or_else(|e| panic!("create bucket {name}: {e:?}"));
        let conn = Connection::from_sdk(
            ConnectionKey::default(),
            sdk,
            // The default pace (5 requests/s) would make each test take seconds; one attempt,
            // so an expected error is not retried.
            Limits {
                requests_per_second: 1000.0,
                attempts: 1,
                ..Limits::default()
            },
        );
        Bucket {
            name: name.to_string(),
            s3,
            conn: Arc::new(conn),
        }
    }

    fn releases(&self, prefix: &str, keys: &[&Key]) -> S3Releases {
        S3Releases::new(
            self.conn.clone(),
            self.name.clone(),
            prefix.to_string(),
            keys.iter().map(|k| k.public()).collect(),
        )
    }

    /// The versions of the bucket's top level, as the adapter reads them, which must succeed.
    async fn read(&self, keys: &[&Key]) -> Vec<Release> {
        self.releases("", keys).releases().await.unwrap().releases
    }

    /// A single-part upload with S3 computing and storing its full-object SHA-256.
    async fn put(&self, key: &str, bytes: &[u8]) {
        self.s3
            .put_object()
            .bucket(&self.name)
            .key(key)
            .checksum_algorithm(ChecksumAlgorithm::Sha256)
            .body(ByteStream::from(bytes.to_vec()))
            .send()
            .await
            .unwrap_or_else(|e| panic!("put {key}: {e:?}"));
    }

    /// Uploads the artifacts, the manifest and, with a key, its signature; returns the
    /// manifest's bytes.
    async fn publish(&self, folder: &str, manifest: &Manifest, signer: Option<&Key>) -> Vec<u8> {
        for a in &manifest.artifacts {
            self.put(&a.key, &artifact(&manifest.version, &a.name))
                .await;
        }
        self.publish_manifest(folder, manifest, signer).await
    }

    /// The manifest and, with a key, its signature, for artifacts uploaded otherwise.
    async fn publish_manifest(
        &self,
        folder: &str,
        manifest: &Manifest,
        signer: Option<&Key>,
    ) -> Vec<u8> {
        let bytes = serde_json::to_vec_pretty(manifest).unwrap();
        self.put(&format!("{folder}manifest.json"), &bytes).await;
        if let Some(key) = signer {
            self.put(&format!("{folder}manifest.json.minisig"), &key.sign(&bytes))
                .await;
        }
        bytes
    }
}

/// The bytes the vendor built for an artifact of a version.
fn artifact(version: &str, name: &str) -> Vec<u8> {
    format!("zip of {name} in {version}\n").into_bytes()
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A manifest for `version` in `prefix`, naming the artifacts `artifact` makes.
fn manifest(prefix: &str, version: &str, names: &[&str]) -> Manifest {
    Manifest {
        version: version.to_string(),
        released_at: "2026-11-30T09:00:00Z".into(),
        artifacts: names
            .iter()
            .map(|name| {
                let bytes = artifact(version, name);
                ArtifactEntry {
                    name: name.to_string(),
                    key: format!("{prefix}{version}/{name}"),
                    sha256: sha256_hex(&bytes),
                    size: bytes.len() as u64,
                }
            })
            .collect(),
        notes: Some(format!("Notes of {version}.")),
        yanked: None,
    }
}

fn find<'a>(releases: &'a [Release], version: &str) -> &'a Release {
    releases
        .iter()
        .find(|r| r.version.as_str() == version)
        .unwrap_or_else(|| panic!("{version} is listed: {releases:#?}"))
}

fn names(releases: &[Release]) -> Vec<&str> {
    releases.iter().map(|r| r.version.as_str()).collect()
}

fn count(calls: &std::collections::BTreeMap<String, u32>, action: &str) -> u32 {
    calls.get(action).copied().unwrap_or(0)
}

#[tokio::test]
async fn a_version_signed_by_the_vendor_with_matching_artifacts_is_verified() {
    // The demo repository's v1.3.0 as the minisign tool signed it, byte for byte.
    let bucket = Bucket::create("verified").await;
    let manifest_bytes = include_bytes!("../assets/demo/releases/v1.3.0/manifest.json");
    let signature = include_bytes!("../assets/demo/releases/v1.3.0/manifest.json.minisig");
    let manifest: Manifest = serde_json::from_slice(manifest_bytes).unwrap();
    for a in &manifest.artifacts {
        bucket.put(&a.key, &artifact_bytes("v1.3.0", &a.name)).await;
    }
    bucket.put("v1.3.0/manifest.json", manifest_bytes).await;
    bucket.put("v1.3.0/manifest.json.minisig", signature).await;
    let repo = S3Releases::new(
        bucket.conn.clone(),
        bucket.name.clone(),
        String::new(),
        vec![demo_public_key().to_string()],
    );

    let ReleasesRead {
        releases,
        api_calls: calls,
    } = repo.releases().await.unwrap();

    assert_eq!(names(&releases), ["v1.3.0"]);
    let r = &releases[0];
    assert_eq!(r.status, ReleaseStatus::Verified);
    assert_eq!(r.signature, SignatureCheck::Valid);
    assert_eq!(
        r.integrity,
        IntegrityCheck::Matched,
        "S3 holds each zip's SHA-256, so no download is needed"
    );
    assert_eq!(r.notes, manifest.notes);
    assert_eq!(
        r.released_at.as_deref(),
        Some(manifest.released_at.as_str())
    );
    assert_eq!(r.artifacts, manifest.artifacts);
    assert!(r.status.pinnable(&r.version).is_ok());
    assert_eq!(
        count(&calls, "s3:ListBucket"),
        2,
        "versions, then the folder: {calls:?}"
    );
    assert_eq!(
        count(&calls, "s3:GetObject"),
        2 + manifest.artifacts.len() as u32,
        "manifest, signature, one HeadObject per artifact: {calls:?}"
    );
}

#[tokio::test]
async fn a_version_without_a_signature_is_unsigned_and_refused_with_that_reason() {
    let bucket = Bucket::create("unsigned").await;
    let key = Key::new();
    bucket
        .publish("v2.0.0/", &manifest("", "v2.0.0", &["api.zip"]), None)
        .await;

    let releases = bucket.read(&[&key]).await;

    let r = find(&releases, "v2.0.0");
    assert_eq!(r.status, ReleaseStatus::Unsigned);
    assert_eq!(r.signature, SignatureCheck::Missing);
    assert_eq!(r.integrity, IntegrityCheck::Matched);
    let refused = r.status.pinnable(&r.version).unwrap_err();
    assert!(refused.contains("v2.0.0 is unsigned"), "{refused}");
}

#[tokio::test]
async fn a_signature_by_another_key_or_over_a_changed_manifest_is_bad() {
    let bucket = Bucket::create("bad-signatures").await;
    let vendor = Key::new();
    let stranger = Key::new();
    bucket
        .publish(
            "v1.0.0/",
            &manifest("", "v1.0.0", &["api.zip"]),
            Some(&stranger),
        )
        .await;
    // Signed, then changed: someone un-yanked the version after the vendor signed it.
    let mut yanked = manifest("", "v1.1.0", &["api.zip"]);
    yanked.yanked = Some("loses writes under load".into());
    let signed = bucket.publish("v1.1.0/", &yanked, Some(&vendor)).await;
    let mut tampered: Manifest = serde_json::from_slice(&signed).unwrap();
    tampered.yanked = None;
    bucket
        .put(
            "v1.1.0/manifest.json",
            &serde_json::to_vec_pretty(&tampered).unwrap(),
        )
        .await;
    // A validly signed manifest of another version, replayed into this folder.
    bucket
        .publish("v1.2.0/", &manifest("", "v1.1.0", &[]), Some(&vendor))
        .await;

    let releases = bucket.read(&[&vendor]).await;

    let ReleaseStatus::BadSignature(why) = &find(&releases, "v1.0.0").status else {
        panic!("signed by a stranger: {releases:#?}");
    };
    assert!(
        why.contains("key other than the trusted public key"),
        "{why}"
    );
    let changed = find(&releases, "v1.1.0");
    let ReleaseStatus::BadSignature(why) = &changed.status else {
        panic!("changed after signing: {changed:#?}");
    };
    assert!(
        why.contains("the manifest was changed after it was signed"),
        "{why}"
    );
    let refused = changed.status.pinnable(&changed.version).unwrap_err();
    assert!(refused.contains("may have been tampered with"), "{refused}");
    let ReleaseStatus::BadSignature(why) = &find(&releases, "v1.2.0").status else {
        panic!("replayed: {releases:#?}");
    };
    assert!(
        why.contains("names version v1.1.0 but lies in folder v1.2.0"),
        "{why}"
    );
}

#[tokio::test]
async fn an_artifact_that_is_not_what_the_manifest_says_is_a_checksum_mismatch() {
    let bucket = Bucket::create("mismatch").await;
    let key = Key::new();
    let m = manifest("", "v1.0.0", &["api.zip", "worker.zip"]);
    bucket.publish("v1.0.0/", &m, Some(&key)).await;
    // Replaced after release with bytes of the same length, so only the hash can tell.
    let original = artifact("v1.0.0", "worker.zip");
    let replaced: Vec<u8> = original.iter().map(|b| b.to_ascii_uppercase()).collect();
    bucket.put("v1.0.0/worker.zip", &replaced).await;
    // Missing altogether.
    bucket
        .publish("v1.1.0/", &manifest("", "v1.1.0", &["api.zip"]), Some(&key))
        .await;
    bucket
        .s3
        .delete_object()
        .bucket(&bucket.name)
        .key("v1.1.0/api.zip")
        .send()
        .await
        .unwrap();

    let releases = bucket.read(&[&key]).await;

    let r = find(&releases, "v1.0.0");
    assert_eq!(r.signature, SignatureCheck::Valid);
    assert_eq!(
        r.status,
        ReleaseStatus::ChecksumMismatch("worker.zip".into())
    );
    assert_eq!(
        r.integrity,
        IntegrityCheck::Mismatch {
            artifact: "worker.zip".into(),
            expected: sha256_hex(&original),
            actual: sha256_hex(&replaced),
        }
    );
    let refused = r.status.pinnable(&r.version).unwrap_err();
    assert!(
        refused.contains("worker.zip does not match the SHA-256 in the manifest"),
        "{refused}"
    );
    let missing = find(&releases, "v1.1.0");
    assert!(
        matches!(&missing.integrity, IntegrityCheck::Mismatch { artifact, actual, .. }
            if artifact == "api.zip" && actual.contains("no such object")),
        "{missing:#?}"
    );
}

#[tokio::test]
async fn a_yanked_version_carries_the_vendors_reason() {
    let bucket = Bucket::create("yanked").await;
    let key = Key::new();
    let mut m = manifest("", "v1.3.1", &["api.zip"]);
    m.yanked = Some("corrupts sessions created during a token refresh; stay on v1.3.0".into());
    bucket.publish("v1.3.1/", &m, Some(&key)).await;

    let releases = bucket.read(&[&key]).await;

    let r = find(&releases, "v1.3.1");
    assert_eq!(r.signature, SignatureCheck::Valid);
    let ReleaseStatus::Yanked(reason) = &r.status else {
        panic!("yanked: {r:#?}");
    };
    assert!(reason.contains("corrupts sessions"), "{reason}");
    let refused = r.status.pinnable(&r.version).unwrap_err();
    assert!(
        refused.contains("yanked by the vendor: corrupts sessions"),
        "{refused}"
    );
    assert!(r.status.overridable());
}

#[tokio::test]
async fn a_prerelease_is_listed_before_its_release() {
    let bucket = Bucket::create("prerelease").await;
    let key = Key::new();
    for v in ["v1.5.0", "v1.5.0-rc.1", "v1.4.0"] {
        bucket
            .publish(&format!("{v}/"), &manifest("", v, &["api.zip"]), Some(&key))
            .await;
    }

    let releases = bucket.read(&[&key]).await;

    assert_eq!(names(&releases), ["v1.4.0", "v1.5.0-rc.1", "v1.5.0"]);
    let rc = find(&releases, "v1.5.0-rc.1");
    assert!(rc.version.is_prerelease());
    assert_eq!(rc.status, ReleaseStatus::Verified);
    assert!(!find(&releases, "v1.5.0").version.is_prerelease());
}

#[tokio::test]
async fn versions_signed_with_either_trusted_key_verify_during_a_key_rotation() {
    let bucket = Bucket::create("rotation").await;
    let old = Key::new();
    let new = Key::new();
    let unknown = Key::new();
    bucket
        .publish("v1.0.0/", &manifest("", "v1.0.0", &["api.zip"]), Some(&old))
        .await;
    bucket
        .publish("v1.1.0/", &manifest("", "v1.1.0", &["api.zip"]), Some(&new))
        .await;
    bucket
        .publish(
            "v1.2.0/",
            &manifest("", "v1.2.0", &["api.zip"]),
            Some(&unknown),
        )
        .await;

    let releases = bucket.read(&[&old, &new]).await;

    assert_eq!(find(&releases, "v1.0.0").status, ReleaseStatus::Verified);
    assert_eq!(find(&releases, "v1.1.0").status, ReleaseStatus::Verified);
    let ReleaseStatus::BadSignature(why) = &find(&releases, "v1.2.0").status else {
        panic!("signed with an untrusted key: {releases:#?}");
    };
    assert!(why.contains("none of the 2 trusted public keys"), "{why}");
}

#[tokio::test]
async fn folders_that_are_not_versions_are_ignored() {
    let bucket = Bucket::create("not-versions").await;
    let key = Key::new();
    bucket
        .publish("v1.0.0/", &manifest("", "v1.0.0", &["api.zip"]), Some(&key))
        .await;
    // A name the vendor uses for builds outside semver is still a version, with a manifest.
    bucket
        .publish(
            "nightly/",
            &manifest("", "nightly", &["api.zip"]),
            Some(&key),
        )
        .await;
    bucket.put("docs/README.md", b"how to subscribe").await;
    bucket.put("keys/vendor.pub", key.public().as_bytes()).await;
    bucket
        .put("not a version!/manifest.json", b"{\"version\": \"x\"}")
        .await;
    bucket.put("index.html", b"<html></html>").await;

    let releases = bucket.read(&[&key]).await;

    assert_eq!(names(&releases), ["v1.0.0", "nightly"]);
    assert_eq!(find(&releases, "nightly").status, ReleaseStatus::Verified);
}

#[tokio::test]
async fn every_page_of_versions_is_read() {
    let bucket = Bucket::create("pagination").await;
    let key = Key::new();
    let versions = ["v1.0.0", "v1.1.0", "v1.2.0", "v1.3.0", "v1.4.0"];
    for v in versions {
        let m = manifest("releases/", v, &["api.zip"]);
        bucket.publish(&format!("releases/{v}/"), &m, None).await;
    }
    let repo = bucket.releases("releases/", &[&key]).with_page_size(2);

    let ReleasesRead {
        releases,
        api_calls: calls,
    } = repo.releases().await.unwrap();

    assert_eq!(names(&releases), versions);
    // Three pages of versions (2 + 2 + 1), then one page per folder (manifest and zip).
    assert_eq!(count(&calls, "s3:ListBucket"), 3 + 5, "{calls:?}");
    assert_eq!(
        count(&calls, "s3:GetObject"),
        5 + 5,
        "five manifests (unsigned: no signature to read), five HeadObject: {calls:?}"
    );
}

#[tokio::test]
async fn an_unchanged_repository_is_not_read_again() {
    let bucket = Bucket::create("cache").await;
    let key = Key::new();
    for v in ["v1.0.0", "v1.1.0", "v1.2.0"] {
        bucket
            .publish(
                &format!("{v}/"),
                &manifest("", v, &["api.zip", "worker.zip"]),
                Some(&key),
            )
            .await;
    }
    let repo = bucket.releases("", &[&key]);
    let ReleasesRead {
        releases: first,
        api_calls: calls,
    } = repo.releases().await.unwrap();
    assert_eq!(
        count(&calls, "s3:GetObject"),
        3 * (2 + 2),
        "each manifest, signature and artifact once"
    );

    let ReleasesRead {
        releases: second,
        api_calls: calls,
    } = repo.releases().await.unwrap();

    assert_eq!(second, first);
    assert_eq!(
        calls.keys().map(String::as_str).collect::<Vec<_>>(),
        ["s3:ListBucket"],
        "only the listings: {calls:?}"
    );
    assert_eq!(count(&calls, "s3:ListBucket"), 1 + 3);

    // A new manifest is read again, and only it: its artifacts kept their ETags.
    let mut m = manifest("", "v1.1.0", &["api.zip", "worker.zip"]);
    m.notes = Some("Corrected notes.".into());
    bucket.publish("v1.1.0/", &m, Some(&key)).await;
    let ReleasesRead {
        releases: third,
        api_calls: calls,
    } = repo.releases().await.unwrap();
    assert_eq!(
        find(&third, "v1.1.0").notes.as_deref(),
        Some("Corrected notes.")
    );
    assert_eq!(
        count(&calls, "s3:GetObject"),
        2,
        "the manifest and its signature"
    );

    // An artifact replaced after release is asked about again, and only it.
    bucket
        .put("v1.2.0/worker.zip", b"something else!!!!!!!!!")
        .await;
    let ReleasesRead {
        releases: fourth,
        api_calls: calls,
    } = repo.releases().await.unwrap();
    assert_eq!(count(&calls, "s3:GetObject"), 0);
    assert!(
        matches!(&find(&fourth, "v1.2.0").status, ReleaseStatus::ChecksumMismatch(a) if a == "worker.zip"),
        "the listing's size already differs from the manifest's: {fourth:#?}"
    );
    let same_size: Vec<u8> = artifact("v1.0.0", "worker.zip")
        .iter()
        .map(|b| b.to_ascii_uppercase())
        .collect();
    bucket.put("v1.0.0/worker.zip", &same_size).await;
    let ReleasesRead {
        releases: fifth,
        api_calls: calls,
    } = repo.releases().await.unwrap();
    assert_eq!(
        count(&calls, "s3:GetObject"),
        1,
        "one HeadObject for the one new ETag"
    );
    assert_eq!(
        find(&fifth, "v1.0.0").status,
        ReleaseStatus::ChecksumMismatch("worker.zip".into())
    );
}

#[tokio::test]
async fn a_multipart_artifact_is_checked_only_by_download() {
    let bucket = Bucket::create("multipart").await;
    let key = Key::new();
    const PART: usize = 5 * 1024 * 1024;
    let parts: Vec<Vec<u8>> = (0..2u8)
        .map(|p| (0..PART).map(|i| (i % 251) as u8 ^ p).collect())
        .collect();
    let whole = parts.concat();
    let big_key = "v3.0.0/api.zip";
    let upload = bucket
        .s3
        .create_multipart_upload()
        .bucket(&bucket.name)
        .key(big_key)
        .checksum_algorithm(ChecksumAlgorithm::Sha256)
        .send()
        .await
        .unwrap();
    let id = upload.upload_id().unwrap();
    let mut completed = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let n = i as i32 + 1;
        let out = bucket
            .s3
            .upload_part()
            .bucket(&bucket.name)
            .key(big_key)
            .upload_id(id)
            .part_number(n)
            .checksum_algorithm(ChecksumAlgorithm::Sha256)
            .body(ByteStream::from(part.clone()))
            .send()
            .await
            .unwrap();
        completed.push(
            CompletedPart::builder()
                .part_number(n)
                .set_e_tag(out.e_tag().map(str::to_string))
                .set_checksum_sha256(out.checksum_sha256().map(str::to_string))
                .build(),
        );
    }
    bucket
        .s3
        .complete_multipart_upload()
        .bucket(&bucket.name)
        .key(big_key)
        .upload_id(id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(completed))
                .build(),
        )
        .send()
        .await
        .unwrap();
    let mut m = manifest("", "v3.0.0", &["worker.zip"]);
    m.artifacts.insert(
        0,
        ArtifactEntry {
            name: "api.zip".into(),
            key: big_key.into(),
            sha256: sha256_hex(&whole),
            size: whole.len() as u64,
        },
    );
    bucket
        .put("v3.0.0/worker.zip", &artifact("v3.0.0", "worker.zip"))
        .await;
    bucket.publish_manifest("v3.0.0/", &m, Some(&key)).await;
    // Small pages, so the folder's four objects take two pages too.
    let repo = bucket.releases("", &[&key]).with_page_size(2);
    let version = Version::parse("v3.0.0").unwrap();

    let before = repo.releases().await.unwrap().releases;

    let r = find(&before, "v3.0.0");
    assert_eq!(
        r.integrity,
        IntegrityCheck::NotChecked,
        "a composite checksum is no hash of the file"
    );
    assert_eq!(r.status, ReleaseStatus::Verified);

    assert_eq!(
        repo.verify_by_download(&version).await.unwrap(),
        IntegrityCheck::Matched
    );

    let ReleasesRead {
        releases: after,
        api_calls: calls,
    } = repo.releases().await.unwrap();
    assert_eq!(
        find(&after, "v3.0.0").integrity,
        IntegrityCheck::Matched,
        "the download's result is kept under the object's ETag"
    );
    assert_eq!(count(&calls, "s3:GetObject"), 0);
}

#[tokio::test]
async fn a_download_finds_what_no_stored_sha256_could() {
    let bucket = Bucket::create("download-mismatch").await;
    let key = Key::new();
    let mut m = manifest("", "v1.0.0", &["api.zip"]);
    // The manifest names bytes other than those in the bucket, and S3 stores no checksum
    // for them: only the download can tell.
    m.artifacts[0].sha256 = sha256_hex(b"what the vendor signed");
    bucket.publish("v1.0.0/", &m, Some(&key)).await;
    bucket
        .s3
        .put_object()
        .bucket(&bucket.name)
        .key("v1.0.0/api.zip")
        .body(ByteStream::from(artifact("v1.0.0", "api.zip")))
        .checksum_algorithm(ChecksumAlgorithm::Crc32)
        .send()
        .await
        .unwrap();
    let repo = bucket.releases("", &[&key]);
    let before = repo.releases().await.unwrap().releases;
    assert_eq!(
        find(&before, "v1.0.0").integrity,
        IntegrityCheck::NotChecked
    );

    let stored = sha256_hex(&artifact("v1.0.0", "api.zip"));
    let checked = repo
        .verify_by_download(&Version::parse("v1.0.0").unwrap())
        .await
        .unwrap();

    assert!(
        matches!(&checked, IntegrityCheck::Mismatch { artifact, actual, .. }
            if artifact == "api.zip" && *actual == stored),
        "{checked:?}"
    );
    let after = repo.releases().await.unwrap().releases;
    assert_eq!(
        find(&after, "v1.0.0").status,
        ReleaseStatus::ChecksumMismatch("api.zip".into())
    );
}

#[tokio::test]
async fn an_unreadable_manifest_is_that_versions_problem_only() {
    let bucket = Bucket::create("unreadable").await;
    let key = Key::new();
    bucket
        .publish("v1.0.0/", &manifest("", "v1.0.0", &["api.zip"]), Some(&key))
        .await;
    bucket.put("v1.1.0/manifest.json", b"{ not json").await;

    let releases = bucket.read(&[&key]).await;

    assert_eq!(find(&releases, "v1.0.0").status, ReleaseStatus::Verified);
    let broken = find(&releases, "v1.1.0");
    let ReleaseStatus::BadSignature(why) = &broken.status else {
        panic!("unreadable: {broken:#?}");
    };
    assert!(
        why.contains("manifest.json is not a valid manifest"),
        "{why}"
    );
    assert!(broken.status.pinnable(&broken.version).is_err());
}

#[tokio::test]
async fn a_missing_bucket_is_named_with_a_hint() {
    let bucket = Bucket::create("exists").await;
    let repo = S3Releases::new(
        bucket.conn.clone(),
        "no-such-release-bucket".into(),
        String::new(),
        vec![Key::new().public()],
    );

    let err = repo.releases().await.unwrap_err();

    assert_eq!(err.kind, ErrorKind::NotFound, "{err:?}");
    assert!(
        err.message
            .contains("the bucket no-such-release-bucket does not exist in us-east-1"),
        "{}",
        err.message
    );
    assert!(
        err.hint.as_deref().unwrap_or("").contains("release.bucket"),
        "{err:?}"
    );
}

#[test]
fn ci_installs_the_emulators_the_harness_would() {
    let ci = include_str!("../.ci/run");
    for package in emulators::PACKAGES {
        assert!(
            ci.contains(&format!("'{package}'")),
            ".ci/run must install {package} as the harness does"
        );
    }
    assert!(ci.contains("${SHIFTDECK_EMULATORS:-.venv}"));
    assert!(ci.contains(".shiftdeck-emulators"));
}
