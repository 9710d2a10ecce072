//! The mailings worker: starts scheduled mailings when their time comes and queues each
//! sending mailing's messages into the outbox in batches, one transaction per batch. A
//! batch holds the mailing's row lock (taken with `SKIP LOCKED`: another worker moves on
//! to other work) and writes a `mailing_recipients` row beside each message, whose primary
//! key makes a second copy for the same supporter impossible, through crashes and however
//! many workers run. Delivery is the outbox's, from the `mailings` claim source `startup`
//! places after supporters' confirmations and receipts.
//!
//! Queueing keeps only `AHEAD` messages ahead of the senders. Each queued message is
//! rendered, encrypted and stored whole (3 kB for a short text) until it is sent: queued
//! all at once, a mailing to a million supporters would put 3 GB into the outbox (and as
//! much into the WAL) within minutes, and a cancel would have to delete all of it. Kept
//! this far ahead, the outbox holds about `AHEAD` of them and queueing goes at the
//! senders' pace. (It did not make the 100,000-recipient mailing of bench/mail_priority.py
//! faster: that one is queued within its first 40 s either way.)

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
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
use crate::outbox::{self, Kind};

const TICK: StdDuration = StdDuration::from_secs(5);
/// How soon the worker looks again while a mailing waits for the senders to catch up.
const FOLLOW: StdDuration = StdDuration::from_millis(100);
/// Messages rendered and queued per transaction, at most.
const BATCH: i64 = 200;
/// Mailing messages due and unsent in the outbox, at most: at the senders' 4,000 msg/s,
/// half a second's work. Queueing waits until fewer than a quarter of them are left,
/// looking every `FOLLOW`, and then fills up again.
const AHEAD: i64 = 2_000;

pub struct Mailer {
    pool: Pool,
    clock: Arc<dyn Clock>,
    ctx: MailingContext,
    ahead: i64,
    /// Per sending mailing, the last signature this worker has queued it for: the next
    /// batch starts after it (see `audience::next_batch`). Only a shortcut: a worker that
    /// starts again begins at the first, and skips whoever is queued already.
    queued_through: Mutex<HashMap<Uuid, Uuid>>,
}

/// What one look at the mailings did.
#[derive(Debug, Default)]
struct Filled {
    queued: usize,
    /// A mailing has more to queue once the senders catch up.
    waiting: bool,
}

impl Mailer {
    pub fn new(pool: Pool, clock: Arc<dyn Clock>, ctx: MailingContext) -> Self {
        Mailer { pool, clock, ctx, ahead: AHEAD, queued_through: Mutex::default() }
    }

    /// Keeps at most `ahead` mailing messages waiting in the outbox instead of 2,000.
    pub fn with_ahead(mut self, ahead: i64) -> Self {
        self.ahead = ahead.max(1);
        self
    }

    pub async fn run(self: Arc<Self>, shutdown: CancellationToken) {
        while !shutdown.is_cancelled() {
            let next = match self.fill().await {
                Ok(filled) if filled.waiting => FOLLOW,
                Ok(_) => TICK,
                Err(e) => {
                    tracing::warn!(error = %format!("{e:#}"), "mailings: queueing failed; will retry");
                    TICK
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(next) => {}
                _ = shutdown.cancelled() => {}
            }
        }
    }

    /// Starts the mailings whose time has come and queues what every sending mailing still
    /// owes, as far as the senders are behind by less than `ahead`; returns how many
    /// messages this call queued.
    pub async fn tick(&self) -> anyhow::Result<usize> {
        Ok(self.fill().await?.queued)
    }

    async fn fill(&self) -> anyhow::Result<Filled> {
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
        self.queued_through.lock().expect("not poisoned").retain(|id, _| sending.contains(id));
        let mut filled = Filled::default();
        for id in sending {
            // Counting walks the due rows one by one: up to a quarter of `ahead` only.
            let sample = outbox::due_sample(&mut conn, &[Kind::Mailing], now, self.ahead / 4 + 1).await?;
            let due: i64 = sample.iter().map(|kind| kind.due).sum();
            if due > self.ahead / 4 {
                filled.waiting = true;
                continue;
            }
            let mut after = self.queued_through.lock().expect("not poisoned").get(&id).copied();
            let mut room = self.ahead - due;
            while room > 0 {
                let limit = room.min(BATCH);
                let start = after.unwrap_or_else(Uuid::nil);
                let Some((n, last)) = fill_batch(&mut conn, &self.ctx, id, start, limit, now).await? else {
                    break;
                };
                tracing::info!(mailing = %id, queued = n, "mailing: batch queued");
                filled.queued += n;
                after = Some(last);
                room -= limit;
            }
            if let Some(after) = after {
                self.queued_through.lock().expect("not poisoned").insert(id, after);
            }
            filled.waiting |= room <= 0;
        }
        Ok(filled)
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
    limit: i64,
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
        let (recipients, last) = audience::next_batch(conn, &ctx.keys, &mailing, after, limit).await?;
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
        let queued = outbox::enqueue_many(conn, &ctx.keys, &to_queue, now).await?;
        Ok(Some((queued, last)))
    })
    .await
}
