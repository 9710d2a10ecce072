//! The confirmed count on pages, `count.json` and share images: the sum of the per-day
//! counts (`daily`), brought up to date at most every `FRESH_FOR` per campaign and process,
//! by one request at a time; the others meanwhile answer with the count it replaces.
//!
//! Why not a `count(*)`: at ten million signatures counting the confirmed ones took about
//! 350 ms, and at 200 page views a second every expiry of the cached count started dozens
//! of those counts at once, which took the page's p50 to 5.2 s (bench/README.md). A refresh
//! of the per-day counts costs what changed since the last one, whatever the total.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use diesel::result::QueryResult;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

const FRESH_FOR: Duration = Duration::from_secs(2);
/// The oldest count answered while another request refreshes: the contract allows a count
/// at most 5 seconds stale (SPEC.md, `count.json`). An older one waits for the refresh.
const STALE_AT_MOST: Duration = Duration::from_secs(4);

#[derive(Default)]
pub struct CountCache {
    /// The last count of each campaign and when it was read.
    known: Mutex<HashMap<Uuid, (Instant, i64)>>,
    /// When this process last changed each campaign's count (`invalidate`): a count read
    /// before that is not kept.
    changed: Mutex<HashMap<Uuid, Instant>>,
    /// Held by the one request that refreshes.
    refreshing: tokio::sync::Mutex<()>,
}

impl CountCache {
    pub async fn get(
        &self,
        conn: &mut AsyncPgConnection,
        campaign_id: Uuid,
        now: DateTime<Utc>,
    ) -> QueryResult<i64> {
        let known = self.known(campaign_id);
        if let Some((at, count)) = known
            && at.elapsed() < FRESH_FOR
        {
            return Ok(count);
        }
        let _refreshing = match (self.refreshing.try_lock(), known) {
            (Ok(guard), _) => guard,
            // Another request is refreshing; the count it replaces is seconds old.
            (Err(_), Some((at, count))) if at.elapsed() < STALE_AT_MOST => return Ok(count),
            // Nothing recent enough to answer with (the first request, this process just
            // changed the count, or a refresh is slow): wait for that refresh, which may
            // be this campaign's.
            (Err(_), _) => self.refreshing.lock().await,
        };
        if let Some((at, count)) = self.known(campaign_id)
            && at.elapsed() < FRESH_FOR
        {
            return Ok(count);
        }
        let started = Instant::now();
        let count = super::status_totals(conn, campaign_id, now).await?.confirmed;
        let changed_since = self.changed.lock().unwrap().get(&campaign_id).is_some_and(|at| *at >= started);
        if !changed_since {
            self.known.lock().unwrap().insert(campaign_id, (started, count));
        }
        Ok(count)
    }

    /// Forgets a campaign's count, after a change this process made, so the next page
    /// shows it.
    pub fn invalidate(&self, campaign_id: Uuid) {
        self.changed.lock().unwrap().insert(campaign_id, Instant::now());
        self.known.lock().unwrap().remove(&campaign_id);
    }

    fn known(&self, campaign_id: Uuid) -> Option<(Instant, i64)> {
        self.known.lock().unwrap().get(&campaign_id).copied()
    }
}
