//! Every request, timed: a log line and a latency observation, both keyed by the route
//! pattern (`/confirm/{token}`), never by the path, which may carry a token.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;

use super::AppState;

pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().to_string();
    let metrics = req.app_data::<web::Data<AppState>>().map(|state| state.metrics.clone());
    let response = next.call(req).await?;
    let route = response.request().match_pattern().unwrap_or_else(|| "unmatched".into());
    let status = response.status().as_u16();
    let elapsed = started.elapsed();
    if let Some(metrics) = metrics {
        metrics.observe_http(&method, &route, status, elapsed);
    }
    tracing::info!(%method, %route, status, ms = elapsed.as_secs_f64() * 1000.0, "request");
    Ok(response)
}
