//! The OSDI-style JSON API for CRMs: petitions and their signatures, with HAL `_links`.
//! Handlers only; the token guard in front of them is in `web::protected`.

pub mod petitions;

use actix_web::HttpRequest;

use super::errors::{Answered, Json, WebError};

/// The API answers its errors in JSON; all else about them is `WebError`'s.
pub type ApiError = Answered<Json>;

/// The token from `Authorization: Bearer ...` or `OSDI-API-Token: ...`.
pub fn bearer_token(req: &HttpRequest) -> Option<String> {
    let header = |name| req.headers().get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(value) = header("authorization") {
        let (scheme, token) = value.split_once(' ')?;
        return scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_owned());
    }
    header("osdi-api-token").map(str::to_owned)
}

/// `page` (from 1) and `per_page` (1 to 100, default 25) from the query string.
pub fn paging(req: &HttpRequest) -> Result<(i64, i64), ApiError> {
    let mut page = 1;
    let mut per_page = 25;
    for (key, value) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
        let number = |name: &str, max: i64| {
            value.trim().parse::<i64>().ok().filter(|n| (1..=max).contains(n)).ok_or_else(|| {
                ApiError::from(WebError::BadRequest(format!("{name} must be a whole number from 1 to {max}")))
            })
        };
        match key.as_ref() {
            "page" => page = number("page", 1_000_000_000)?,
            "per_page" => per_page = number("per_page", 100)?,
            _ => {}
        }
    }
    Ok((page, per_page))
}
