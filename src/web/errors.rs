//! Turning failures into pages: each error a visitor can meet has a status and a short
//! message; causes go to the log, never to the page.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError};

use super::pages::{Chrome, MessagePage, pick_lang, render};
use crate::domain::Lang;

#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("not found")]
    NotFound,
    #[error("the database is unavailable")]
    Unavailable(#[source] anyhow::Error),
    #[error("unexpected error")]
    Unexpected(#[source] anyhow::Error),
}

impl From<anyhow::Error> for PageError {
    fn from(e: anyhow::Error) -> Self {
        if is_unavailable(&e) { PageError::Unavailable(e) } else { PageError::Unexpected(e) }
    }
}

impl From<diesel::result::Error> for PageError {
    fn from(e: diesel::result::Error) -> Self {
        anyhow::Error::from(e).into()
    }
}

impl From<deadpool::managed::PoolError<diesel_async::pooled_connection::PoolError>> for PageError {
    fn from(e: deadpool::managed::PoolError<diesel_async::pooled_connection::PoolError>) -> Self {
        PageError::Unavailable(anyhow::anyhow!("{e}"))
    }
}

pub use crate::db::is_unavailable;

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            PageError::NotFound => StatusCode::NOT_FOUND,
            PageError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            PageError::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            PageError::NotFound => {}
            PageError::Unavailable(e) => tracing::warn!(error = %format!("{e:#}"), "database unavailable"),
            PageError::Unexpected(e) => tracing::error!(error = %format!("{e:#}"), "request failed"),
        }
        // No request here, so no language choice: English, the fallback.
        let key = match self {
            PageError::NotFound => "not-found",
            PageError::Unavailable(_) => "unavailable",
            PageError::Unexpected(_) => "unexpected",
        };
        let mut response = message(self.status_code(), Lang::En, key);
        if let PageError::Unavailable(_) = self {
            response.headers_mut().insert(
                actix_web::http::header::RETRY_AFTER,
                actix_web::http::header::HeaderValue::from_static("5"),
            );
        }
        response
    }
}

/// A plain page without a language switch, whose texts are `{key}-title` and `{key}-body`.
pub fn message(status: StatusCode, lang: Lang, key: &str) -> HttpResponse {
    render(status, &MessagePage::keyed(Chrome::plain(lang), key))
}

pub async fn not_found(req: HttpRequest) -> HttpResponse {
    message(StatusCode::NOT_FOUND, pick_lang(&req, Lang::En), "not-found")
}
