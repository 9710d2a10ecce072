//! Signing per the Standard Webhooks specification (standardwebhooks.com): each delivery
//! carries `webhook-id`, `webhook-timestamp` and `webhook-signature: v1,<base64>`, the
//! HMAC-SHA256 of `{id}.{timestamp}.{body}` keyed with the secret's bytes. The secret is
//! shown to its owner once as `whsec_<base64>`, the form the specification's libraries
//! take, and kept encrypted under the data key (`receivers.rs`).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretSlice};
use sha2::Sha256;

const PREFIX: &str = "whsec_";
/// The specification asks for 24 to 64 random bytes.
const LEN: usize = 32;

/// A receiver's signing secret. Its `Debug` shows nothing of it.
#[derive(Clone, Debug)]
pub struct SigningSecret(SecretSlice<u8>);

impl SigningSecret {
    pub fn generate() -> SigningSecret {
        SigningSecret(rand::random::<[u8; LEN]>().to_vec().into())
    }

    /// The bytes as stored (decrypted).
    pub fn from_bytes(bytes: Vec<u8>) -> SigningSecret {
        SigningSecret(bytes.into())
    }

    /// `whsec_<base64>`, as `to_whsec` writes it (padding optional, as the libraries read it).
    pub fn parse(text: &str) -> Result<SigningSecret, String> {
        let encoded = text.trim().strip_prefix(PREFIX).ok_or("a signing secret starts with whsec_")?;
        let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(encoded.trim_end_matches('='))
            .map_err(|_| "a signing secret is whsec_ and base64")?;
        if bytes.len() < 24 || bytes.len() > 64 {
            return Err("a signing secret holds 24 to 64 bytes".into());
        }
        Ok(SigningSecret::from_bytes(bytes))
    }

    pub fn bytes(&self) -> &[u8] {
        self.0.expose_secret()
    }

    /// What its owner is shown, once.
    pub fn to_whsec(&self) -> String {
        format!("{PREFIX}{}", STANDARD.encode(self.bytes()))
    }

    /// The `webhook-signature` header for one delivery attempt.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.bytes()).expect("any key length");
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_the_specifications_example_as_its_libraries_do() {
        // The example in the Standard Webhooks libraries' tests; the Python package
        // `standardwebhooks` gives the same signature for it.
        let secret = SigningSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert_eq!(
            secret.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, br#"{"test": 2432232314}"#),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn a_new_secret_reads_back_and_differs_from_the_next() {
        let secret = SigningSecret::generate();
        let shown = secret.to_whsec();
        assert!(shown.starts_with("whsec_"));
        assert_eq!(SigningSecret::parse(&shown).unwrap().bytes(), secret.bytes());
        assert_ne!(SigningSecret::generate().bytes(), secret.bytes());
        assert!(!format!("{secret:?}").contains(&shown[6..12]));
    }

    #[test]
    fn malformed_secrets_are_refused() {
        for text in ["", "whsec_", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_not base64!", "whsec_c2hvcnQ="]
        {
            assert!(SigningSecret::parse(text).is_err(), "{text}");
        }
    }
}
