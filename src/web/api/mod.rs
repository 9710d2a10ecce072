//! The OSDI-style JSON API for CRMs: petitions and their signatures, with HAL `_links`.
//! Handlers only; the token guard in front of them is in `web::protected`.

pub mod petitions;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use serde_json::json;

type PoolError = deadpool::managed::PoolError<diesel_async::pooled_connection::PoolError>;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("a valid API token is required (Authorization: Bearer TOKEN, or OSDI-API-Token: TOKEN)")]
    Unauthorized,
    #[error("{0}")]
    BadRequest(String),
    #[error("no such petition")]
    NotFound,
    #[error("the database is unavailable; try again in a minute")]
    Unavailable(#[source] anyhow::Error),
    #[error("unexpected error")]
    Unexpected(#[source] anyhow::Error),
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        let e = anyhow::Error::from(e);
        if crate::web::errors::is_unavailable(&e) {
            ApiError::Unavailable(e)
        } else {
            ApiError::Unexpected(e)
        }
    }
}

impl From<PoolError> for ApiError {
    fn from(e: PoolError) -> Self {
        ApiError::Unavailable(anyhow::anyhow!("{e}"))
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        ApiError::Unexpected(e)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Unavailable(e) => tracing::warn!(error = %format!("{e:#}"), "database unavailable"),
            ApiError::Unexpected(e) => tracing::error!(error = %format!("{e:#}"), "API request failed"),
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        if let ApiError::Unauthorized = self {
            response.insert_header(("WWW-Authenticate", "Bearer"));
        }
        response.insert_header(("Cache-Control", "no-store")).json(json!({ "error": self.to_string() }))
    }
}

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
        let number =
            |name: &str, max: i64| {
                value.trim().parse::<i64>().ok().filter(|n| (1..=max).contains(n)).ok_or_else(|| {
                    ApiError::BadRequest(format!("{name} must be a whole number from 1 to {max}"))
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
