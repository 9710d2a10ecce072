//! Recording what became of each send, many results per transaction. With `fsync` on,
//! every commit waits for a WAL flush; committing each result on its own capped a sender
//! near the disk's commit rate (about 200 messages a second here, issue 7). The lanes hand
//! their results to one recorder, which commits whatever arrived within `FLUSH_AFTER` of
//! the first, while the lanes go on sending.
//!
//! A result not yet committed is the only way a message can go out twice: its row is still
//! leased, so if the process dies now the row is sent again when the lease runs out. The
//! short `FLUSH_AFTER` keeps that window near what it was with one commit per message.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use tokio::sync::mpsc;
use tokio::time::Instant;
use uuid::Uuid;

use super::hooks::Refusals;
use super::status::Kind;
use super::store;
use super::transport::Delivery;
use crate::clock::Clock;
use crate::db::Pool;
use crate::metrics::{Metrics, SendResult};

/// How long the first result of a group may wait for others before the group is committed.
const FLUSH_AFTER: StdDuration = StdDuration::from_millis(20);
/// The most results in one transaction.
const FLUSH_MAX: usize = 512;
/// Lanes wait when this many results are queued (the database is slow or away).
pub(super) const QUEUE: usize = 4 * FLUSH_MAX;
/// With the backoff below, about two days of trying before a row is marked failed.
const MAX_ATTEMPTS: i32 = 12;

/// One delivery attempt, as a lane hands it over.
pub(super) struct Attempt {
    pub id: Uuid,
    pub kind: Kind,
    /// Attempts so far, this one included.
    pub attempts: i32,
    pub delivery: Delivery,
}

pub(super) struct Recorder<'a> {
    pub pool: &'a Pool,
    pub clock: &'a dyn Clock,
    pub metrics: &'a Metrics,
    pub refusals: Option<&'a dyn Refusals>,
}

impl Recorder<'_> {
    /// Records attempts until every lane has dropped its end of the channel, so that at
    /// shutdown whatever was sent is marked before the process leaves. Returns how many
    /// results could not be recorded.
    pub async fn run(&self, mut attempts: mpsc::Receiver<Attempt>) -> usize {
        let mut lost = 0;
        let mut group = Vec::with_capacity(FLUSH_MAX);
        while let Some(first) = attempts.recv().await {
            group.push(first);
            let deadline = Instant::now() + FLUSH_AFTER;
            while group.len() < FLUSH_MAX {
                match tokio::time::timeout_at(deadline, attempts.recv()).await {
                    Ok(Some(attempt)) => group.push(attempt),
                    Ok(None) | Err(_) => break,
                }
            }
            if !self.record(&group).await {
                lost += group.len();
            }
            group.clear();
        }
        lost
    }

    /// Writes a group's outcomes, insisting for a while if the database is briefly away: a
    /// sent message left unmarked would be sent again when its lease expires. False if it
    /// gave up.
    async fn record(&self, group: &[Attempt]) -> bool {
        let mut wait = StdDuration::from_millis(100);
        loop {
            match self.try_record(group).await {
                Ok(()) => break,
                Err(e) if wait < StdDuration::from_secs(20) => {
                    tracing::warn!(error = %format!("{e:#}"), "outbox: recording results failed; retrying");
                    tokio::time::sleep(wait).await;
                    wait *= 2;
                }
                Err(e) => {
                    tracing::error!(
                        error = %format!("{e:#}"),
                        results = group.len(),
                        "outbox: could not record results; those rows go out again when their lease ends"
                    );
                    return false;
                }
            }
        }
        for attempt in group {
            self.metrics.observe_send(match &attempt.delivery {
                Delivery::Accepted => SendResult::Accepted,
                Delivery::Transient(_) if attempt.attempts < MAX_ATTEMPTS => SendResult::Retried,
                Delivery::Transient(_) | Delivery::Refused(_) | Delivery::Permanent(_) => SendResult::Failed,
            });
        }
        true
    }

    async fn try_record(&self, group: &[Attempt]) -> anyhow::Result<()> {
        let mut db = self.pool.get().await?;
        let now = self.clock.now();
        let refusals = self.refusals;
        db.transaction(async |db| write(db, group, now, refusals).await).await?;
        Ok(())
    }
}

/// Sent rows in one statement per kind of row; the rare failures one by one.
async fn write(
    db: &mut AsyncPgConnection,
    group: &[Attempt],
    now: DateTime<Utc>,
    refusals: Option<&dyn Refusals>,
) -> anyhow::Result<()> {
    let sent: Vec<(Uuid, Kind)> =
        group.iter().filter(|a| a.delivery == Delivery::Accepted).map(|a| (a.id, a.kind)).collect();
    store::mark_sent(db, &sent, now).await?;
    for attempt in group {
        let (id, kind) = (attempt.id, attempt.kind.as_str());
        match &attempt.delivery {
            // Operators (and faults/scale_out.py) tell which process sent what by this line.
            Delivery::Accepted => tracing::debug!(%id, kind, "outbox: accepted"),
            Delivery::Refused(reply) => {
                // The reply often quotes the address; it stays in the row, out of the log.
                tracing::warn!(%id, kind, "outbox: refused for good by the server");
                store::mark_failed(db, id, attempt.kind, reply).await?;
                if let Some(refusals) = refusals {
                    // A savepoint: what the hook wrote goes if it fails, the mark stays.
                    let told = db.transaction(async |db| refusals.refused(db, id, reply).await).await;
                    if let Err(e) = told {
                        tracing::warn!(%id, error = %format!("{e:#}"), "outbox: recording the refusal failed");
                    }
                }
            }
            Delivery::Permanent(reply) => {
                tracing::warn!(%id, kind, %reply, "outbox: refused for good");
                store::mark_failed(db, id, attempt.kind, reply).await?;
            }
            Delivery::Transient(reply) if attempt.attempts >= MAX_ATTEMPTS => {
                tracing::warn!(%id, kind, %reply, "outbox: giving up");
                let reply = format!("gave up after {} attempts: {reply}", attempt.attempts);
                store::mark_failed(db, id, attempt.kind, &reply).await?;
            }
            Delivery::Transient(reply) => {
                let next = now + backoff(attempt.attempts);
                tracing::info!(%id, kind, %reply, %next, "outbox: will retry");
                store::mark_retry(db, id, next, reply).await?;
            }
        }
    }
    Ok(())
}

/// 15 s, 30 s, 1 min, ... doubling up to 6 hours, with up to 20% jitter so that a crowd
/// of failed rows does not return all at once.
pub fn backoff(attempts: i32) -> chrono::Duration {
    let exp = attempts.clamp(1, 16) as u32 - 1;
    let base = (15i64 << exp).min(6 * 3600);
    let jitter = rand::random_range(0..=base / 5);
    chrono::Duration::seconds(base + jitter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert!((15..=18).contains(&backoff(1).num_seconds()));
        assert!((30..=36).contains(&backoff(2).num_seconds()));
        assert!((21600..=25920).contains(&backoff(15).num_seconds()));
    }
}
