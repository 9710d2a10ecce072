//! Link tokens: 256 random bits, URL-safe; only their SHA-256 is stored.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

pub struct Token {
    pub plain: String,
    pub hash: Vec<u8>,
}

impl Token {
    pub fn generate() -> Token {
        let bytes: [u8; 32] = rand::random();
        let plain = URL_SAFE_NO_PAD.encode(bytes);
        let hash = hash(&plain);
        Token { plain, hash }
    }
}

pub fn hash(plain: &str) -> Vec<u8> {
    Sha256::digest(plain.as_bytes()).to_vec()
}
