//! Unsubscribe tokens: the signature's id and an HMAC of it and the sender under a key
//! derived from the app's secret key. Unguessable without the key, stored nowhere (so a
//! copy of the database holds no working link), and valid for as long as the signature
//! exists; a token for one sender does not unsubscribe from another.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use uuid::Uuid;

use crate::suppressions::Sender;

/// Bytes of the MAC kept in a token: 128 bits, as for every other token here.
const MAC_BYTES: usize = 16;

#[derive(Clone)]
pub struct UnsubscribeKey([u8; 32]);

impl UnsubscribeKey {
    /// Derived from the app's secret key, so that it differs from the CSRF and cookie keys.
    pub fn new(secret_key: &[u8]) -> UnsubscribeKey {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret_key).expect("any key length");
        mac.update(b"rallypost unsubscribe v1");
        UnsubscribeKey(mac.finalize().into_bytes().into())
    }

    fn mac(&self, signature_id: Uuid, sender: Sender) -> [u8; MAC_BYTES] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("any key length");
        mac.update(signature_id.as_bytes());
        mac.update(sender.as_str().as_bytes());
        let full = mac.finalize().into_bytes();
        full[..MAC_BYTES].try_into().expect("a SHA-256 MAC is 32 bytes")
    }

    /// The token for the signature's news from `sender`: URL-safe, 43 characters.
    pub fn token(&self, signature_id: Uuid, sender: Sender) -> String {
        let mut bytes = signature_id.as_bytes().to_vec();
        bytes.extend(self.mac(signature_id, sender));
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// The signature a token names, if it is one of ours for `sender`.
    pub fn open(&self, token: &str, sender: Sender) -> Option<Uuid> {
        let bytes = URL_SAFE_NO_PAD.decode(token.trim()).ok()?;
        if bytes.len() != 16 + MAC_BYTES {
            return None;
        }
        let id = Uuid::from_slice(&bytes[..16]).ok()?;
        bool::from(self.mac(id, sender).ct_eq(&bytes[16..])).then_some(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_opens_to_its_signature_and_nothing_else_does() {
        let key = UnsubscribeKey::new(b"a test key that is at least thirty-two bytes");
        let id = Uuid::now_v7();
        let token = key.token(id, Sender::Lead);
        assert_eq!(token.len(), 43);
        assert_eq!(key.open(&token, Sender::Lead), Some(id));
        assert_eq!(key.open(&token, Sender::Everyone), None);
        let other = UnsubscribeKey::new(b"another key that is at least thirty-two bytes");
        assert_eq!(other.open(&token, Sender::Lead), None);
        let mut forged = URL_SAFE_NO_PAD.decode(&token).unwrap();
        forged[0] ^= 1;
        assert_eq!(key.open(&URL_SAFE_NO_PAD.encode(forged), Sender::Lead), None);
        assert_eq!(key.open("", Sender::Lead), None);
        assert_eq!(key.open("not base64 at all!", Sender::Lead), None);
    }
}
