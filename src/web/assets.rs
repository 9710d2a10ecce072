//! The one script the pages use, served by the application itself so that the
//! Content-Security-Policy can stay at `'self'`: no third-party code, no inline script.

use actix_web::HttpResponse;

const COUNT_JS: &str = include_str!("../../assets/count.js");

/// Browsers ask for `/favicon.ico` on every first visit; "nothing here", cached for a day,
/// costs less than a 404 page.
pub async fn favicon() -> HttpResponse {
    HttpResponse::NoContent().insert_header(("Cache-Control", "public, max-age=86400")).finish()
}

pub async fn count_js() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(COUNT_JS)
}
