//! Retention: a signature nobody confirmed within 30 days is deleted, with any mail to it
//! still waiting. Run by `rallypost purge` and daily by the workers.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::SignatureStatus;
use crate::db::schema::{outbox, signatures};

pub const UNCONFIRMED_KEPT_FOR: Duration = Duration::days(30);

/// Deletes unconfirmed signatures older than 30 days; returns how many.
pub async fn purge_unconfirmed(conn: &mut AsyncPgConnection, now: DateTime<Utc>) -> QueryResult<usize> {
    let cutoff = now - UNCONFIRMED_KEPT_FOR;
    // The dashboard's per-day counts learn of the deletion from a trigger on `signatures`
    // (migration 2026-12-01-000400), as they would of any other.
    conn.transaction(async |conn| {
        let expired = signatures::table
            .filter(signatures::status.eq(SignatureStatus::Pending))
            .filter(signatures::signed_at.lt(cutoff))
            .select(signatures::id);
        diesel::delete(outbox::table.filter(outbox::signature_id.eq_any(expired.nullable())))
            .execute(conn)
            .await?;
        diesel::delete(
            signatures::table
                .filter(signatures::status.eq(SignatureStatus::Pending))
                .filter(signatures::signed_at.lt(cutoff)),
        )
        .execute(conn)
        .await
    })
    .await
}
