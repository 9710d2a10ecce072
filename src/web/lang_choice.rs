//! Which language a visitor reads: `?lang=` (the visible switch), then the `lang` cookie
//! that the switch leaves behind, then `Accept-Language`, then the page's default.
//! An explicit choice may pick an unlisted language; a browser's header picks only
//! listed ones.

use actix_web::HttpRequest;
use actix_web::body::MessageBody;
use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header::ACCEPT_LANGUAGE, header::CONTENT_TYPE};
use actix_web::middleware::Next;

use crate::domain::{Country, Lang, accept_language_tags};

pub const COOKIE: &str = "lang";

fn from_query(query: &str) -> Option<Lang> {
    query.split('&').find_map(|pair| pair.strip_prefix("lang=")).and_then(Lang::from_tag)
}

pub fn pick_lang(req: &HttpRequest, fallback: Lang) -> Lang {
    let from_cookie = || req.cookie(COOKIE).and_then(|c| Lang::from_tag(c.value()));
    let from_header = || {
        req.headers().get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Lang::from_accept_language)
    };
    from_query(req.query_string()).or_else(from_cookie).or_else(from_header).unwrap_or(fallback)
}

/// The country the browser's preferred languages suggest (`de-AT` -> Austria), if any
/// names a region; offered in advance on the sign form.
pub fn suggested_country(req: &HttpRequest) -> Option<Country> {
    let header = req.headers().get(ACCEPT_LANGUAGE)?.to_str().ok()?;
    accept_language_tags(header).into_iter().find_map(Country::of_language_tag)
}

/// Remembers a language picked with `?lang=` on a page view, so the next page (and the
/// confirmation link opened days later from the email) speaks it too.
pub async fn remember_lang(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let chosen = (req.method() == Method::GET)
        .then(|| from_query(req.query_string()))
        .flatten()
        .filter(|lang| req.cookie(COOKIE).is_none_or(|c| c.value() != lang.code()));
    let mut response = next.call(req).await?;
    // Only a page is the visitor's choice: an image fetched with `?lang=` (a share preview's)
    // sets nothing, and a cookie would keep shared caches from storing it.
    let is_page =
        response.headers().get(CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if let Some(lang) = chosen
        && response.status().is_success()
        && is_page
    {
        let cookie = Cookie::build(COOKIE, lang.code())
            .path("/")
            .max_age(Duration::days(365))
            .same_site(SameSite::Lax)
            .http_only(true)
            .finish();
        response.response_mut().add_cookie(&cookie).ok();
    }
    Ok(response)
}
