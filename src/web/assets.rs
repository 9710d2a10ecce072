//! The scripts the pages use (the count's refresh, the share box's copy button), served by
//! the application itself so that the Content-Security-Policy can stay at `'self'`: no
//! third-party code, no inline script.

use actix_web::HttpResponse;

const COUNT_JS: &str = include_str!("../../assets/count.js");
const SHARE_JS: &str = include_str!("../../assets/share.js");

/// Browsers ask for `/favicon.ico` on every first visit; "nothing here", cached for a day,
/// costs less than a 404 page.
pub async fn favicon() -> HttpResponse {
    HttpResponse::NoContent().insert_header(("Cache-Control", "public, max-age=86400")).finish()
}

pub async fn count_js() -> HttpResponse {
    script(COUNT_JS)
}

pub async fn share_js() -> HttpResponse {
    script(SHARE_JS)
}

fn script(source: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(source)
}
