//! `GET /metrics` in Prometheus' text format: what the database says (signatures by
//! campaign and status, the outbox by kind and status, the age of the oldest waiting
//! message) and what this process counted.

use std::fmt::Write;

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::AppState;
use super::errors::WebError;
use crate::db::schema::{campaigns, outbox, signatures};
use crate::signatures::SourceKind;

pub async fn metrics(state: web::Data<AppState>) -> Result<HttpResponse, WebError> {
    let mut conn = state.pool.get().await?;
    let slugs: std::collections::HashMap<uuid::Uuid, String> = campaigns::table
        .select((campaigns::id, campaigns::slug))
        .load(&mut conn)
        .await?
        .into_iter()
        .collect();
    let by_status: Vec<(uuid::Uuid, String, i64)> = signatures::table
        .group_by((signatures::campaign_id, signatures::status))
        .select((signatures::campaign_id, signatures::status, diesel::dsl::count_star()))
        .load(&mut conn)
        .await?;
    let outbox_rows: Vec<(String, String, i64, Option<DateTime<Utc>>)> = outbox::table
        .group_by((outbox::kind, outbox::status))
        .select((
            outbox::kind,
            outbox::status,
            diesel::dsl::count_star(),
            diesel::dsl::min(outbox::created_at),
        ))
        .load(&mut conn)
        .await?;
    let now = state.clock.now();

    let mut out = String::new();
    out.push_str("# HELP rallypost_signatures Signatures by campaign and status.\n");
    out.push_str("# TYPE rallypost_signatures gauge\n");
    for (campaign_id, status, n) in &by_status {
        let slug = slugs.get(campaign_id).map_or("", String::as_str);
        let _ = writeln!(out, "rallypost_signatures{{campaign=\"{slug}\",status=\"{status}\"}} {n}");
    }
    out.push_str("# HELP rallypost_outbox_messages Outbox rows by kind and status.\n");
    out.push_str("# TYPE rallypost_outbox_messages gauge\n");
    for (kind, status, n, _) in &outbox_rows {
        let _ = writeln!(out, "rallypost_outbox_messages{{kind=\"{kind}\",status=\"{status}\"}} {n}");
    }
    out.push_str("# HELP rallypost_outbox_oldest_pending_seconds Age of the oldest message not yet sent.\n");
    out.push_str("# TYPE rallypost_outbox_oldest_pending_seconds gauge\n");
    for (kind, _, _, oldest) in outbox_rows.iter().filter(|r| r.1 == "pending") {
        let age = oldest.map_or(0, |t| (now - t).num_seconds().max(0));
        let _ = writeln!(out, "rallypost_outbox_oldest_pending_seconds{{kind=\"{kind}\"}} {age}");
    }
    out.push_str(
        "# HELP rallypost_signature_surges_total Times one source sent an unusual share of new signatures.\n",
    );
    out.push_str("# TYPE rallypost_signature_surges_total counter\n");
    for kind in [SourceKind::EmailDomain, SourceKind::ClientAddress] {
        let _ = writeln!(
            out,
            "rallypost_signature_surges_total{{source=\"{}\"}} {}",
            kind.as_str(),
            state.surges.alerts(kind)
        );
    }
    state.metrics.render(&mut out);
    Ok(HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(out))
}
