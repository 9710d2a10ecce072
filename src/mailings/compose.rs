//! Writing a mailing's messages as they go. The filler (`fill.rs`) queues each message as
//! a small outbox row, with no address and no text, beside the `mailing_recipients` row
//! that names its supporter; the sender hands the rows it has leased to `MailingComposer`,
//! which reads the supporters (`audience::recipients`) and writes each message then. So the
//! outbox never holds a queued copy of a supporter's address, and PostgreSQL stores a few
//! dozen bytes per queued message instead of the 3 kB message, written twice (queued and
//! leased). A message written again after a failed attempt is the same message: its
//! `Message-ID` is the row's id.
//!
//! What every message of a mailing shares (its campaign, its sender, its texts rendered
//! from Markdown) is read and rendered once and kept for `FRESH_FOR`, not once per leased
//! batch, of which a 100,000-recipient mailing takes 400 or more (256 rows at most a batch,
//! `src/outbox/batch_size.rs`).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use futures_util::future::BoxFuture;
use uuid::Uuid;

use super::audience;
use super::message::{MailingContext, Prepared, To, prepare, version_for};
use super::store;
use crate::campaigns::{self, Campaign};
use crate::db::schema::mailing_recipients;
use crate::domain::Lang;
use crate::outbox::{Composed, Composer, Kind};
use crate::suppressions::Sender;

/// How long a mailing's shared part is kept. Its texts never change once written (a
/// mailing is stored once, as a draft), but its campaign may be imported again (a new
/// default language, a partner renamed); as on the public pages (`campaigns::cache`), such
/// a change reaches the messages within this time.
const FRESH_FOR: Duration = Duration::from_secs(2);

pub struct MailingComposer {
    ctx: MailingContext,
    shared: Mutex<HashMap<Uuid, Arc<Shared>>>,
}

/// What every message of one mailing has in common.
struct Shared {
    read_at: Instant,
    campaign: Campaign,
    sender: Sender,
    versions: BTreeMap<Lang, Prepared>,
}

impl MailingComposer {
    pub fn new(ctx: MailingContext) -> Self {
        MailingComposer { ctx, shared: Mutex::default() }
    }

    /// The shared part of each mailing in `ids` that still exists, from the cache when it
    /// is fresh, else read and rendered anew.
    async fn shared(
        &self,
        conn: &mut AsyncPgConnection,
        ids: &[Uuid],
    ) -> anyhow::Result<HashMap<Uuid, Arc<Shared>>> {
        let mut found = HashMap::with_capacity(ids.len());
        let mut missing = Vec::new();
        {
            let cache = self.shared.lock().unwrap();
            for id in ids {
                match cache.get(id) {
                    Some(shared) if shared.read_at.elapsed() < FRESH_FOR => {
                        found.insert(*id, Arc::clone(shared));
                    }
                    _ => missing.push(*id),
                }
            }
        }
        if missing.is_empty() {
            return Ok(found);
        }
        let mut read = Vec::with_capacity(missing.len());
        for mailing in store::load(conn, &missing).await? {
            let campaign = campaigns::find_by_id(conn, mailing.campaign_id).await?;
            let versions = prepare(&mailing);
            let shared = Shared { read_at: Instant::now(), campaign, sender: mailing.sender, versions };
            read.push((mailing.id, Arc::new(shared)));
        }
        let mut cache = self.shared.lock().unwrap();
        cache.retain(|_, shared| shared.read_at.elapsed() < FRESH_FOR);
        for (id, shared) in read {
            cache.insert(id, Arc::clone(&shared));
            found.insert(id, shared);
        }
        Ok(found)
    }

    async fn write(
        &self,
        conn: &mut AsyncPgConnection,
        ids: &[Uuid],
    ) -> anyhow::Result<HashMap<Uuid, Composed>> {
        // (outbox row, mailing, supporter)
        let rows: Vec<(Option<Uuid>, Uuid, Uuid)> = mailing_recipients::table
            .filter(mailing_recipients::outbox_id.eq_any(ids))
            .select((
                mailing_recipients::outbox_id,
                mailing_recipients::mailing_id,
                mailing_recipients::signature_id,
            ))
            .load(conn)
            .await?;
        let mut mailing_ids: Vec<Uuid> = rows.iter().map(|r| r.1).collect();
        mailing_ids.sort_unstable();
        mailing_ids.dedup();
        let supporters: Vec<Uuid> = rows.iter().map(|r| r.2).collect();
        let readers: HashMap<Uuid, audience::Recipient> =
            audience::recipients(conn, &self.ctx.keys, &supporters)
                .await?
                .into_iter()
                .map(|r| (r.signature_id, r))
                .collect();
        let mut composed = HashMap::with_capacity(rows.len());
        for (mailing_id, shared) in self.shared(conn, &mailing_ids).await? {
            let Shared { campaign, sender, versions, .. } = shared.as_ref();
            let default = campaign.file.default_lang();
            for (outbox_id, _, signature_id) in rows.iter().filter(|r| r.1 == mailing_id) {
                let (Some(outbox_id), Some(reader)) = (outbox_id, readers.get(signature_id)) else {
                    continue;
                };
                // A mailing always has the default language's text (`Draft`), unless the
                // campaign's default changed since: then it goes in a language it has.
                let Some(version) =
                    version_for(versions, &reader.language, default).or_else(|| versions.values().next())
                else {
                    continue;
                };
                let to =
                    To { signature_id: Some(reader.signature_id), email: &reader.email, name: &reader.name };
                let message = self.ctx.write(*outbox_id, campaign, sender, version, &to)?;
                composed.insert(*outbox_id, Composed { recipient: reader.email.clone(), message });
            }
        }
        Ok(composed)
    }
}

impl Composer for MailingComposer {
    fn kind(&self) -> Kind {
        Kind::Mailing
    }

    fn compose<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        ids: &'a [Uuid],
    ) -> BoxFuture<'a, anyhow::Result<HashMap<Uuid, Composed>>> {
        Box::pin(self.write(conn, ids))
    }
}
