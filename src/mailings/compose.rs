//! Writing a mailing's messages as they go. The filler (`fill.rs`) queues each message as
//! a small outbox row, with no address and no text, beside the `mailing_recipients` row
//! that names its supporter; the sender hands the rows it has leased to `MailingComposer`,
//! which reads the supporters (`audience::recipients`) and writes each message then. So the
//! outbox never holds a queued copy of a supporter's address, and PostgreSQL stores a few
//! dozen bytes per queued message instead of the 3 kB message, written twice (queued and
//! leased). A message written again after a failed attempt is the same message: its
//! `Message-ID` is the row's id.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use futures_util::future::BoxFuture;
use uuid::Uuid;

use super::audience;
use super::message::{MailingContext, To, prepare, version_for};
use super::store;
use crate::campaigns;
use crate::db::schema::mailing_recipients;
use crate::outbox::{Composed, Composer, Kind};

pub struct MailingComposer {
    ctx: MailingContext,
}

impl MailingComposer {
    pub fn new(ctx: MailingContext) -> Self {
        MailingComposer { ctx }
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
        for mailing in store::load(conn, &mailing_ids).await? {
            let campaign = campaigns::find_by_id(conn, mailing.campaign_id).await?;
            let prepared = prepare(&mailing);
            let default = campaign.file.default_lang();
            for (outbox_id, _, signature_id) in rows.iter().filter(|r| r.1 == mailing.id) {
                let (Some(outbox_id), Some(reader)) = (outbox_id, readers.get(signature_id)) else {
                    continue;
                };
                // A mailing always has the default language's text (`Draft`), unless the
                // campaign's default changed since: then it goes in a language it has.
                let Some(version) =
                    version_for(&prepared, &reader.language, default).or_else(|| prepared.values().next())
                else {
                    continue;
                };
                let to =
                    To { signature_id: Some(reader.signature_id), email: &reader.email, name: &reader.name };
                let message = self.ctx.write(*outbox_id, &campaign, &mailing.sender, version, &to)?;
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
