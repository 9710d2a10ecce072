//! The embed's form token: proof that a POST comes from a form this server rendered for
//! this campaign, without a cookie. `id ‖ campaign ‖ expiry ‖ HMAC` under a key derived
//! from the app's secret key (so it differs from the CSRF, cookie and unsubscribe keys),
//! base64url in a hidden field. A page elsewhere cannot make one; one it fetched from us
//! works once (`super::consume`) and only until it expires.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use uuid::Uuid;

/// How long a form token is good for: a supporter reading the partner's page before they
/// sign has time; one who takes longer gets the form back, filled in, with a fresh token.
pub const TOKEN_LIFETIME: Duration = Duration::hours(2);

/// Bytes of the MAC kept: 128 bits, as for every other token here.
const MAC_BYTES: usize = 16;
const BODY_BYTES: usize = 16 + 16 + 8;

pub struct FormTokens([u8; 32]);

/// A token that checked out: it may still have been used already (`super::consume`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FormToken {
    pub id: Uuid,
    pub expires_at: DateTime<Utc>,
}

/// Why a token is refused; each is answered with the form again and a fresh token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenRefusal {
    /// Missing, not ours, or altered.
    Forged,
    /// Made for another campaign's form.
    OtherCampaign,
    Expired,
    /// Used before: a replay, or the same form sent twice.
    Used,
}

impl FormTokens {
    pub fn new(secret_key: &[u8]) -> FormTokens {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret_key).expect("any key length");
        mac.update(b"rallypost embed form token v1");
        FormTokens(mac.finalize().into_bytes().into())
    }

    /// A new token for `campaign_id`'s form, good for `TOKEN_LIFETIME` from `now`.
    pub fn issue(&self, campaign_id: Uuid, now: DateTime<Utc>) -> String {
        let mut bytes = Vec::with_capacity(BODY_BYTES + MAC_BYTES);
        bytes.extend(crate::ids::new_id().as_bytes());
        bytes.extend(campaign_id.as_bytes());
        bytes.extend((now + TOKEN_LIFETIME).timestamp().to_be_bytes());
        let mac = self.mac(&bytes);
        bytes.extend(mac);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// Checks the signature, the campaign and the time; not whether it was used.
    pub fn check(
        &self,
        token: &str,
        campaign_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<FormToken, TokenRefusal> {
        let bytes = URL_SAFE_NO_PAD.decode(token.trim()).map_err(|_| TokenRefusal::Forged)?;
        if bytes.len() != BODY_BYTES + MAC_BYTES {
            return Err(TokenRefusal::Forged);
        }
        let (body, given) = bytes.split_at(BODY_BYTES);
        if !bool::from(self.mac(body).ct_eq(given)) {
            return Err(TokenRefusal::Forged);
        }
        let id = Uuid::from_slice(&body[..16]).map_err(|_| TokenRefusal::Forged)?;
        if Uuid::from_slice(&body[16..32]).ok() != Some(campaign_id) {
            return Err(TokenRefusal::OtherCampaign);
        }
        let seconds = i64::from_be_bytes(body[32..].try_into().expect("8 bytes"));
        let expires_at = DateTime::from_timestamp(seconds, 0).ok_or(TokenRefusal::Forged)?;
        if expires_at <= now {
            return Err(TokenRefusal::Expired);
        }
        Ok(FormToken { id, expires_at })
    }

    fn mac(&self, body: &[u8]) -> [u8; MAC_BYTES] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("any key length");
        mac.update(body);
        let full = mac.finalize().into_bytes();
        full[..MAC_BYTES].try_into().expect("a SHA-256 MAC is 32 bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    #[test]
    fn a_token_works_for_its_campaign_until_it_expires() {
        let tokens = FormTokens::new(b"secret key for the tests, long enough");
        let campaign = Uuid::now_v7();
        let token = tokens.issue(campaign, now());
        let checked = tokens.check(&token, campaign, now()).unwrap();
        assert_eq!(checked.expires_at, now() + TOKEN_LIFETIME);
        assert_ne!(tokens.issue(campaign, now()), token, "each form gets its own id");
        assert_eq!(tokens.check(&token, Uuid::now_v7(), now()), Err(TokenRefusal::OtherCampaign));
        assert_eq!(tokens.check(&token, campaign, now() + TOKEN_LIFETIME), Err(TokenRefusal::Expired));
    }

    #[test]
    fn an_altered_or_foreign_token_is_forged() {
        let tokens = FormTokens::new(b"secret key for the tests, long enough");
        let campaign = Uuid::now_v7();
        let token = tokens.issue(campaign, now());
        let other_key = FormTokens::new(b"another secret key, also long enough");
        assert_eq!(other_key.check(&token, campaign, now()), Err(TokenRefusal::Forged));
        let mut bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
        bytes[35] ^= 1; // a later expiry
        assert_eq!(tokens.check(&URL_SAFE_NO_PAD.encode(&bytes), campaign, now()), Err(TokenRefusal::Forged));
        for bad in ["", "x", "not base64 !", &token[..40]] {
            assert_eq!(tokens.check(bad, campaign, now()), Err(TokenRefusal::Forged), "{bad:?}");
        }
    }
}
