//! The organizers' pages: sign-in, the dashboards, the CSV export, the API tokens, and
//! the owners' organizers, audit and webhook receivers pages. Handlers only; the
//! guard in front of them is in `web::protected`, the queries in `reports` and `export`.

pub mod dashboard;
pub mod endorsements;
pub mod export;
pub mod handover;
pub mod login;
pub mod mailings;
pub mod organizers;
pub mod replies;
pub mod tokens;
pub mod webhooks;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, HttpResponseBuilder};
use askama::Template;

fn render(status: StatusCode, page: &impl Template) -> HttpResponse {
    match page.render() {
        Ok(html) => HttpResponseBuilder::new(status)
            .content_type("text/html; charset=utf-8")
            .insert_header((
                "Content-Security-Policy",
                "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'",
            ))
            .insert_header(("X-Content-Type-Options", "nosniff"))
            .insert_header(("Referrer-Policy", "no-referrer"))
            .insert_header(("Cache-Control", "no-store"))
            .body(html),
        Err(e) => {
            tracing::error!(error = %e, "rendering an admin page failed");
            HttpResponse::InternalServerError().body("Internal error")
        }
    }
}

#[derive(Template)]
#[template(path = "admin/message.html")]
struct MessagePage<'a> {
    title: &'a str,
    body: &'a str,
}

/// A short English page for an organizer's mistake (a bad filter, an expired form).
pub fn message(status: StatusCode, title: &str, body: &str) -> HttpResponse {
    render(status, &MessagePage { title, body })
}

/// The page that refuses a form posted to an admin page.
fn form_refused(e: crate::web::form::FormError) -> HttpResponse {
    use crate::web::form::FormError;
    match e {
        FormError::WrongType => message(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Unsupported form",
            "Please send the form as application/x-www-form-urlencoded.",
        ),
        FormError::NotUtf8 => message(
            StatusCode::BAD_REQUEST,
            "Unreadable form",
            "The form data was not valid UTF-8 text. Please go back and try again.",
        ),
    }
}
