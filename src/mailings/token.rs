//! Unsubscribe tokens: the signature's id, an HMAC of it and the sender under a key
//! derived from the app's secret key, and for a partner's mailing the partner's id.
//! Unguessable without the key, stored nowhere (so a copy of the database holds no working
//! link), and valid for as long as the signature exists; a token for one sender does not
//! unsubscribe from another (the MAC covers the sender, so the partner id in a token cannot
//! be swapped for another's). A lead token is 43 characters, as before partners had
//! mailings, so links already sent keep working.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use uuid::Uuid;

use crate::partners::PartnerId;
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

    fn mac(&self, signature_id: Uuid, sender: &Sender) -> [u8; MAC_BYTES] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("any key length");
        mac.update(signature_id.as_bytes());
        mac.update(sender.as_stored().as_bytes());
        let full = mac.finalize().into_bytes();
        full[..MAC_BYTES].try_into().expect("a SHA-256 MAC is 32 bytes")
    }

    /// The token for the signature's news from `sender` (the lead or a partner): URL-safe,
    /// 43 characters for the lead, more for a partner (its id rides along).
    pub fn token(&self, signature_id: Uuid, sender: &Sender) -> String {
        let mut bytes = signature_id.as_bytes().to_vec();
        bytes.extend(self.mac(signature_id, sender));
        if let Some(partner) = sender.partner() {
            bytes.extend(partner.as_ref().as_bytes());
        }
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// The signature a token names and whose news it stops, if it is one of ours.
    pub fn open(&self, token: &str) -> Option<(Uuid, Sender)> {
        let bytes = URL_SAFE_NO_PAD.decode(token.trim()).ok()?;
        if bytes.len() < 16 + MAC_BYTES {
            return None;
        }
        let (id, rest) = bytes.split_at(16);
        let (mac, partner) = rest.split_at(MAC_BYTES);
        let id = Uuid::from_slice(id).ok()?;
        let sender = if partner.is_empty() {
            Sender::Lead
        } else {
            Sender::Partner(PartnerId::parse(std::str::from_utf8(partner).ok()?).ok()?)
        };
        bool::from(self.mac(id, &sender).ct_eq(mac)).then_some((id, sender))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> UnsubscribeKey {
        UnsubscribeKey::new(b"a test key that is at least thirty-two bytes")
    }

    #[test]
    fn a_token_opens_to_its_signature_and_nothing_else_does() {
        let key = key();
        let id = Uuid::now_v7();
        let token = key.token(id, &Sender::Lead);
        assert_eq!(token.len(), 43);
        assert_eq!(key.open(&token), Some((id, Sender::Lead)));
        let other = UnsubscribeKey::new(b"another key that is at least thirty-two bytes");
        assert_eq!(other.open(&token), None);
        let mut forged = URL_SAFE_NO_PAD.decode(&token).unwrap();
        forged[0] ^= 1;
        assert_eq!(key.open(&URL_SAFE_NO_PAD.encode(forged)), None);
        assert_eq!(key.open(""), None);
        assert_eq!(key.open("not base64 at all!"), None);
    }

    #[test]
    fn a_partners_token_stops_that_partners_news_and_cannot_be_turned_into_another_senders() {
        let key = key();
        let id = Uuid::now_v7();
        let partner = Sender::Partner(PartnerId::parse("exile-network").unwrap());
        let token = key.token(id, &partner);
        assert_eq!(key.open(&token), Some((id, partner)));

        let bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
        // Another partner's id in its place, or none (the lead's shape), fails the MAC.
        let mut swapped = bytes[..32].to_vec();
        swapped.extend(b"other-partner");
        assert_eq!(key.open(&URL_SAFE_NO_PAD.encode(swapped)), None);
        assert_eq!(key.open(&URL_SAFE_NO_PAD.encode(&bytes[..32])), None);
        // Nor is a partner id that does not parse ever read.
        let mut junk = bytes[..32].to_vec();
        junk.extend(b"Not A Partner\xff");
        assert_eq!(key.open(&URL_SAFE_NO_PAD.encode(junk)), None);
    }
}
