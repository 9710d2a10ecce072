//! The sender: claims due outbox rows, delivers them, records each result. Runs inside
//! `serve` and `worker`; any number of senders may run against one database.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::Duration;
use lettre::address::Envelope;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::store::{self, OutboxRow};
use super::transport::{Connection, Delivery, Transport};
use crate::clock::Clock;
use crate::crypto::DataKeys;
use crate::db::Pool;
use crate::metrics::{Metrics, SendResult};

/// Longer than any single send can take (the send timeout is 60 s), so a lease only
/// expires when its worker is gone. `RALLYPOST_OUTBOX_LEASE_SECS` overrides it (fault tests).
const LEASE: Duration = Duration::minutes(5);
const BATCH: i64 = 32;
/// With the backoff below, about two days of trying before a row is marked failed.
const MAX_ATTEMPTS: i32 = 12;
const IDLE_POLL: StdDuration = StdDuration::from_millis(500);

pub struct Sender {
    pool: Pool,
    clock: Arc<dyn Clock>,
    transport: Transport,
    envelope_from: lettre::Address,
    wake: Arc<Notify>,
    lanes: usize,
    keys: Arc<DataKeys>,
    metrics: Arc<Metrics>,
    lease: Duration,
}

impl Sender {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        pool: Pool,
        clock: Arc<dyn Clock>,
        transport: Transport,
        envelope_from: lettre::Address,
        wake: Arc<Notify>,
        lanes: usize,
        keys: Arc<DataKeys>,
    ) -> Self {
        Sender {
            pool,
            clock,
            transport,
            envelope_from,
            wake,
            lanes: lanes.max(1),
            keys,
            metrics: Default::default(),
            lease: LEASE,
        }
    }

    /// Counts delivery results into `metrics` (shared with `/metrics` in `serve`).
    pub fn with_metrics(mut self, metrics: Arc<Metrics>) -> Self {
        self.metrics = metrics;
        self
    }

    /// Holds claimed rows for `lease` instead of the default five minutes.
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// Sends until `shutdown` is cancelled; rows claimed but not yet sent are handed back.
    pub async fn run(self: Arc<Self>, shutdown: CancellationToken) {
        tracing::info!(transport = %self.transport.describe(), lanes = self.lanes, "mail sender started");
        let lanes: Vec<_> = (0..self.lanes)
            .map(|_| {
                let sender = Arc::clone(&self);
                let shutdown = shutdown.clone();
                tokio::spawn(async move { sender.lane(shutdown).await })
            })
            .collect();
        for lane in lanes {
            let _ = lane.await;
        }
        tracing::info!("mail sender stopped");
    }

    async fn lane(&self, shutdown: CancellationToken) {
        let mut conn = self.transport.connection();
        while !shutdown.is_cancelled() {
            match self.send_batch(&mut conn, &shutdown).await {
                Ok(0) => {
                    tokio::select! {
                        _ = tokio::time::sleep(IDLE_POLL) => {}
                        _ = self.wake.notified() => {}
                        _ = shutdown.cancelled() => {}
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %format!("{e:#}"), "outbox: cannot reach the database; retrying");
                    tokio::select! {
                        _ = tokio::time::sleep(StdDuration::from_secs(1)) => {}
                        _ = shutdown.cancelled() => {}
                    }
                }
            }
        }
        conn.close().await;
    }

    /// Sends everything due now, on one connection, and returns how many rows it handled.
    /// For commands and tests that want the queue empty before they go on.
    pub async fn send_due(&self) -> anyhow::Result<usize> {
        let mut conn = self.transport.connection();
        let never = CancellationToken::new();
        let mut total = 0;
        loop {
            let handled = self.send_batch(&mut conn, &never).await?;
            if handled == 0 {
                break;
            }
            total += handled;
        }
        conn.close().await;
        Ok(total)
    }

    async fn send_batch(
        &self,
        conn: &mut Connection<'_>,
        shutdown: &CancellationToken,
    ) -> anyhow::Result<usize> {
        let rows = {
            let mut db = self.pool.get().await?;
            let now = self.clock.now();
            let mut rows = store::claim(&mut db, now, self.lease, BATCH).await?;
            match crate::letters::claim_paced(&mut db, now, self.lease).await {
                Ok(letters) => rows.extend(letters),
                // The rows claimed above are leased already: send them rather than leave
                // them stuck until the lease expires.
                Err(e) if !rows.is_empty() => {
                    tracing::warn!(error = %format!("{e:#}"), "outbox: claiming letters failed")
                }
                Err(e) => return Err(e),
            }
            rows
        };
        let count = rows.len();
        for (i, row) in rows.iter().enumerate() {
            if shutdown.is_cancelled() {
                let rest: Vec<_> = rows[i..].iter().map(|r| r.id).collect();
                let mut db = self.pool.get().await?;
                store::release(&mut db, &rest).await?;
                break;
            }
            if !self.still_ours(row).await? {
                tracing::warn!(id = %row.id, kind = %row.kind, "outbox: lease ran out mid-batch; another worker has it");
                continue;
            }
            let delivery = self.deliver(conn, row).await;
            self.record(row, delivery).await?;
        }
        Ok(count)
    }

    /// A batch is sent one message after another, so a slow server can outlast the lease
    /// taken at claim time. Once half of it has passed, renew it before each send, and skip
    /// a row another worker has claimed since: it is theirs to send, and sending it here too
    /// would double it. A single send (at most 60 s) stays well inside half a lease.
    async fn still_ours(&self, row: &OutboxRow) -> anyhow::Result<bool> {
        let now = self.clock.now();
        let Some(until) = row.locked_until else { return Ok(true) };
        if until - now > self.lease / 2 {
            return Ok(true);
        }
        let mut db = self.pool.get().await?;
        Ok(store::renew(&mut db, row, now + self.lease).await?)
    }

    async fn deliver(&self, conn: &mut Connection<'_>, row: &OutboxRow) -> Delivery {
        let (recipient, message) = match row.open(&self.keys) {
            Ok(opened) => opened,
            Err(e) => return Delivery::Permanent(format!("{e:#}")),
        };
        let Ok(to) = recipient.parse::<lettre::Address>() else {
            return Delivery::Permanent("invalid recipient address".into());
        };
        let envelope = match Envelope::new(Some(self.envelope_from.clone()), vec![to]) {
            Ok(envelope) => envelope,
            Err(e) => return Delivery::Permanent(e.to_string()),
        };
        conn.deliver(&row.id.to_string(), &envelope, &message).await
    }

    /// Writes the outcome, insisting for a while if the database is briefly away: a sent
    /// message left unmarked would be sent again when its lease expires.
    async fn record(&self, row: &OutboxRow, delivery: Delivery) -> anyhow::Result<()> {
        let mut wait = StdDuration::from_millis(100);
        loop {
            match self.try_record(row, &delivery).await {
                Ok(()) => return Ok(()),
                Err(e) if wait < StdDuration::from_secs(20) => {
                    tracing::warn!(error = %format!("{e:#}"), "outbox: recording a result failed; retrying");
                    tokio::time::sleep(wait).await;
                    wait *= 2;
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn try_record(&self, row: &OutboxRow, delivery: &Delivery) -> anyhow::Result<()> {
        let mut db = self.pool.get().await?;
        let now = self.clock.now();
        match delivery {
            Delivery::Accepted => {
                tracing::debug!(id = %row.id, kind = %row.kind, "outbox: accepted");
                store::mark_sent(&mut db, row, now).await?;
                self.metrics.observe_send(SendResult::Accepted);
            }
            Delivery::Permanent(reply) => {
                tracing::warn!(id = %row.id, kind = %row.kind, %reply, "outbox: refused for good");
                store::mark_failed(&mut db, row, reply).await?;
                self.metrics.observe_send(SendResult::Failed);
            }
            Delivery::Transient(reply) if row.attempts >= MAX_ATTEMPTS => {
                tracing::warn!(id = %row.id, kind = %row.kind, %reply, "outbox: giving up");
                let reply = format!("gave up after {} attempts: {reply}", row.attempts);
                store::mark_failed(&mut db, row, &reply).await?;
                self.metrics.observe_send(SendResult::Failed);
            }
            Delivery::Transient(reply) => {
                let next = now + backoff(row.attempts);
                tracing::info!(id = %row.id, kind = %row.kind, %reply, %next, "outbox: will retry");
                store::mark_retry(&mut db, row.id, next, reply).await?;
                self.metrics.observe_send(SendResult::Retried);
            }
        }
        Ok(())
    }
}

/// 15 s, 30 s, 1 min, ... doubling up to 6 hours, with up to 20% jitter so that a crowd
/// of failed rows does not return all at once.
pub fn backoff(attempts: i32) -> Duration {
    let exp = attempts.clamp(1, 16) as u32 - 1;
    let base = (15i64 << exp).min(6 * 3600);
    let jitter = rand::random_range(0..=base / 5);
    Duration::seconds(base + jitter)
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
