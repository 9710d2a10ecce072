//! `handover verify DIR`: checks the signature over `manifest.json` and the SHA-256 of
//! every file it lists, and names each thing that does not match. Every check runs even
//! after one fails, so a person sees the whole damage at once.

use std::path::Path;

use super::key::PublicKey;
use super::manifest::{FORMAT, MANIFEST, Manifest, SIGNATURE, hash_file};

/// What a check found.
#[derive(Debug, Default)]
pub struct Findings {
    /// Each thing that matched, as a line for a person.
    pub passed: Vec<String>,
    /// Each thing that did not match, naming the file.
    pub problems: Vec<String>,
}

/// Reads the manifest, to find the campaign whose key to check it with.
pub fn read_manifest(dir: &Path) -> Result<(Vec<u8>, Manifest), String> {
    let bytes = std::fs::read(dir.join(MANIFEST)).map_err(|e| format!("{MANIFEST}: cannot be read ({e})"))?;
    let manifest: Manifest = serde_json::from_slice(&bytes)
        .map_err(|e| format!("{MANIFEST}: not a handover manifest ({e}); the signature cannot hold"))?;
    Ok((bytes, manifest))
}

pub fn verify(dir: &Path, key: &PublicKey) -> Findings {
    let mut found = Findings::default();
    let (bytes, manifest) = match read_manifest(dir) {
        Ok(read) => read,
        Err(problem) => {
            found.problems.push(problem);
            return found;
        }
    };
    match std::fs::read(dir.join(SIGNATURE)) {
        Err(e) => found.problems.push(format!("{SIGNATURE}: cannot be read ({e})")),
        Ok(signature) if key.verifies(&bytes, &signature) => found
            .passed
            .push(format!("{SIGNATURE}: valid signature over {MANIFEST} by key {}", key.fingerprint())),
        Ok(_) => found.problems.push(format!(
            "{SIGNATURE}: does not verify {MANIFEST} with key {} ({MANIFEST} was changed, or signed by another key)",
            key.fingerprint()
        )),
    }
    if manifest.format != FORMAT {
        found.problems.push(format!("{MANIFEST}: format {:?}, expected {FORMAT:?}", manifest.format));
    }
    if manifest.key.fingerprint != key.fingerprint() {
        found.problems.push(format!(
            "{MANIFEST}: names key {}, but the campaign's key is {}",
            manifest.key.fingerprint,
            key.fingerprint()
        ));
    }
    for entry in &manifest.files {
        let name = &entry.name;
        // The manifest names files in the pack itself, never a path elsewhere.
        if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
            found.problems.push(format!("{MANIFEST}: lists {name:?}, which is not a file of the pack"));
            continue;
        }
        match hash_file(&dir.join(name)) {
            Err(e) => found.problems.push(format!("{name}: missing or unreadable ({e})")),
            Ok((sha256, _)) if sha256 == entry.sha256 => {
                found.passed.push(format!("{name}: SHA-256 matches the manifest"))
            }
            Ok((sha256, bytes)) => found.problems.push(format!(
                "{name}: SHA-256 {sha256} ({bytes} bytes) does not match the manifest's {} ({} bytes): the file was changed",
                entry.sha256, entry.bytes
            )),
        }
    }
    found
}
