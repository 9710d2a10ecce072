//! Retention: a signature nobody confirmed within 30 days is deleted, with any mail to it
//! still waiting. Run by `rallypost purge` and daily by the workers.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use uuid::Uuid;

use super::SignatureStatus;
use crate::db::schema::{outbox, signatures};

pub const UNCONFIRMED_KEPT_FOR: Duration = Duration::days(30);

/// Deletes unconfirmed signatures older than 30 days; returns how many.
///
/// In batches of ids, each in its own transaction: a campaign that many people signed
/// without confirming never holds one transaction over all of them, and each batch finds
/// its mail by the outbox's index on `signature_id`. Deleting by a subquery instead planned
/// a sequential scan of the whole outbox, every row ever sent (bench/plans.py).
pub async fn purge_unconfirmed(conn: &mut AsyncPgConnection, now: DateTime<Utc>) -> QueryResult<usize> {
    const BATCH: i64 = 1000;
    let cutoff = now - UNCONFIRMED_KEPT_FOR;
    let mut purged = 0;
    loop {
        // The dashboard's per-day counts learn of the deletion from a trigger on
        // `signatures` (migration 2026-12-01-000400), as they would of any other.
        let n = conn
            .transaction(async |conn| {
                let expired: Vec<Uuid> = signatures::table
                    .filter(signatures::status.eq(SignatureStatus::Pending.literal()))
                    .filter(signatures::signed_at.lt(cutoff))
                    .select(signatures::id)
                    .limit(BATCH)
                    .for_update()
                    .skip_locked()
                    .load(conn)
                    .await?;
                diesel::delete(outbox::table.filter(outbox::signature_id.eq_any(expired.iter().map(Some))))
                    .execute(conn)
                    .await?;
                diesel::delete(signatures::table.filter(signatures::id.eq_any(&expired))).execute(conn).await
            })
            .await?;
        purged += n;
        if n == 0 {
            return Ok(purged);
        }
    }
}
