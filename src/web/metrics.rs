//! `GET /metrics` in Prometheus' text format, for the scraper that sends
//! `Authorization: Bearer $RALLYPOST_METRICS_TOKEN`: the database's gauges as the refresher
//! last read them (`crate::gauges`) and what this process counted. No database query runs
//! here.
//!
//! Without the setting the route answers 404, as if it did not exist. With it, a missing or
//! wrong token gets 401 and `WWW-Authenticate: Bearer`: the route is documented in an open
//! source project, so hiding it behind a 404 would protect nothing, while a 401 tells an
//! operator that the scrape config's credentials, not its path, are wrong. The token holds
//! at least 32 characters, so answering honestly gives a guesser nothing. The check is in
//! the handler, so every path the router leads here is checked.

use actix_web::http::StatusCode;
use actix_web::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use actix_web::{HttpRequest, HttpResponse, web};

use super::AppState;
use crate::signatures::SourceKind;

pub async fn metrics(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let Some(token) = &state.settings.metrics_token else {
        return super::errors::not_found(req).await;
    };
    let given = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    if !given.is_some_and(|given| token.matches(given)) {
        return HttpResponse::build(StatusCode::UNAUTHORIZED)
            .insert_header((WWW_AUTHENTICATE, "Bearer realm=\"metrics\""))
            .content_type("text/plain; charset=utf-8")
            .body("This needs Authorization: Bearer and the RALLYPOST_METRICS_TOKEN.\n");
    }

    let mut out = String::new();
    state.gauges.render(&mut out);
    out.push_str(
        "# HELP rallypost_signature_surges_total Times one source sent an unusual share of new signatures.\n",
    );
    out.push_str("# TYPE rallypost_signature_surges_total counter\n");
    for kind in [SourceKind::EmailDomain, SourceKind::ClientAddress] {
        out.push_str(&format!(
            "rallypost_signature_surges_total{{source=\"{}\"}} {}\n",
            kind.as_str(),
            state.surges.alerts(kind)
        ));
    }
    state.metrics.render(&mut out);
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .insert_header(("Cache-Control", "no-store"))
        .body(out)
}
