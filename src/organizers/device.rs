//! Known browsers: OWASP's "device cookie", so that the sign-in throttle cannot be turned
//! against an organizer. Without it, anyone who knows an organizer's address can keep the
//! account waiting with a few wrong passwords an hour from rotating client addresses.
//!
//! A browser that signed in successfully gets a cookie naming the account, with an expiry,
//! a random id and an HMAC under the secret key. The HMAC also covers the account's
//! password hash, so a new password ends every device cookie of the account without a
//! table to keep. A sign-in that brings a valid cookie for the account it names is counted
//! against that browser (`throttle::Keys::for_device`), not against the account: the
//! stranger's failures lock out only browsers the account does not know, and a stolen
//! cookie still meets a limit of its own. Every successful sign-in issues a fresh cookie.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// How long a browser stays known after its last successful sign-in.
pub const DEVICE_LIFETIME: Duration = Duration::days(180);

/// Issues and checks device cookies with the installation's secret key.
pub struct Devices {
    key: Vec<u8>,
}

/// A browser that signed in to the account before; the id is random, one per cookie.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownDevice(String);

impl KnownDevice {
    pub fn id(&self) -> &str {
        &self.0
    }
}

impl Devices {
    pub fn new(secret_key: &[u8]) -> Devices {
        Devices { key: secret_key.to_vec() }
    }

    /// A new cookie value for a browser that just signed in to `organizer_id`.
    pub fn issue(&self, organizer_id: Uuid, password_hash: &str, now: DateTime<Utc>) -> String {
        let expires = (now + DEVICE_LIFETIME).timestamp();
        let id = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 16]>());
        let claims = format!("{}.{expires}.{id}", organizer_id.simple());
        let mac = self.mac(&claims, password_hash).finalize().into_bytes();
        format!("{claims}.{}", URL_SAFE_NO_PAD.encode(mac))
    }

    /// The browser, if `cookie` is one this installation issued for this account and
    /// password, and it has not expired.
    pub fn recognise(
        &self,
        cookie: &str,
        organizer_id: Uuid,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Option<KnownDevice> {
        let (claims, mac) = cookie.rsplit_once('.')?;
        let mac = URL_SAFE_NO_PAD.decode(mac).ok()?;
        self.mac(claims, password_hash).verify_slice(&mac).ok()?;
        let mut parts = claims.split('.');
        let (account, expires, id) = (parts.next()?, parts.next()?, parts.next()?);
        let expires = DateTime::from_timestamp(expires.parse().ok()?, 0)?;
        (account == organizer_id.simple().to_string() && now < expires).then(|| KnownDevice(id.to_owned()))
    }

    fn mac(&self, claims: &str, password_hash: &str) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(b"rallypost device v1:");
        mac.update(claims.as_bytes());
        mac.update(b":");
        mac.update(&Sha256::digest(password_hash.as_bytes()));
        mac
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g";

    fn devices() -> Devices {
        Devices::new(b"a test key that is at least thirty-two bytes")
    }

    #[test]
    fn a_cookie_is_recognised_for_its_account_and_password_until_it_expires() {
        let (account, now) = (Uuid::now_v7(), Utc::now());
        let cookie = devices().issue(account, HASH, now);

        assert!(devices().recognise(&cookie, account, HASH, now + Duration::days(179)).is_some());
        assert_eq!(devices().recognise(&cookie, account, HASH, now + DEVICE_LIFETIME), None, "expired");
        assert_eq!(devices().recognise(&cookie, Uuid::now_v7(), HASH, now), None, "another account");
        assert_eq!(devices().recognise(&cookie, account, "$argon2id$new", now), None, "a new password");
        let other_key = Devices::new(b"another key that is at least thirty-two bytes");
        assert_eq!(other_key.recognise(&cookie, account, HASH, now), None, "another installation");
    }

    #[test]
    fn a_changed_or_malformed_cookie_is_not_recognised() {
        let (account, now) = (Uuid::now_v7(), Utc::now());
        let cookie = devices().issue(account, HASH, now);
        let (claims, mac) = cookie.rsplit_once('.').unwrap();
        let later = claims.replacen(&(now + DEVICE_LIFETIME).timestamp().to_string(), "99999999999", 1);

        for forged in
            [format!("{later}.{mac}"), claims.to_owned(), String::new(), "....".into(), format!("{cookie}x")]
        {
            assert_eq!(devices().recognise(&forged, account, HASH, now), None, "{forged}");
        }
    }

    #[test]
    fn each_sign_in_gets_a_browser_id_of_its_own() {
        let (account, now) = (Uuid::now_v7(), Utc::now());
        let first = devices().issue(account, HASH, now);
        let second = devices().issue(account, HASH, now);

        let id = |c: &str| devices().recognise(c, account, HASH, now).unwrap();
        assert_ne!(id(&first), id(&second));
    }
}
