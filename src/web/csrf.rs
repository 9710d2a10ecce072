//! CSRF protection for the public form without server-side sessions: a random value in an
//! `HttpOnly`, `SameSite=Lax` cookie, and its HMAC under the secret key in the form. A
//! cross-site page can neither read the cookie nor compute the HMAC. Under https the
//! cookie is `__Host-rp_csrf`, which no other site can plant (see `web::https`).

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::https::CookieNames;

pub struct Csrf {
    key: Vec<u8>,
    secure: bool,
    cookie: &'static str,
}

impl Csrf {
    pub fn new(secret_key: &[u8], secure: bool) -> Self {
        Csrf { key: secret_key.to_vec(), secure, cookie: CookieNames::new(secure).csrf }
    }

    /// The request's cookie value if it has a well-formed one, else a new value and the
    /// cookie that sets it.
    pub fn cookie_value(&self, req: &HttpRequest) -> (String, Option<Cookie<'static>>) {
        if let Some(c) = req.cookie(self.cookie)
            && is_well_formed(c.value())
        {
            return (c.value().to_owned(), None);
        }
        let value = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 24]>());
        let cookie = Cookie::build(self.cookie, value.clone())
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure)
            .finish();
        (value, Some(cookie))
    }

    pub fn token_for(&self, cookie_value: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.mac(cookie_value).finalize().into_bytes())
    }

    pub fn verify(&self, req: &HttpRequest, token: &str) -> bool {
        let Some(cookie) = req.cookie(self.cookie) else {
            return false;
        };
        let Ok(given) = URL_SAFE_NO_PAD.decode(token) else {
            return false;
        };
        is_well_formed(cookie.value()) && self.mac(cookie.value()).verify_slice(&given).is_ok()
    }

    fn mac(&self, cookie_value: &str) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(b"rallypost csrf v1:");
        mac.update(cookie_value.as_bytes());
        mac
    }
}

fn is_well_formed(value: &str) -> bool {
    value.len() == 32 && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
