//! Writes the demo release repository in `assets/demo`: one manifest per version, signed with a
//! fresh demo key, and the public key beside them.
//!
//! Run with `cargo run --example sign_demo_releases`. Every run makes a new key pair and signs
//! everything again; the secret key is never written, so nobody can sign more demo releases.

use std::fs;
use std::io::Cursor;
use std::path::Path;

use sha2::{Digest, Sha256};
use shiftdeck::domain::release::{ArtifactEntry, Manifest};
use shiftdeck::sim::artifact_bytes;

/// How a version is published.
#[derive(PartialEq)]
enum Publish {
    Signed,
    Unsigned,
    /// Signed, then the manifest was edited: the signature no longer matches.
    AlteredAfterSigning,
}

struct Entry {
    version: &'static str,
    released_at: &'static str,
    notes: &'static str,
    yanked: Option<&'static str>,
    publish: Publish,
}

const CATALOGUE: [Entry; 9] = [
    Entry {
        version: "v1.1.0",
        released_at: "2025-09-02T10:00:00Z",
        notes: "Session service generally available.",
        yanked: None,
        publish: Publish::Signed,
    },
    Entry {
        version: "v1.2.0",
        released_at: "2025-10-07T10:00:00Z",
        notes: "Batch export; faster cold starts.",
        yanked: None,
        publish: Publish::Signed,
    },
    Entry {
        version: "v1.2.1",
        released_at: "2025-10-21T10:00:00Z",
        notes: "Fixes a memory leak in the export worker.",
        yanked: None,
        publish: Publish::Signed,
    },
    Entry {
        version: "v1.2.2",
        released_at: "2025-11-04T10:00:00Z",
        notes: "Retry tuning for the export worker.",
        yanked: None,
        publish: Publish::Signed,
    },
    Entry {
        version: "v1.3.0",
        released_at: "2025-11-18T10:00:00Z",
        notes: "Per-tenant rate limits.",
        yanked: None,
        publish: Publish::Signed,
    },
    Entry {
        version: "v1.3.1",
        released_at: "2025-11-25T10:00:00Z",
        notes: "Token refresh without a round trip.",
        yanked: Some("corrupts sessions created during a token refresh; stay on v1.3.0"),
        publish: Publish::Signed,
    },
    Entry {
        version: "v1.4.0",
        released_at: "2025-12-09T10:00:00Z",
        notes: "New query planner.",
        yanked: None,
        publish: Publish::Signed,
    },
    Entry {
        version: "v1.4.1",
        released_at: "2025-12-12T10:00:00Z",
        notes: "Query planner fixes.",
        yanked: None,
        publish: Publish::AlteredAfterSigning,
    },
    Entry {
        version: "v1.5.0-rc.1",
        released_at: "2025-12-16T10:00:00Z",
        notes: "Release candidate: streaming exports.",
        yanked: None,
        publish: Publish::Unsigned,
    },
];

const ARTIFACTS: [&str; 2] = ["api.zip", "worker.zip"];

fn manifest(entry: &Entry) -> Manifest {
    Manifest {
        version: entry.version.into(),
        released_at: entry.released_at.into(),
        artifacts: ARTIFACTS
            .iter()
            .map(|name| {
                let bytes = artifact_bytes(entry.version, name);
                ArtifactEntry {
                    name: (*name).into(),
                    key: format!("{}/{name}", entry.version),
                    sha256: hex::encode(Sha256::digest(&bytes)),
                    size: bytes.len() as u64,
                }
            })
            .collect(),
        notes: Some(entry.notes.into()),
        yanked: entry.yanked.map(String::from),
    }
}

fn json(manifest: &Manifest) -> Result<String, Box<dyn std::error::Error>> {
    Ok(serde_json::to_string_pretty(manifest)? + "\n")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
    let minisign::KeyPair { pk, sk } = minisign::KeyPair::generate_unencrypted_keypair()?;
    fs::create_dir_all(&demo)?;
    fs::write(demo.join("demo-key.pub"), pk.to_box()?.into_string())?;

    for entry in &CATALOGUE {
        let folder = demo.join("releases").join(entry.version);
        fs::create_dir_all(&folder)?;
        let mut manifest = manifest(entry);
        let signed = json(&manifest)?;
        let signature = folder.join("manifest.json.minisig");
        match entry.publish {
            Publish::Unsigned => {
                if signature.exists() {
                    fs::remove_file(&signature)?;
                }
            }
            Publish::Signed | Publish::AlteredAfterSigning => {
                let comment = format!("ltbase {} (shiftdeck demo vendor)", entry.version);
                let sig = minisign::sign(
                    Some(&pk),
                    &sk,
                    Cursor::new(signed.as_bytes()),
                    Some(&comment),
                    Some("signature from the shiftdeck demo key"),
                )?;
                fs::write(&signature, sig.into_string())?;
            }
        }
        if entry.publish == Publish::AlteredAfterSigning {
            // Someone pointed an artifact elsewhere after the vendor signed the manifest.
            manifest.artifacts[0].key = format!("{}/api-patched.zip", entry.version);
        }
        fs::write(folder.join("manifest.json"), json(&manifest)?)?;
        println!("wrote {}", folder.display());
    }
    Ok(())
}
