//! Every request, timed: a log line and a latency observation, both keyed by the route
//! pattern (`/confirm/{token}`), never by the path, which may carry a token.

use std::time::{Duration, Instant};

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
    tracing::info!(%method, %route, status, ms = millis(elapsed), "request");
    Ok(response)
}

/// Milliseconds to two decimals: `0.09`, not `0.08534000000000001`. A number still, so a
/// JSON log line keeps it numeric.
fn millis(elapsed: Duration) -> f64 {
    (elapsed.as_secs_f64() * 100_000.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_logged_as_milliseconds_with_two_decimals() {
        assert_eq!(millis(Duration::from_nanos(85_340)).to_string(), "0.09");
        assert_eq!(millis(Duration::from_micros(12_345)).to_string(), "12.35");
        assert_eq!(millis(Duration::from_secs(2)).to_string(), "2000");
    }
}
