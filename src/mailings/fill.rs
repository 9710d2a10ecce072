//! The mailings worker: starts scheduled mailings when their time comes and queues each
//! sending mailing's messages into the outbox in batches, one transaction per batch. A
//! batch holds the mailing's row lock (taken with `SKIP LOCKED`: another worker moves on
//! to other work) and writes a `mailing_recipients` row beside each message, whose primary
//! key makes a second copy for the same supporter impossible, through crashes and however
//! many workers run. Delivery is the outbox's, from the `mailings` claim source `startup`
//! places after supporters' confirmations and receipts.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::audience;
use super::message::{MailingContext, To, prepare, version_for};
use super::store::{self, MailingStatus};
use crate::campaigns;
use crate::clock::Clock;
use crate::db::Pool;
use crate::db::schema::{mailing_recipients, mailings};

const TICK: StdDuration = StdDuration::from_secs(5);
/// Messages rendered and queued per transaction.
const BATCH: i64 = 200;

pub struct Mailer {
    pool: Pool,
    clock: Arc<dyn Clock>,
    ctx: MailingContext,
}

impl Mailer {
    pub fn new(pool: Pool, clock: Arc<dyn Clock>, ctx: MailingContext) -> Self {
        Mailer { pool, clock, ctx }
    }

    pub async fn run(self: Arc<Self>, shutdown: CancellationToken) {
        while !shutdown.is_cancelled() {
            if let Err(e) = self.tick().await {
                tracing::warn!(error = %format!("{e:#}"), "mailings: queueing failed; will retry");
            }
            tokio::select! {
                _ = tokio::time::sleep(TICK) => {}
                _ = shutdown.cancelled() => {}
            }
        }
    }

    /// Starts the mailings whose time has come and queues what every sending mailing still
    /// owes; returns how many messages this call queued.
    pub async fn tick(&self) -> anyhow::Result<usize> {
        let mut conn = self.pool.get().await?;
        let now = self.clock.now();
        diesel::update(
            mailings::table
                .filter(mailings::status.eq(MailingStatus::Scheduled))
                .filter(mailings::send_at.le(now)),
        )
        .set(mailings::status.eq(MailingStatus::Sending))
        .execute(&mut conn)
        .await?;
        let sending: Vec<Uuid> = mailings::table
            .filter(mailings::status.eq(MailingStatus::Sending))
            .filter(mailings::queued_all_at.is_null())
            .select(mailings::id)
            .load(&mut conn)
            .await?;
        let mut queued = 0;
        for id in sending {
            let mut after = Uuid::nil();
            while let Some((n, last)) = fill_batch(&mut conn, &self.ctx, id, after, now).await? {
                queued += n;
                after = last;
                tracing::info!(mailing = %id, queued = n, "mailing: batch queued");
            }
        }
        Ok(queued)
    }
}

/// Queues one batch of `id`'s messages after the signature `after`; returns how many and
/// the last signature, or `None` when there is nothing (more) to do now: it is done,
/// paused, cancelled, or another worker holds it. Whoever confirms while a mailing is
/// being queued gets it if the queueing has not passed their signature yet.
async fn fill_batch(
    conn: &mut AsyncPgConnection,
    ctx: &MailingContext,
    id: Uuid,
    after: Uuid,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<(usize, Uuid)>> {
    conn.transaction(async |conn| {
        let locked: Option<Uuid> = mailings::table
            .find(id)
            .filter(mailings::status.eq(MailingStatus::Sending))
            .filter(mailings::queued_all_at.is_null())
            .select(mailings::id)
            .for_update()
            .skip_locked()
            .first(conn)
            .await
            .optional()?;
        if locked.is_none() {
            return Ok(None);
        }
        let Some(mailing) = store::lock(conn, id).await? else { return Ok(None) };
        let (recipients, last) = audience::next_batch(conn, &ctx.keys, &mailing, after, BATCH).await?;
        let Some(last) = last else {
            diesel::update(mailings::table.find(id))
                .set(mailings::queued_all_at.eq(now))
                .execute(conn)
                .await?;
            tracing::info!(mailing = %id, "mailing: everyone queued");
            return Ok(None);
        };
        let campaign = campaigns::find_by_id(conn, mailing.campaign_id).await?;
        let prepared = prepare(&mailing);
        let default = campaign.file.default_lang();
        let mut messages = Vec::with_capacity(recipients.len());
        for r in &recipients {
            let Some(version) = version_for(&prepared, &r.language, default) else {
                anyhow::bail!("mailing {id} has no text in the campaign's default language");
            };
            let to = To { signature_id: Some(r.signature_id), email: &r.email, name: &r.name };
            messages.push((r.signature_id, ctx.message(&campaign, &mailing.sender, version, &to)?));
        }
        let rows: Vec<_> = messages
            .iter()
            .map(|(signature_id, m)| {
                (
                    mailing_recipients::mailing_id.eq(id),
                    mailing_recipients::signature_id.eq(*signature_id),
                    mailing_recipients::outbox_id.eq(m.id),
                    mailing_recipients::queued_at.eq(now),
                )
            })
            .collect();
        let fresh: Vec<Uuid> = diesel::insert_into(mailing_recipients::table)
            .values(rows)
            .on_conflict_do_nothing()
            .returning(mailing_recipients::signature_id)
            .get_results(conn)
            .await?;
        let to_queue: Vec<_> = messages
            .iter()
            .filter(|(signature_id, _)| fresh.contains(signature_id))
            .map(|(_, m)| m)
            .collect();
        let queued = crate::outbox::enqueue_many(conn, &ctx.keys, &to_queue, now).await?;
        Ok(Some((queued, last)))
    })
    .await
}
