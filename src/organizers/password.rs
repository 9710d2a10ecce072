//! Passwords: Argon2id hashes in PHC strings. Hashing is slow on purpose, so callers in
//! async code run it in `spawn_blocking`.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

/// A password an organizer chose: long enough, and never printed (no `Debug` of the text).
pub struct Password(String);

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("the password must have at least {0} characters")]
    TooShort(usize),
    #[error("the password must have at most {0} characters")]
    TooLong(usize),
}

const MIN: usize = 10;
const MAX: usize = 1024;

impl Password {
    pub fn parse(raw: String) -> Result<Password, PasswordError> {
        let raw = raw.trim_end_matches(['\r', '\n']).to_owned();
        match raw.chars().count() {
            n if n < MIN => Err(PasswordError::TooShort(MIN)),
            n if n > MAX => Err(PasswordError::TooLong(MAX)),
            _ => Ok(Password(raw)),
        }
    }

    /// An Argon2id PHC string with a fresh salt (the crate's default parameters).
    pub fn hash(&self) -> anyhow::Result<String> {
        let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())
            .map_err(|e| anyhow::anyhow!("making a salt: {e}"))?;
        Argon2::default()
            .hash_password(self.0.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
    }
}

/// True when `password` matches the stored hash. `None` (no such account) still spends
/// the time of one verification, so that timing does not tell which accounts exist.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY
        .get_or_init(|| Password("not the password of anyone".into()).hash().expect("hashing a constant"));
    let (hash, real) = match stored {
        Some(h) => (h, true),
        None => (dummy.as_str(), false),
    };
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let ok = Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok();
    ok && real
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_and_no_other() {
        let hash = Password::parse("correct horse battery".into()).unwrap().hash().unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", Some(&hash)));
        assert!(!verify("wrong horse battery", Some(&hash)));
        assert!(!verify("correct horse battery", None));
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(Password::parse("short".into()).is_err());
        assert!(Password::parse("long enough now\n".into()).is_ok());
    }
}
