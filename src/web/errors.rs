//! The one web error type, and the one place that decides what a failure answers: its
//! status, its `Retry-After`, and what goes to the log. A handler only picks the format:
//! returning `WebError` answers with an HTML page, `Answered<Json>` (the API's `ApiError`)
//! with JSON, `Answered<Plain>` (the CSV download's) with plain text. Causes go to the log,
//! never to the answer.

use std::marker::PhantomData;

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue, RETRY_AFTER, WWW_AUTHENTICATE};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::pages::{Chrome, MessagePage, pick_lang, render};
use crate::db::{PoolError, is_unavailable};
use crate::domain::Lang;

/// Seconds an answer to a database outage asks the client to wait.
const OUTAGE_RETRY_AFTER_SECS: u32 = 5;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// A request its sender can correct; the message says how and holds no personal data.
    #[error("{0}")]
    BadRequest(String),
    #[error("a valid API token is required (Authorization: Bearer TOKEN, or OSDI-API-Token: TOKEN)")]
    Unauthorized,
    #[error("not found")]
    NotFound,
    /// Signed in, but the organizer's role does not allow this.
    #[error("your role does not allow this")]
    Forbidden,
    /// Another request changed the same thing first (a unique key taken meanwhile).
    #[error("this clashed with a change made at the same moment; please try again")]
    Conflict(#[source] anyhow::Error),
    /// Every slot for this work is taken; `message` says what to do.
    #[error("{message}")]
    Busy { message: &'static str, retry_after_secs: u32 },
    #[error("the database is unavailable; please try again in a minute")]
    Unavailable(#[source] anyhow::Error),
    #[error("unexpected error")]
    Unexpected(#[source] anyhow::Error),
}

/// How the answer is written; the status and headers do not depend on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Page,
    Json,
    Plain,
}

/// A `WebError` answered in the format `F` names instead of as a page.
pub struct Answered<F>(pub WebError, PhantomData<F>);

/// `{"error": "..."}`, for programs.
#[derive(Debug)]
pub struct Json;

/// One line of text, for a download read in a browser tab or by a script.
#[derive(Debug)]
pub struct Plain;

pub trait AnswerFormat: std::fmt::Debug {
    const FORMAT: Format;
}

impl AnswerFormat for Json {
    const FORMAT: Format = Format::Json;
}

impl AnswerFormat for Plain {
    const FORMAT: Format = Format::Plain;
}

impl<F, E: Into<WebError>> From<E> for Answered<F> {
    fn from(e: E) -> Self {
        Answered(e.into(), PhantomData)
    }
}

impl<F> std::fmt::Debug for Answered<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<F> std::fmt::Display for Answered<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<F: AnswerFormat> ResponseError for Answered<F> {
    fn status_code(&self) -> StatusCode {
        self.0.status()
    }

    fn error_response(&self) -> HttpResponse {
        self.0.respond(F::FORMAT)
    }
}

impl From<anyhow::Error> for WebError {
    /// Sorts a failure from below by what it means for the client: the database out of
    /// reach, a row that is not there, a row taken meanwhile, or anything else.
    fn from(e: anyhow::Error) -> Self {
        if is_unavailable(&e) {
            return WebError::Unavailable(e);
        }
        match e.chain().find_map(|cause| cause.downcast_ref::<DieselError>()) {
            Some(DieselError::NotFound) => WebError::NotFound,
            Some(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => WebError::Conflict(e),
            _ => WebError::Unexpected(e),
        }
    }
}

impl From<DieselError> for WebError {
    fn from(e: DieselError) -> Self {
        anyhow::Error::from(e).into()
    }
}

impl From<PoolError> for WebError {
    fn from(e: PoolError) -> Self {
        anyhow::Error::from(e).into()
    }
}

impl WebError {
    /// The status for each failure: here and nowhere else.
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Unauthorized => StatusCode::UNAUTHORIZED,
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::Forbidden => StatusCode::FORBIDDEN,
            WebError::Conflict(_) => StatusCode::CONFLICT,
            WebError::Busy { .. } | WebError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn retry_after_secs(&self) -> Option<u32> {
        match self {
            WebError::Busy { retry_after_secs, .. } => Some(*retry_after_secs),
            WebError::Unavailable(_) => Some(OUTAGE_RETRY_AFTER_SECS),
            _ => None,
        }
    }

    /// The page's texts are `{key}-title` and `{key}-body`.
    fn page_key(&self) -> &'static str {
        match self {
            WebError::BadRequest(_) => "bad-request",
            WebError::Unauthorized => "unauthorized",
            WebError::NotFound => "not-found",
            WebError::Forbidden => "forbidden",
            WebError::Conflict(_) => "conflict",
            WebError::Busy { .. } | WebError::Unavailable(_) => "unavailable",
            WebError::Unexpected(_) => "unexpected",
        }
    }

    fn log(&self) {
        match self {
            WebError::Conflict(e) => tracing::warn!(error = %format!("{e:#}"), "request conflicted"),
            WebError::Unavailable(e) => tracing::warn!(error = %format!("{e:#}"), "database unavailable"),
            WebError::Unexpected(e) => tracing::error!(error = %format!("{e:#}"), "request failed"),
            WebError::BadRequest(_)
            | WebError::Unauthorized
            | WebError::NotFound
            | WebError::Forbidden
            | WebError::Busy { .. } => {}
        }
    }

    /// The answer in `format`, with the headers every format shares.
    pub fn respond(&self, format: Format) -> HttpResponse {
        self.log();
        let mut response = match format {
            // No request here, so no language choice: English, the fallback.
            Format::Page => message(self.status(), Lang::En, self.page_key()),
            Format::Json => HttpResponse::build(self.status())
                .insert_header((CACHE_CONTROL, "no-store"))
                .json(serde_json::json!({ "error": self.to_string() })),
            Format::Plain => HttpResponse::build(self.status())
                .insert_header((CONTENT_TYPE, "text/plain; charset=utf-8"))
                .body(format!("{self}\n")),
        };
        let headers = response.headers_mut();
        if let Some(secs) = self.retry_after_secs() {
            headers.insert(RETRY_AFTER, secs.into());
        }
        if let WebError::Unauthorized = self {
            headers.insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl ResponseError for WebError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        self.respond(Format::Page)
    }
}

/// A plain page without a language switch, whose texts are `{key}-title` and `{key}-body`.
pub fn message(status: StatusCode, lang: Lang, key: &str) -> HttpResponse {
    render(status, &MessagePage::keyed(Chrome::plain(lang), key))
}

pub async fn not_found(req: HttpRequest) -> HttpResponse {
    message(StatusCode::NOT_FOUND, pick_lang(&req, Lang::En), "not-found")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn database_error(kind: DatabaseErrorKind) -> anyhow::Error {
        DieselError::DatabaseError(kind, Box::new(String::from("from the server"))).into()
    }

    #[test]
    fn failures_from_below_get_the_status_that_says_what_to_do() {
        let cases = [
            (database_error(DatabaseErrorKind::ClosedConnection), 503),
            (database_error(DatabaseErrorKind::UniqueViolation), 409),
            (database_error(DatabaseErrorKind::CheckViolation), 500),
            (anyhow::Error::from(DieselError::NotFound).context("finding the campaign"), 404),
            (anyhow::Error::from(crate::db::Unavailable).context("signing"), 503),
            (anyhow::anyhow!("something else"), 500),
        ];
        for (error, status) in cases {
            let shown = format!("{error:#}");
            assert_eq!(WebError::from(error).status().as_u16(), status, "{shown}");
        }
    }

    #[test]
    fn every_page_has_its_words_in_english() {
        let texts = crate::i18n::Texts::new(Lang::En);
        let every = [
            WebError::BadRequest(String::new()),
            WebError::Unauthorized,
            WebError::NotFound,
            WebError::Conflict(anyhow::anyhow!("x")),
            WebError::Busy { message: "", retry_after_secs: 1 },
            WebError::Unavailable(anyhow::anyhow!("x")),
            WebError::Unexpected(anyhow::anyhow!("x")),
        ];
        for error in every {
            for part in ["title", "body"] {
                let key = format!("{}-{part}", error.page_key());
                assert_ne!(texts.t(&key), key, "locales/en/main.ftl lacks {key}");
            }
        }
    }

    #[test]
    fn every_format_asks_to_retry_an_outage_later() {
        for format in [Format::Page, Format::Json, Format::Plain] {
            let response = WebError::Unavailable(anyhow::anyhow!("down")).respond(format);
            assert_eq!(response.status(), 503, "{format:?}");
            assert_eq!(response.headers().get(RETRY_AFTER).unwrap(), "5", "{format:?}");
        }
    }
}
