//! The confirmed count shown on pages and in `count.json`, cached for two seconds so a
//! surge of page views does not become a surge of count queries.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::SignatureStatus;
use crate::db::schema::signatures;

const FRESH_FOR: Duration = Duration::from_secs(2);

pub async fn confirmed_count(conn: &mut AsyncPgConnection, campaign_id: Uuid) -> QueryResult<i64> {
    signatures::table
        .filter(signatures::campaign_id.eq(campaign_id))
        .filter(signatures::status.eq(SignatureStatus::Confirmed.literal()))
        .count()
        .get_result(conn)
        .await
}

#[derive(Default)]
pub struct CountCache(Mutex<HashMap<Uuid, (Instant, i64)>>);

impl CountCache {
    pub async fn get(&self, conn: &mut AsyncPgConnection, campaign_id: Uuid) -> QueryResult<i64> {
        if let Some((at, count)) = self.0.lock().unwrap().get(&campaign_id)
            && at.elapsed() < FRESH_FOR
        {
            return Ok(*count);
        }
        let count = confirmed_count(conn, campaign_id).await?;
        self.0.lock().unwrap().insert(campaign_id, (Instant::now(), count));
        Ok(count)
    }

    /// Forgets a campaign's count, after a change this process made.
    pub fn invalidate(&self, campaign_id: Uuid) {
        self.0.lock().unwrap().remove(&campaign_id);
    }
}
