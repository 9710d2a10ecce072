//! How long the copies of letters are kept. A delivered letter stays in the outbox as the
//! record of what a target received (a withdrawal erases the ones that named its signer);
//! once its campaign closed more than `KEPT_AFTER_CLOSING` ago, nobody needs that record
//! any more, and the names in it should go: the housekeeping task erases the bodies of its
//! letters and digests, a batch at a time, keeping each row (kind, times, status).
//!
//! Only a closing time in the campaign file (`closes_at`) starts the count: a campaign
//! closed by `status = "closed"` has no date to count from, and keeps its letters.

use chrono::{DateTime, Duration, Utc};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::campaigns::Campaign;
use crate::outbox::{self, Kind};

pub const KEPT_AFTER_CLOSING: Duration = Duration::days(90);

/// Letters whose bodies are erased per statement.
const BATCH: i64 = 500;

/// Erases the bodies of the delivered letters of campaigns that closed more than 90 days
/// before `now`, a batch per statement until none is left; returns how many.
pub async fn erase_after_closing(
    conn: &mut AsyncPgConnection,
    campaigns: &[Campaign],
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let long_closed: Vec<Uuid> = campaigns
        .iter()
        .filter(|c| c.file.closes_at.is_some_and(|closed| now - closed > KEPT_AFTER_CLOSING))
        .map(|c| c.id)
        .collect();
    let mut erased = 0;
    loop {
        let n = outbox::erase_bodies(conn, &long_closed, &[Kind::Letter, Kind::Digest], BATCH).await?;
        erased += n;
        if n < BATCH as usize {
            return Ok(erased);
        }
    }
}
