//! The vendor's release repository in S3, behind `ReleaseRepo`.
//!
//! Versions are the common prefixes under the configured prefix. Each refresh lists every
//! version folder once (one ListObjectsV2 each, which also gives the ETags); a folder whose
//! manifest, signature and artifacts have the ETags seen before is not read again, so an
//! unchanged repository costs one listing a version and nothing else.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use aws_sdk_s3::types::{ChecksumMode, ChecksumType};
use futures::stream::{self, StreamExt};
use sha2::{Digest, Sha256};

use super::connect::{Calls, Connection};
use super::error::CallSite;
use crate::domain::provenance::base64_to_hex;
use crate::domain::release::{
    IntegrityCheck, Manifest, Release, ReleaseStatus, SignatureCheck, check_integrity,
    verify_signature,
};
use crate::domain::version::Version;
use crate::ports::{ErrorKind, PortError, PortResult, ReleaseRepo};

/// Version folders read at once.
const CONCURRENCY: usize = 4;

pub struct S3Releases {
    conn: Arc<Connection>,
    client: aws_sdk_s3::Client,
    bucket: String,
    prefix: String,
    keys: Vec<String>,
    page_size: i32,
    /// Version folder → the ETags of its objects when read, and what was read.
    cache: Mutex<HashMap<String, Seen>>,
}

/// A version folder as last read: its objects' keys and ETags, and the release they made.
struct Seen {
    etags: Vec<(String, String)>,
    release: Release,
}

impl S3Releases {
    pub fn new(conn: Arc<Connection>, bucket: String, prefix: String, keys: Vec<String>) -> Self {
        Self {
            client: aws_sdk_s3::Client::new(&conn.sdk),
            conn,
            bucket,
            prefix,
            keys,
            page_size: 1000,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Smaller pages, to exercise pagination in tests.
    pub fn with_page_size(mut self, n: i32) -> Self {
        self.page_size = n;
        self
    }

    fn site(&self, action: &'static str, resource: impl Into<String>) -> CallSite {
        CallSite {
            release_bucket: true,
            ..self.conn.site(action, resource)
        }
    }

    /// The objects under `prefix`: common prefixes (with `/` as delimiter) and keys with ETags.
    async fn list(
        &self,
        calls: &Calls,
        prefix: &str,
        delimiter: bool,
    ) -> PortResult<(Vec<String>, Vec<(String, String)>)> {
        let (mut folders, mut objects) = (Vec::new(), Vec::new());
        let mut token = None;
        loop {
            let mut req = self
                .client
                .list_objects_v2()
                .bucket(&self.bucket)
                .prefix(prefix)
                .max_keys(self.page_size)
                .set_continuation_token(token.clone());
            if delimiter {
                req = req.delimiter("/");
            }
            let out = self
                .conn
                .call(calls, self.site("s3:ListBucket", &self.bucket), req.send())
                .await?;
            folders.extend(
                out.common_prefixes()
                    .iter()
                    .filter_map(|p| p.prefix().map(str::to_string)),
            );
            objects.extend(out.contents().iter().filter_map(|o| {
                Some((
                    o.key()?.to_string(),
                    o.e_tag().unwrap_or_default().to_string(),
                ))
            }));
            // An empty or repeated token means no more pages, whatever the endpoint says.
            let next = out
                .next_continuation_token()
                .filter(|t| !t.is_empty())
                .map(str::to_string);
            if next.is_none() || next == token {
                return Ok((folders, objects));
            }
            token = next;
        }
    }

    async fn get(&self, calls: &Calls, key: &str) -> PortResult<Vec<u8>> {
        let out = self
            .conn
            .call(
                calls,
                self.site("s3:GetObject", format!("s3://{}/{key}", self.bucket)),
                self.client
                    .get_object()
                    .bucket(&self.bucket)
                    .key(key)
                    .send(),
            )
            .await?;
        out.body
            .collect()
            .await
            .map(|b| b.into_bytes().to_vec())
            .map_err(|e| {
                PortError::new(
                    ErrorKind::Unavailable,
                    format!(
                        "s3://{}/{key} broke off while downloading: {e}",
                        self.bucket
                    ),
                )
            })
    }

    /// The hex SHA-256 S3 stores for the whole object, if it stores one: a multipart upload's
    /// composite checksum (a hash of the parts' hashes) is not the object's hash.
    async fn stored_sha256(&self, calls: &Calls, key: &str) -> PortResult<Option<String>> {
        let out = self
            .conn
            .call(
                calls,
                self.site("s3:GetObject", format!("s3://{}/{key}", self.bucket)),
                self.client
                    .head_object()
                    .bucket(&self.bucket)
                    .key(key)
                    .checksum_mode(ChecksumMode::Enabled)
                    .send(),
            )
            .await?;
        let composite = out.checksum_type() == Some(&ChecksumType::Composite)
            || out.checksum_sha256().is_some_and(|c| c.contains('-'));
        Ok(out
            .checksum_sha256()
            .filter(|_| !composite)
            .and_then(base64_to_hex))
    }

    async fn read_version(
        &self,
        calls: &Calls,
        version: Version,
        folder: &str,
    ) -> PortResult<Release> {
        let (_, objects) = self.list(calls, folder, false).await?;
        if let Some(seen) = self.cache().get(folder)
            && seen.etags == objects
        {
            return Ok(seen.release.clone());
        }
        let manifest_key = format!("{folder}manifest.json");
        let sig_key = format!("{manifest_key}.minisig");
        let bytes = self.get(calls, &manifest_key).await?;
        let signature = if objects.iter().any(|(k, _)| *k == sig_key) {
            Some(self.get(calls, &sig_key).await?)
        } else {
            None
        };
        let check = self.verify(&bytes, signature.as_deref());
        let manifest: Manifest = match serde_json::from_slice(&bytes) {
            Ok(m) => m,
            Err(e) => {
                return Ok(unreadable(
                    version,
                    format!("manifest.json is not a manifest: {e}"),
                ));
            }
        };
        let mut sums = HashMap::new();
        for a in &manifest.artifacts {
            if let Some(sum) = self.stored_sha256(calls, &a.key).await? {
                sums.insert(a.key.clone(), sum);
            }
        }
        let integrity = check_integrity(&manifest.artifacts, |a| {
            sums.get(&a.key).map(String::as_str)
        });
        let release = Release::from_manifest(&version, &manifest, check, integrity);
        self.cache().insert(
            folder.to_string(),
            Seen {
                etags: objects,
                release: release.clone(),
            },
        );
        Ok(release)
    }

    /// Valid under any trusted key; otherwise the first key's reason.
    fn verify(&self, manifest: &[u8], signature: Option<&[u8]>) -> SignatureCheck {
        let mut first = None;
        for key in &self.keys {
            match verify_signature(manifest, signature, key) {
                SignatureCheck::Valid => return SignatureCheck::Valid,
                other => {
                    first.get_or_insert(other);
                }
            }
        }
        first.unwrap_or(SignatureCheck::Missing)
    }

    /// Downloads every artifact of `version` and compares its SHA-256 with the manifest, for
    /// artifacts S3 holds no full-object checksum of.
    pub async fn verify_by_download(&self, version: &Version) -> PortResult<IntegrityCheck> {
        let calls = Calls::default();
        let folder = format!("{}{}/", self.prefix, version.as_str());
        let manifest: Manifest =
            serde_json::from_slice(&self.get(&calls, &format!("{folder}manifest.json")).await?)
                .map_err(|e| {
                    PortError::new(
                        ErrorKind::Invalid,
                        format!("{version}: manifest.json is not a manifest: {e}"),
                    )
                })?;
        let mut sums = HashMap::new();
        for a in &manifest.artifacts {
            let bytes = self.get(&calls, &a.key).await?;
            sums.insert(a.key.clone(), hex::encode(Sha256::digest(&bytes)));
        }
        Ok(check_integrity(&manifest.artifacts, |a| {
            sums.get(&a.key).map(String::as_str)
        }))
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, HashMap<String, Seen>> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A version whose manifest cannot be read is shown with why, never silently dropped.
fn unreadable(version: Version, why: String) -> Release {
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

#[async_trait]
impl ReleaseRepo for S3Releases {
    async fn releases(&self) -> PortResult<Vec<Release>> {
        let calls = Calls::default();
        let (folders, _) = self.list(&calls, &self.prefix, true).await?;
        let versions: Vec<(Version, String)> = folders
            .into_iter()
            .filter_map(|f| {
                let name = f.strip_prefix(&self.prefix)?.trim_end_matches('/');
                Some((Version::parse(name).ok()?, f.clone()))
            })
            .collect();
        let read: Vec<PortResult<Release>> = stream::iter(versions.into_iter().map(|(v, f)| {
            let calls = &calls;
            async move {
                let name = v.clone();
                self.read_version(calls, v, &f)
                    .await
                    .or_else(|e| match e.kind {
                        // One unreadable version is that version's problem; a denied or unreachable
                        // bucket is the repository's.
                        ErrorKind::NotFound | ErrorKind::Invalid | ErrorKind::Other => {
                            Ok(unreadable(name, e.message))
                        }
                        _ => Err(e),
                    })
            }
        }))
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
        let mut releases = read.into_iter().collect::<PortResult<Vec<_>>>()?;
        releases.sort_by(|a, b| b.version.cmp(&a.version));
        Ok(releases)
    }
}
