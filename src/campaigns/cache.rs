//! Campaigns as the public pages see them. Each process keeps a campaign for
//! `FRESH_FOR` instead of reading and parsing it on every request (a sign request did both
//! and it was an eighth of its time); a change, such as an import that closes a campaign,
//! reaches every process within that time.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Duration, Utc};

use super::{Campaign, find_by_slug};
use crate::db::Pool;

const FRESH_FOR: Duration = Duration::seconds(2);

/// A campaign and when it was read.
type Entry = (DateTime<Utc>, Arc<Campaign>);

#[derive(Default)]
pub struct CampaignCache {
    entries: RwLock<HashMap<String, Entry>>,
}

impl CampaignCache {
    pub async fn get(
        &self,
        pool: &Pool,
        slug: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Option<Arc<Campaign>>> {
        if let Some((read_at, campaign)) = self.entries.read().unwrap().get(slug)
            && (*read_at..*read_at + FRESH_FOR).contains(&now)
        {
            return Ok(Some(campaign.clone()));
        }
        let mut conn = pool.get().await?;
        let found = find_by_slug(&mut conn, slug).await?.map(Arc::new);
        let mut entries = self.entries.write().unwrap();
        match &found {
            Some(campaign) => entries.insert(slug.to_owned(), (now, campaign.clone())),
            None => entries.remove(slug),
        };
        Ok(found)
    }
}
