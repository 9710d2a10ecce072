//! The OSDI-style JSON API for CRMs: petitions and their signatures, with HAL `_links`,
//! and the write API partner sites post signatures to (`sign`). Handlers only; the token
//! guard in front of them is in `web::protected`.

mod paging;
pub mod petitions;
pub mod sign;
pub mod signature_body;

pub use paging::{Start, paging};

use actix_web::HttpRequest;

use super::errors::{Answered, Json};

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
