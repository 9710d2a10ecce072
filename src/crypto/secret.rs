//! Random secrets handed to a client: confirmation and withdrawal links, session ids,
//! API tokens, CSRF tokens. Only their digest is stored.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// 256 random bits, URL-safe (43 characters): shown to its owner, never stored.
pub fn generate() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// What is stored instead. A random secret of 256 bits needs no slow hash: SHA-256 suffices.
pub fn digest(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// What a signature stores of its confirmation and withdrawal tokens: the first 16 bytes of
/// `digest`. Kept on every one of millions of rows and in a unique index each, so half the
/// size counts (bench/scale.sh); finding any stored token by guessing still takes about
/// 2^128 / rows attempts, and a digest stored whole before begins with this one.
pub fn row_digest(secret: &str) -> Vec<u8> {
    let mut digest = digest(secret);
    digest.truncate(16);
    digest
}

/// Cheap sanity check before a database lookup: what `generate` makes, nothing else.
pub fn is_well_formed(secret: &str) -> bool {
    secret.len() == 43 && secret.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_secret_is_well_formed_and_others_are_not() {
        let secret = generate();
        assert!(is_well_formed(&secret));
        assert_ne!(secret, generate());
        assert!(!is_well_formed(&secret[1..]));
        assert!(!is_well_formed(&format!("{}=", &secret[1..])));
    }

    #[test]
    fn a_row_digest_is_the_start_of_the_digest() {
        assert_eq!(row_digest("abc").len(), 16);
        assert!(digest("abc").starts_with(&row_digest("abc")));
        assert_ne!(row_digest("abc"), row_digest("abd"));
    }

    #[test]
    fn the_digest_is_sha256_of_the_text() {
        assert_eq!(
            hex::encode(digest("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
