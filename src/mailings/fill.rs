//! The mailings worker: starts scheduled mailings when their time comes and queues each
//! sending mailing's messages into the outbox in batches, one transaction per batch. A
//! batch holds the mailing's row lock (taken with `SKIP LOCKED`: another worker moves on
//! to other work) and writes a `mailing_recipients` row beside each message, whose primary
//! key makes a second copy for the same supporter impossible, through crashes and however
//! many workers run. Each queued message is a small outbox row with no address and no
//! text: the sender has `compose.rs` write it when it goes. Delivery is the outbox's, from
//! the `mailings` claim source `startup` places after supporters' confirmations and
//! receipts.
//!
//! Queueing keeps only `AHEAD` messages ahead of the senders, so that the outbox does not
//! hold a million rows for a mailing to a million supporters, and a pause or a cancel
//! has little to hold back or drop. (It did not make the 100,000-recipient mailing of
//! bench/mail_priority.py faster: that one is queued within its first 40 s either way.)

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::audience;
use super::store::{self, MailingStatus};
use crate::clock::Clock;
use crate::crypto::DataKeys;
use crate::db::Pool;
use crate::db::schema::mailings;
use crate::outbox::{self, Kind, Unwritten};

const TICK: StdDuration = StdDuration::from_secs(5);
/// How soon the worker looks again while a mailing waits for the senders to catch up.
const FOLLOW: StdDuration = StdDuration::from_millis(100);
/// Messages queued per transaction, at most.
const BATCH: i64 = 200;
/// Mailing messages due and unsent in the outbox, at most: at the senders' 4,000 msg/s,
/// half a second's work. Queueing waits until fewer than a quarter of them are left,
/// looking every `FOLLOW`, and then fills up again.
const AHEAD: i64 = 2_000;

pub struct Mailer {
    pool: Pool,
    clock: Arc<dyn Clock>,
    /// Only for the key id of the rows it queues; it encrypts nothing.
    keys: Arc<DataKeys>,
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
    pub fn new(pool: Pool, clock: Arc<dyn Clock>, keys: Arc<DataKeys>) -> Self {
        Mailer { pool, clock, keys, ahead: AHEAD, queued_through: Mutex::default() }
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
                let Some((n, last)) = fill_batch(&mut conn, &self.keys, id, start, limit, now).await? else {
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
    keys: &DataKeys,
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
        let supporters = audience::next_batch(conn, &mailing, after, limit).await?;
        let Some(&last) = supporters.last() else {
            diesel::update(mailings::table.find(id))
                .set(mailings::queued_all_at.eq(now))
                .execute(conn)
                .await?;
            tracing::info!(mailing = %id, "mailing: everyone queued");
            return Ok(None);
        };
        let outbox_ids: Vec<Uuid> = supporters.iter().map(|_| crate::ids::new_id()).collect();
        let fresh = add_recipients(conn, id, &supporters, &outbox_ids, now).await?;
        let pairs = fresh.iter().map(|row| (row.outbox_id, row.signature_id));
        let rows = Unwritten::new(Kind::Mailing, mailing.campaign_id, pairs);
        let queued = outbox::enqueue_unwritten(conn, keys, &rows, now).await?;
        Ok(Some((queued, last)))
    })
    .await
}

#[derive(QueryableByName)]
struct Fresh {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    signature_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    outbox_id: Uuid,
}

/// Writes a `mailing_recipients` row for each supporter, with the outbox row their message
/// will have (`outbox_ids[i]` for `signature_ids[i]`); returns the rows that were new: a
/// supporter queued already (by another worker, or before a crash) keeps their first row.
/// One statement of the same text for any number of rows, as `outbox::enqueue_unwritten`.
async fn add_recipients(
    conn: &mut AsyncPgConnection,
    mailing_id: Uuid,
    signature_ids: &[Uuid],
    outbox_ids: &[Uuid],
    now: DateTime<Utc>,
) -> QueryResult<Vec<Fresh>> {
    use diesel::sql_types::{Array, Timestamptz, Uuid as SqlUuid};
    diesel::sql_query(
        "insert into mailing_recipients (mailing_id, signature_id, outbox_id, queued_at) \
         select $1, r.signature_id, r.outbox_id, $4 \
         from unnest($2::uuid[], $3::uuid[]) as r(signature_id, outbox_id) \
         on conflict do nothing \
         returning signature_id, outbox_id",
    )
    .bind::<SqlUuid, _>(mailing_id)
    .bind::<Array<SqlUuid>, _>(signature_ids)
    .bind::<Array<SqlUuid>, _>(outbox_ids)
    .bind::<Timestamptz, _>(now)
    .load(conn)
    .await
}
