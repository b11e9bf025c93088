//! The vendor's release repository in S3, behind `ReleaseRepo`.
//!
//! # What a refresh costs
//!
//! Versions are the common prefixes under `prefix` (ListObjectsV2, delimiter `/`, 1,000 a
//! page). Each version folder is then listed once more, without a delimiter: that one request
//! returns the ETag and size of `manifest.json`, `manifest.json.minisig` and every artifact in
//! the folder. Everything else is read only when an ETag it was read under has changed:
//!
//! - the manifest and its signature are downloaded again only when either ETag changed;
//! - an artifact is asked for its checksum (HeadObject) only when its (key, ETag) is new.
//!
//! An unchanged repository therefore costs `ceil(V / 1000) + V` requests a refresh. The
//! alternatives cost more: a conditional GetObject (`If-None-Match`, answered 304) is still a
//! request for the manifest and another for the signature, and without a listing there is no
//! way to learn an artifact's ETag except asking for it, so every artifact would be asked on
//! every refresh too. The listing is also what notices an artifact replaced after release,
//! which caching the checks by the manifest's ETag alone would miss.
//!
//! A folder is a version when its name is one (`Version::parse`, which also accepts names
//! outside semver such as `nightly`) and it holds a `manifest.json`: `docs/` or `keys/` are
//! not versions, and neither is a version the vendor is still uploading, manifest last. Such a
//! folder still costs its listing on every refresh.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use aws_sdk_s3::types::{ChecksumMode, ChecksumType};
use futures::stream::{self, StreamExt};
use sha2::{Digest, Sha256};

use super::connect::{Calls, Connection};
use super::error::CallSite;
use crate::domain::provenance::base64_to_hex;
use crate::domain::release::{
    ArtifactEntry, IntegrityCheck, Manifest, Release, ReleaseStatus, SignatureCheck,
    check_integrity, verify_signature,
};
use crate::domain::version::Version;
use crate::ports::{ErrorKind, PortError, PortResult, ReleaseRepo, ReleasesRead};

/// Version folders read at once. The connection's request budget paces them anyway; this
/// only bounds how many answers are awaited together.
const CONCURRENCY: usize = 4;

/// Artifacts of one version asked for their checksum at once.
const ARTIFACT_CONCURRENCY: usize = 4;

/// S3's own page limit.
const PAGE_SIZE: i32 = 1000;

/// A manifest is a few kilobytes; anything far larger is not one, and is not read into memory.
const MAX_MANIFEST_BYTES: i64 = 1024 * 1024;

const MANIFEST: &str = "manifest.json";
const SIGNATURE: &str = "manifest.json.minisig";

pub struct S3Releases {
    conn: Arc<Connection>,
    client: aws_sdk_s3::Client,
    bucket: String,
    prefix: String,
    public_keys: Vec<String>,
    page_size: i32,
    /// By version folder: what its manifest and signature said under the ETags they had.
    manifests: Mutex<HashMap<String, ManifestRead>>,
    /// By (key, ETag): the object's full-object SHA-256 in hex, `None` where S3 stores none.
    checksums: Mutex<HashMap<(String, String), Option<String>>>,
}

#[derive(Clone)]
struct ManifestRead {
    manifest_etag: Option<String>,
    signature_etag: Option<String>,
    /// The manifest, or why it is not one.
    manifest: Result<Manifest, String>,
    signature: SignatureCheck,
}

/// An object as a listing shows it.
#[derive(Clone, Debug)]
struct Listed {
    etag: Option<String>,
    size: Option<i64>,
}

#[derive(Default)]
struct Listing {
    folders: Vec<String>,
    objects: HashMap<String, Listed>,
}

/// What is known about one artifact's bytes.
enum Sum {
    Known(String),
    /// S3 holds no full-object SHA-256 for it.
    Unknown,
    /// Something that can never equal a SHA-256: the object is missing or has the wrong size.
    Wrong(String),
}

struct VersionRead {
    release: Release,
    /// The (key, ETag) pairs whose checksums this read relied on, kept in the cache.
    checksums: Vec<(String, String)>,
}

impl S3Releases {
    /// `public_keys`: every trusted minisign key (the `RW…` lines); a signature valid under any
    /// of them is valid, so the vendor can rotate keys without a flag day.
    pub fn new(
        conn: Arc<Connection>,
        bucket: String,
        prefix: String,
        public_keys: Vec<String>,
    ) -> Self {
        Self {
            client: aws_sdk_s3::Client::new(&conn.sdk),
            conn,
            bucket,
            prefix,
            public_keys,
            page_size: PAGE_SIZE,
            manifests: Mutex::default(),
            checksums: Mutex::default(),
        }
    }

    /// Smaller listing pages, so tests can exercise pagination with a handful of objects.
    pub fn with_page_size(mut self, n: i32) -> Self {
        self.page_size = n.clamp(1, PAGE_SIZE);
        self
    }

    fn site(&self, action: &'static str, resource: impl Into<String>) -> CallSite {
        CallSite {
            release_bucket: true,
            ..self.conn.site(action, resource)
        }
    }

    fn object_site(&self, key: &str) -> CallSite {
        self.site("s3:GetObject", format!("s3://{}/{key}", self.bucket))
    }

    async fn refresh(&self, calls: &Calls) -> PortResult<Vec<Release>> {
        let top = self.list(calls, &self.prefix, true).await?;
        let folders: Vec<(Version, String)> = top
            .folders
            .into_iter()
            .filter_map(|f| Some((version_of(&self.prefix, &f)?, f)))
            .collect();
        // The futures are collected before they become a stream: a stream combinator holding
        // the closure trips the compiler's higher-ranked lifetime check in `async_trait`.
        let reads: Vec<_> = folders
            .iter()
            .map(|(version, folder)| async move {
                (version, self.read_version(calls, version, folder).await)
            })
            .collect();
        let reads: Vec<_> = stream::iter(reads)
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        let mut releases = Vec::new();
        let mut kept = HashSet::new();
        for (version, read) in reads {
            match read {
                Ok(Some(read)) => {
                    releases.push(read.release);
                    kept.extend(read.checksums);
                }
                // Not a version folder (no manifest): `docs/`, `keys/`, or a version still being
                // uploaded, since vendors put the manifest last.
                Ok(None) => {}
                Err(e) if fails_the_repository(&e) => return Err(e),
                Err(e) => releases.push(unreadable(version.clone(), &e.message)),
            }
        }
        let listed: HashSet<&str> = folders.iter().map(|(_, f)| f.as_str()).collect();
        lock(&self.manifests).retain(|folder, _| listed.contains(folder.as_str()));
        lock(&self.checksums).retain(|k, _| kept.contains(k));
        releases.sort_by(|a, b| a.version.cmp(&b.version));
        Ok(releases)
    }

    /// `None` when the folder holds no manifest, so is no version.
    async fn read_version(
        &self,
        calls: &Calls,
        version: &Version,
        folder: &str,
    ) -> PortResult<Option<VersionRead>> {
        let listing = self.list(calls, folder, false).await?;
        let Some(read) = self.manifest(calls, folder, &listing).await? else {
            return Ok(None);
        };
        let manifest = match read.manifest {
            Ok(m) => m,
            Err(why) => {
                return Ok(Some(VersionRead {
                    release: unreadable(version.clone(), &why),
                    checksums: Vec::new(),
                }));
            }
        };
        let asks: Vec<_> = manifest
            .artifacts
            .iter()
            .map(|a| self.artifact_sum(calls, folder, a, listing.objects.get(&a.key)))
            .collect();
        let sums: Vec<(Sum, Option<(String, String)>)> = stream::iter(asks)
            .buffered(ARTIFACT_CONCURRENCY)
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<PortResult<_>>()?;
        let by_key: HashMap<&str, &Sum> = manifest
            .artifacts
            .iter()
            .zip(&sums)
            .map(|(a, (sum, _))| (a.key.as_str(), sum))
            .collect();
        let integrity =
            check_integrity(&manifest.artifacts, |a| match by_key.get(a.key.as_str()) {
                Some(Sum::Known(hex)) | Some(Sum::Wrong(hex)) => Some(hex.as_str()),
                _ => None,
            });
        let checksums = sums.into_iter().filter_map(|(_, seen)| seen).collect();
        Ok(Some(VersionRead {
            release: Release::from_manifest(version, &manifest, read.signature, integrity),
            checksums,
        }))
    }

    /// The manifest and signature of `folder`, downloaded only when an ETag changed since the
    /// last read. `None` when the listing shows no manifest.
    async fn manifest(
        &self,
        calls: &Calls,
        folder: &str,
        listing: &Listing,
    ) -> PortResult<Option<ManifestRead>> {
        let manifest_key = format!("{folder}{MANIFEST}");
        let signature_key = format!("{folder}{SIGNATURE}");
        let Some(listed) = listing.objects.get(&manifest_key) else {
            return Ok(None);
        };
        let listed_sig = listing.objects.get(&signature_key);
        if let Some(cached) = lock(&self.manifests).get(folder)
            && listed.etag.is_some()
            && cached.manifest_etag == listed.etag
            && cached.signature_etag == listed_sig.and_then(|s| s.etag.clone())
        {
            return Ok(Some(cached.clone()));
        }
        let read = if listed.size.unwrap_or(0) > MAX_MANIFEST_BYTES {
            ManifestRead {
                manifest_etag: listed.etag.clone(),
                signature_etag: listed_sig.and_then(|s| s.etag.clone()),
                manifest: Err(format!(
                    "{MANIFEST} is {} bytes, far too large for a manifest",
                    listed.size.unwrap_or(0)
                )),
                signature: SignatureCheck::Invalid("the manifest was not read".into()),
            }
        } else {
            let signature = async {
                match listed_sig {
                    Some(_) => self.get(calls, &signature_key).await.map(Some),
                    None => Ok(None),
                }
            };
            let (manifest, signature) =
                futures::future::join(self.get(calls, &manifest_key), signature).await;
            let (manifest_etag, bytes) = manifest?;
            let (signature_etag, signature) = signature?.unzip();
            ManifestRead {
                manifest_etag: manifest_etag.or_else(|| listed.etag.clone()),
                signature_etag: signature_etag
                    .flatten()
                    .or_else(|| listed_sig.and_then(|s| s.etag.clone())),
                signature: verify_any(&bytes, signature.as_deref(), &self.public_keys),
                manifest: serde_json::from_slice::<Manifest>(&bytes)
                    .map_err(|e| format!("{MANIFEST} is not a valid manifest: {e}")),
            }
        };
        lock(&self.manifests).insert(folder.to_string(), read.clone());
        Ok(Some(read))
    }

    /// What S3 knows about one artifact's bytes, asking it only for a (key, ETag) not seen
    /// before; also the (key, ETag) the answer is cached under.
    async fn artifact_sum(
        &self,
        calls: &Calls,
        folder: &str,
        artifact: &ArtifactEntry,
        listed: Option<&Listed>,
    ) -> PortResult<(Sum, Option<(String, String)>)> {
        if let Some(listed) = listed {
            if let Some(wrong) = wrong_size(artifact, listed.size) {
                return Ok((Sum::Wrong(wrong), None));
            }
            if let Some(etag) = &listed.etag {
                let cache_key = (artifact.key.clone(), etag.clone());
                if let Some(cached) = lock(&self.checksums).get(&cache_key) {
                    return Ok((known(cached.clone()), Some(cache_key)));
                }
            }
        } else if artifact.key.starts_with(folder) {
            // The folder's listing is complete: an artifact of the folder it lacks is missing,
            // and the pipeline could not deploy it either.
            return Ok((Sum::Wrong("no such object in the bucket".into()), None));
        }
        // An artifact outside its version folder has no ETag from the listing, so it is asked
        // on every refresh.
        let head = self
            .conn
            .call(
                calls,
                self.object_site(&artifact.key),
                self.client
                    .head_object()
                    .bucket(&self.bucket)
                    .key(&artifact.key)
                    .checksum_mode(ChecksumMode::Enabled)
                    .send(),
            )
            .await;
        let head = match head {
            Ok(h) => h,
            Err(e) if e.kind == ErrorKind::NotFound => {
                return Ok((Sum::Wrong("no such object in the bucket".into()), None));
            }
            Err(e) => return Err(e),
        };
        if let Some(wrong) = wrong_size(artifact, head.content_length()) {
            return Ok((Sum::Wrong(wrong), None));
        }
        let stored = full_object_sha256(head.checksum_sha256(), head.checksum_type(), head.e_tag());
        let Some(etag) = head.e_tag().or(listed.and_then(|l| l.etag.as_deref())) else {
            return Ok((known(stored), None));
        };
        let cache_key = (artifact.key.clone(), etag.to_string());
        let mut cache = lock(&self.checksums);
        // A sum from a download (`verify_by_download`) under the same ETag outlives a HEAD
        // that has none.
        let entry = cache.entry(cache_key.clone()).or_insert(None);
        if stored.is_some() {
            *entry = stored;
        }
        Ok((known(entry.clone()), Some(cache_key)))
    }

    /// One listing of `prefix`, every page.
    async fn list(&self, calls: &Calls, prefix: &str, delimiter: bool) -> PortResult<Listing> {
        let mut listing = Listing::default();
        let mut token = None;
        loop {
            let request = self
                .client
                .list_objects_v2()
                .bucket(&self.bucket)
                .prefix(prefix)
                .max_keys(self.page_size)
                .set_delimiter(delimiter.then(|| "/".to_string()))
                .set_continuation_token(token.take());
            let page = self
                .conn
                .call(
                    calls,
                    self.site("s3:ListBucket", &self.bucket),
                    request.send(),
                )
                .await?;
            listing.folders.extend(
                page.common_prefixes()
                    .iter()
                    .filter_map(|p| p.prefix().map(str::to_string)),
            );
            listing
                .objects
                .extend(page.contents().iter().filter_map(|o| {
                    Some((
                        o.key()?.to_string(),
                        Listed {
                            etag: o.e_tag().filter(|e| !e.is_empty()).map(str::to_string),
                            size: o.size(),
                        },
                    ))
                }));
            token = page.next_continuation_token().map(str::to_string);
            // Without a token there is no next page to ask for, whatever IsTruncated says.
            if token.is_none() || page.is_truncated() == Some(false) {
                return Ok(listing);
            }
        }
    }

    /// GetObject of `key`, its body still to be read.
    async fn open(
        &self,
        calls: &Calls,
        key: &str,
    ) -> PortResult<aws_sdk_s3::operation::get_object::GetObjectOutput> {
        self.conn
            .call(
                calls,
                self.object_site(key),
                self.client
                    .get_object()
                    .bucket(&self.bucket)
                    .key(key)
                    .send(),
            )
            .await
    }

    /// An object's ETag and bytes.
    async fn get(&self, calls: &Calls, key: &str) -> PortResult<(Option<String>, Vec<u8>)> {
        let out = self.open(calls, key).await?;
        let etag = out.e_tag().map(str::to_string);
        let bytes = out
            .body
            .collect()
            .await
            .map_err(|e| self.broke_off(key, e))?;
        Ok((etag, bytes.into_bytes().to_vec()))
    }

    /// An object's ETag and the hex SHA-256 of its bytes, hashed as they arrive so a large
    /// artifact is never held in memory.
    async fn download_sha256(
        &self,
        calls: &Calls,
        key: &str,
    ) -> PortResult<(Option<String>, String)> {
        let out = self.open(calls, key).await?;
        let etag = out.e_tag().map(str::to_string);
        let mut body = out.body;
        let mut hasher = Sha256::new();
        while let Some(chunk) = body.try_next().await.map_err(|e| self.broke_off(key, e))? {
            hasher.update(&chunk);
        }
        Ok((etag, hex::encode(hasher.finalize())))
    }

    fn broke_off(&self, key: &str, e: impl std::fmt::Display) -> PortError {
        PortError::new(
            ErrorKind::Unavailable,
            format!("the download of s3://{}/{key} broke off: {e}", self.bucket),
        )
        .with_hint("shiftdeck reads it again at the next refresh")
    }
}

#[async_trait]
impl ReleaseRepo for S3Releases {
    async fn releases(&self) -> PortResult<ReleasesRead> {
        let calls = Calls::default();
        let releases = self.refresh(&calls).await?;
        Ok(ReleasesRead {
            releases,
            api_calls: calls.take(),
        })
    }

    /// Downloads every artifact of `version`, hashes it with SHA-256 as it streams and compares
    /// with the manifest: the check on request for artifacts S3 holds no full-object checksum
    /// of (multipart uploads). The sums are remembered under the objects' ETags, so later
    /// refreshes show the result without downloading again.
    async fn verify_by_download(&self, version: &Version) -> PortResult<IntegrityCheck> {
        let calls = Calls::default();
        let folder = format!("{}{}/", self.prefix, version.as_str());
        let listing = self.list(&calls, &folder, false).await?;
        let manifest = match self.manifest(&calls, &folder, &listing).await? {
            Some(read) => read.manifest.map_err(|why| {
                PortError::new(
                    ErrorKind::Invalid,
                    format!("cannot check {version} by download: {why}"),
                )
            })?,
            None => {
                return Err(PortError::new(
                    ErrorKind::NotFound,
                    format!(
                        "{version} has no {MANIFEST} in s3://{}/{folder}",
                        self.bucket
                    ),
                )
                .with_hint("refresh the versions list: the version may have been removed"));
            }
        };
        let mut sums = HashMap::new();
        for artifact in &manifest.artifacts {
            let (etag, sum) = self.download_sha256(&calls, &artifact.key).await?;
            if let Some(etag) = etag {
                lock(&self.checksums).insert((artifact.key.clone(), etag), Some(sum.clone()));
            }
            sums.insert(artifact.key.clone(), sum);
        }
        Ok(check_integrity(&manifest.artifacts, |a| {
            sums.get(&a.key).map(String::as_str)
        }))
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The version a common prefix names, if it names one.
fn version_of(prefix: &str, common_prefix: &str) -> Option<Version> {
    let name = common_prefix.strip_prefix(prefix)?.strip_suffix('/')?;
    Version::parse(name).ok()
}

/// Failures that say nothing about one version but about the bucket or the way to it: the
/// whole refresh fails, so the list shows the error in place and backs off, instead of every
/// version showing a bad signature for a throttled or refused request.
fn fails_the_repository(e: &PortError) -> bool {
    matches!(
        e.kind,
        ErrorKind::Throttled
            | ErrorKind::Timeout
            | ErrorKind::Unavailable
            | ErrorKind::Credentials
            | ErrorKind::AccessDenied
            | ErrorKind::OutcomeUnknown
    )
}

/// A version whose manifest cannot be read is shown with why, never silently dropped, and
/// never pinnable: nothing says what the vendor published.
fn unreadable(version: Version, why: &str) -> Release {
    let why = format!("the manifest cannot be read: {why}");
    Release {
        version,
        released_at: None,
        notes: None,
        artifacts: Vec::new(),
        signature: SignatureCheck::Invalid(why.clone()),
        integrity: IntegrityCheck::NotChecked,
        status: ReleaseStatus::BadSignature(why),
    }
}

/// Valid under any trusted key. Otherwise the reason of a key the signature names (the
/// manifest was changed after signing), or that it names none of them.
fn verify_any(manifest: &[u8], signature: Option<&[u8]>, keys: &[String]) -> SignatureCheck {
    if signature.is_none() {
        return SignatureCheck::Missing;
    }
    let other_key = minisign_verify::Error::UnexpectedKeyId.to_string();
    let mut reason = None;
    for key in keys {
        match verify_signature(manifest, signature, key) {
            SignatureCheck::Valid => return SignatureCheck::Valid,
            SignatureCheck::Invalid(why) if why == other_key => {}
            SignatureCheck::Invalid(why) => {
                reason.get_or_insert(why);
            }
            SignatureCheck::Missing => return SignatureCheck::Missing,
        }
    }
    SignatureCheck::Invalid(reason.unwrap_or_else(|| match keys.len() {
        0 => "no trusted public key is configured".into(),
        1 => "signed with a key other than the trusted public key".into(),
        n => format!("signed with a key that is none of the {n} trusted public keys"),
    }))
}

fn known(sum: Option<String>) -> Sum {
    sum.map_or(Sum::Unknown, Sum::Known)
}

/// Why the object cannot hold the manifest's bytes, when its size already says so.
fn wrong_size(artifact: &ArtifactEntry, size: Option<i64>) -> Option<String> {
    let size = size?;
    (u64::try_from(size).ok() != Some(artifact.size)).then(|| {
        format!(
            "an object of {size} bytes (the manifest says {})",
            artifact.size
        )
    })
}

/// The hex SHA-256 of the whole object, from S3's base64 `x-amz-checksum-sha256`, when it is
/// one. A multipart upload's COMPOSITE checksum is a hash of the parts' hashes and cannot be
/// compared with a hash of the file. S3 says which it is in `x-amz-checksum-type`; where that
/// is absent (endpoints that predate it, moto), a `-N` part count on the checksum or on the
/// ETag still marks a multipart object, whose SHA-256 can only be composite.
fn full_object_sha256(
    checksum: Option<&str>,
    kind: Option<&ChecksumType>,
    etag: Option<&str>,
) -> Option<String> {
    let checksum = checksum?.trim();
    let full = match kind {
        Some(ChecksumType::FullObject) => true,
        Some(_) => false,
        None => !is_composite(checksum) && !etag.is_some_and(|e| is_composite(e.trim_matches('"'))),
    };
    if full { base64_to_hex(checksum) } else { None }
}

/// Whether a checksum or ETag ends in `-N`, S3's mark of an object uploaded in N parts.
fn is_composite(value: &str) -> bool {
    value
        .rsplit_once('-')
        .is_some_and(|(_, parts)| !parts.is_empty() && parts.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HELLO_B64: &str = "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=";
    const HELLO_HEX: &str = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

    const SINGLE_ETAG: &str = "\"5d41402abc4b2a76b9719d911017c592\"";
    const MULTIPART_ETAG: &str = "\"71af35d0330820b0495bc5748ca37374-2\"";

    #[test]
    fn a_full_object_checksum_is_the_hex_sha256_of_the_file() {
        let full = Some(&ChecksumType::FullObject);
        assert_eq!(
            full_object_sha256(Some(HELLO_B64), full, Some(SINGLE_ETAG)).as_deref(),
            Some(HELLO_HEX)
        );
        assert_eq!(
            full_object_sha256(Some(HELLO_B64), None, Some(SINGLE_ETAG)).as_deref(),
            Some(HELLO_HEX),
            "an endpoint that sends no checksum type"
        );
        assert_eq!(full_object_sha256(None, full, None), None);
        assert_eq!(full_object_sha256(Some("not base64!"), full, None), None);
        assert_eq!(
            full_object_sha256(Some("AAAA"), None, None),
            None,
            "too short for a SHA-256"
        );
    }

    #[test]
    fn a_composite_checksum_is_no_hash_of_the_file() {
        let composite = format!("{HELLO_B64}-2");
        assert!(is_composite(&composite));
        assert!(!is_composite(HELLO_B64));
        assert!(!is_composite("abc-"));
        assert!(!is_composite("abc-x2"));
        let kind = Some(&ChecksumType::Composite);
        assert_eq!(full_object_sha256(Some(&composite), kind, None), None);
        assert_eq!(
            full_object_sha256(Some(HELLO_B64), kind, Some(SINGLE_ETAG)),
            None,
            "the type decides even without the suffix"
        );
        assert_eq!(full_object_sha256(Some(&composite), None, None), None);
        assert_eq!(
            full_object_sha256(Some(HELLO_B64), None, Some(MULTIPART_ETAG)),
            None,
            "without a type, a multipart ETag tells (moto sends neither type nor suffix)"
        );
        assert_eq!(
            full_object_sha256(
                Some(HELLO_B64),
                Some(&ChecksumType::FullObject),
                Some(MULTIPART_ETAG)
            )
            .as_deref(),
            Some(HELLO_HEX),
            "a multipart upload with a full-object checksum, as S3 keeps for CRCs"
        );
    }

    #[test]
    fn version_folders_are_named_below_the_prefix() {
        let v = |p: &str, f: &str| version_of(p, f).map(|v| v.to_string());
        assert_eq!(v("", "v1.2.0/").as_deref(), Some("v1.2.0"));
        assert_eq!(
            v("releases/", "releases/v1.3.0-rc.1/").as_deref(),
            Some("v1.3.0-rc.1")
        );
        assert_eq!(v("", "nightly/").as_deref(), Some("nightly"));
        assert_eq!(v("", "not a version/"), None);
        assert_eq!(v("releases/", "releases//"), None);
        assert_eq!(v("releases/", "other/v1.0.0/"), None);
    }

    #[test]
    fn a_wrong_size_is_caught_before_any_checksum() {
        let a = ArtifactEntry {
            name: "api.zip".into(),
            key: "v1/api.zip".into(),
            sha256: HELLO_HEX.into(),
            size: 5,
        };
        assert_eq!(wrong_size(&a, Some(5)), None);
        assert_eq!(wrong_size(&a, None), None);
        let why = wrong_size(&a, Some(6)).unwrap();
        assert!(why.contains("6 bytes") && why.contains("says 5"), "{why}");
    }

    #[test]
    fn without_a_signature_no_key_is_asked() {
        assert_eq!(verify_any(b"{}", None, &[]), SignatureCheck::Missing);
        assert_eq!(
            verify_any(b"{}", Some(b"x"), &[]),
            SignatureCheck::Invalid("no trusted public key is configured".into())
        );
    }

    /// A recorded answer, whatever was asked.
    fn answer(status: u16, body: &str) -> aws_smithy_http_client::test_util::ReplayEvent {
        aws_smithy_http_client::test_util::ReplayEvent::new(
            http::Request::builder()
                .uri("https://recorded.invalid/")
                .body(aws_smithy_types::body::SdkBody::empty())
                .unwrap(),
            http::Response::builder()
                .status(status)
                .header("content-type", "application/xml")
                .body(aws_smithy_types::body::SdkBody::from(body.to_string()))
                .unwrap(),
        )
    }

    #[tokio::test]
    async fn the_vendors_refusal_names_the_account_it_refused() {
        let replay = aws_smithy_http_client::test_util::StaticReplayClient::new(vec![
            // S3's AccessDenied names no principal.
            answer(
                403,
                "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>",
            ),
            answer(
                200,
                r#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:sts::123456789012:assumed-role/operator/ada</Arn><UserId>AROAEXAMPLE:ada</UserId><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>"#,
            ),
        ]);
        let sdk = aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .credentials_provider(
                aws_credential_types::provider::SharedCredentialsProvider::new(
                    aws_credential_types::Credentials::for_tests(),
                ),
            )
            .http_client(replay.clone())
            .build();
        let limits = crate::aws::connect::Limits {
            attempts: 1,
            ..Default::default()
        };
        let conn = Connection::from_sdk(Default::default(), sdk, limits);
        let releases = S3Releases::new(Arc::new(conn), "ltbase-releases".into(), "".into(), vec![]);
        let e = releases.releases().await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::AccessDenied);
        assert!(
            e.message.contains(
                "refused s3:ListBucket on ltbase-releases for arn:aws:sts::123456789012:assumed-role/operator/ada (account 123456789012)"
            ),
            "{}",
            e.message
        );
        assert_eq!(replay.actual_requests().count(), 2, "a listing, then STS");
    }

    #[test]
    fn only_transient_and_access_failures_fail_the_whole_list() {
        assert!(fails_the_repository(&PortError::new(
            ErrorKind::Throttled,
            ""
        )));
        assert!(fails_the_repository(&PortError::new(
            ErrorKind::AccessDenied,
            ""
        )));
        assert!(!fails_the_repository(&PortError::new(
            ErrorKind::NotFound,
            ""
        )));
        assert!(!fails_the_repository(&PortError::new(ErrorKind::Other, "")));
        let r = unreadable(Version::parse("v1.0.0").unwrap(), "gone");
        assert!(matches!(&r.status, ReleaseStatus::BadSignature(why) if why.contains("gone")));
    }
}
