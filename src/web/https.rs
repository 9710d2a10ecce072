//! What changes when the base URL is https: the names of our cookies, and HSTS.
//!
//! A browser keeps a `__Host-` cookie only if a secure origin set it with `Secure`,
//! `Path=/` and no `Domain`. A sibling subdomain or a plain-http page can therefore plant
//! ("toss") a plain `rp_csrf` cookie, which the form would then take for ours, but never a
//! `__Host-rp_csrf`. Under https only the prefixed names are read. Plain-http local runs
//! keep the plain names, since browsers refuse `__Host-` cookies without https.
//!
//! `Strict-Transport-Security` tells browsers to use https for this host from then on,
//! so no later plain-http request exists for anyone to answer with a cookie of their own.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderValue, STRICT_TRANSPORT_SECURITY};
use actix_web::middleware::Next;
use actix_web::web;

use super::AppState;

/// The names of the cookies we set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CookieNames {
    /// The public form's double-submit cookie (`web::csrf`), on `/`.
    pub csrf: &'static str,
    /// The organizer's session: on `/admin` over plain http, on `/` (as `__Host-`
    /// requires) under https.
    pub session: &'static str,
    /// Marks a browser that signed in before (`organizers::Devices`): only the sign-in
    /// form reads it, so over plain http it lives on `/admin/login`.
    pub device: &'static str,
}

impl CookieNames {
    pub fn new(https: bool) -> CookieNames {
        if https {
            CookieNames { csrf: "__Host-rp_csrf", session: "__Host-rp_admin", device: "__Host-rp_device" }
        } else {
            CookieNames { csrf: "rp_csrf", session: "rp_admin", device: "rp_device" }
        }
    }

    /// The path the session cookie is set on.
    pub fn session_path(&self) -> &'static str {
        if self.session.starts_with("__Host-") { "/" } else { "/admin" }
    }

    /// The path the device cookie is set on.
    pub fn device_path(&self) -> &'static str {
        if self.device.starts_with("__Host-") { "/" } else { "/admin/login" }
    }
}

/// A year, the usual value; browsers renew it on each answer.
const HSTS: &str = "max-age=31536000";

/// Adds `Strict-Transport-Security` to every answer when the base URL is https.
pub async fn strict_transport(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let https = req.app_data::<web::Data<AppState>>().is_some_and(|state| state.settings.secure_cookies());
    let mut response = next.call(req).await?;
    if https {
        response.headers_mut().insert(STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_names_carry_the_host_prefix_and_plain_http_keeps_the_old_names() {
        let secure = CookieNames::new(true);
        assert_eq!(
            (secure.csrf, secure.session, secure.session_path()),
            ("__Host-rp_csrf", "__Host-rp_admin", "/")
        );
        let plain = CookieNames::new(false);
        assert_eq!((plain.csrf, plain.session, plain.session_path()), ("rp_csrf", "rp_admin", "/admin"));
    }
}
