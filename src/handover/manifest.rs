//! `manifest.json`: what a pack holds (each file's SHA-256 and size), what it counts, when
//! it was made, for which campaign and target, and which key signed it; and
//! `manifest.sig`, the raw 64-byte Ed25519 signature over the manifest's exact bytes, so
//! that `openssl pkeyutl -verify -rawin` checks it too.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const MANIFEST: &str = "manifest.json";
pub const SIGNATURE: &str = "manifest.sig";
pub const PDF: &str = "handover.pdf";
pub const CSV: &str = "signatures.csv";
pub const FORMAT: &str = "rallypost-handover/1";

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: String,
    pub campaign: CampaignRef,
    pub target: TargetRef,
    pub made_at: DateTime<Utc>,
    /// Signatures made before this time, when the pack was limited with `--until`.
    pub until: Option<DateTime<Utc>>,
    pub counts: Counts,
    pub files: Vec<FileEntry>,
    pub key: KeyRef,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignRef {
    pub slug: String,
    pub title: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetRef {
    pub id: String,
    pub office: String,
    pub organisation: String,
    pub lang: String,
}

#[derive(Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Counts {
    /// Every confirmed signature in the pack.
    pub signatures: u64,
    /// Listed by name (in the PDF and the CSV).
    pub named: u64,
    /// Counted, but asked not to be named.
    pub anonymous: u64,
    pub by_country: BTreeMap<String, u64>,
    pub endorsements: u64,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    pub name: String,
    pub sha256: String,
    pub bytes: u64,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyRef {
    pub algorithm: String,
    pub fingerprint: String,
}

impl FileEntry {
    pub fn of(dir: &Path, name: &str) -> std::io::Result<FileEntry> {
        let (sha256, bytes) = hash_file(&dir.join(name))?;
        Ok(FileEntry { name: name.to_owned(), sha256, bytes })
    }
}

/// Hex SHA-256 and size of a file, read in pieces.
pub fn hash_file(path: &Path) -> std::io::Result<(String, u64)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let bytes = std::io::copy(&mut file, &mut hasher)?;
    Ok((hex::encode(hasher.finalize()), bytes))
}
