//! The sender: claims due outbox rows from its claim sources (`claim.rs`), has the rows
//! queued unwritten written by their kind's composer (`hooks.rs`), and delivers them on one
//! or more SMTP connections (lanes), each claiming batches sized to its server's pace
//! (`batch_size.rs`); the recorder (`recorder.rs`) writes the results. Runs
//! inside `serve` and `worker`; any number of senders may run against one database.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::Duration;
use lettre::address::Envelope;
use tokio::sync::{Notify, mpsc};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::batch_size::{self, BatchSize};
use super::claim::{Claim, ClaimSource, claim_from};
use super::hooks::{Composer, FixedReturnPath, Refusals, ReturnPath};
use super::recorder::{self, Attempt, Recorder};
use super::store::{self, OutboxRow};
use super::transport::{Connection, Delivery, Transport};
use crate::clock::Clock;
use crate::crypto::DataKeys;
use crate::db::Pool;
use crate::metrics::Metrics;

/// Longer than any single send can take (the send timeout is 60 s), so a lease only
/// expires when its worker is gone. `RALLYPOST_OUTBOX_LEASE_SECS` overrides it (fault tests).
const LEASE: Duration = Duration::minutes(5);
/// How long an idle lane waits for a wake-up before it looks again; `with_poll` (the
/// `RALLYPOST_OUTBOX_POLL_MS` setting) changes it.
const IDLE_POLL: StdDuration = StdDuration::from_millis(500);

pub struct Sender {
    pool: Pool,
    /// In order of priority; see `claim.rs`.
    sources: Vec<Box<dyn ClaimSource>>,
    clock: Arc<dyn Clock>,
    transport: Transport,
    return_path: Arc<dyn ReturnPath>,
    refusals: Option<Arc<dyn Refusals>>,
    composers: Vec<Arc<dyn Composer>>,
    wake: Arc<Notify>,
    lanes: usize,
    keys: Arc<DataKeys>,
    metrics: Arc<Metrics>,
    lease: Duration,
    poll: StdDuration,
}

impl Sender {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        pool: Pool,
        sources: Vec<Box<dyn ClaimSource>>,
        clock: Arc<dyn Clock>,
        transport: Transport,
        envelope_from: lettre::Address,
        wake: Arc<Notify>,
        lanes: usize,
        keys: Arc<DataKeys>,
    ) -> Self {
        Sender {
            pool,
            sources,
            clock,
            transport,
            return_path: Arc::new(FixedReturnPath(envelope_from)),
            refusals: None,
            composers: Vec::new(),
            wake,
            lanes: lanes.max(1),
            keys,
            metrics: Default::default(),
            lease: LEASE,
            poll: IDLE_POLL,
        }
    }

    /// Counts delivery results into `metrics` (shared with `/metrics` in `serve`).
    pub fn with_metrics(mut self, metrics: Arc<Metrics>) -> Self {
        self.metrics = metrics;
        self
    }

    /// Sends each message with the envelope sender `return_path` chooses for it, instead of
    /// the one given to `new`.
    pub fn with_return_path(mut self, return_path: Arc<dyn ReturnPath>) -> Self {
        self.return_path = return_path;
        self
    }

    /// Tells `refusals` about every message a server refuses for good.
    pub fn with_refusals(mut self, refusals: Arc<dyn Refusals>) -> Self {
        self.refusals = Some(refusals);
        self
    }

    /// Has `composer` write the messages of its kind that were queued unwritten.
    pub fn with_composer(mut self, composer: Arc<dyn Composer>) -> Self {
        self.composers.push(composer);
        self
    }

    /// Holds claimed rows for `lease` instead of the default five minutes.
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// Looks at the outbox every `poll` when nothing wakes it, instead of every 0.5 s.
    pub fn with_poll(mut self, poll: StdDuration) -> Self {
        self.poll = poll;
        self
    }

    /// Sends until `shutdown` is cancelled; rows claimed but not yet sent are handed back,
    /// and the results of those sent are recorded before this returns.
    pub async fn run(self: Arc<Self>, shutdown: CancellationToken) {
        tracing::info!(transport = %self.transport.describe(), lanes = self.lanes, "mail sender started");
        let (results, attempts) = mpsc::channel(recorder::QUEUE);
        let lanes: Vec<_> = (0..self.lanes)
            .map(|_| {
                let sender = Arc::clone(&self);
                let (shutdown, results) = (shutdown.clone(), results.clone());
                tokio::spawn(async move { sender.lane(&results, shutdown).await })
            })
            .collect();
        drop(results);
        let lanes = async {
            for lane in lanes {
                let _ = lane.await;
            }
        };
        let recorder = self.recorder();
        tokio::join!(recorder.run(attempts), lanes);
        tracing::info!("mail sender stopped");
    }

    fn recorder(&self) -> Recorder<'_> {
        Recorder {
            pool: &self.pool,
            clock: self.clock.as_ref(),
            metrics: &self.metrics,
            refusals: self.refusals.as_deref(),
        }
    }

    async fn lane(&self, results: &mpsc::Sender<Attempt>, shutdown: CancellationToken) {
        let mut conn = self.transport.connection();
        let mut size = BatchSize::new();
        while !shutdown.is_cancelled() {
            let started = std::time::Instant::now();
            match self.send_batch(&mut conn, results, &shutdown, size.next()).await {
                Ok(0) => {
                    tokio::select! {
                        _ = tokio::time::sleep(self.poll) => {}
                        _ = self.wake.notified() => {}
                        _ = shutdown.cancelled() => {}
                    }
                }
                Ok(sent) => size.sent(sent, started.elapsed()),
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

    /// Sends everything due now, on one connection, and returns how many rows it handled
    /// once their results are recorded. For commands and tests that want the queue empty
    /// before they go on.
    pub async fn send_due(&self) -> anyhow::Result<usize> {
        let (results, attempts) = mpsc::channel(recorder::QUEUE);
        let send = async move {
            let mut conn = self.transport.connection();
            let never = CancellationToken::new();
            let mut total = 0;
            let outcome = loop {
                match self.send_batch(&mut conn, &results, &never, batch_size::MAX).await {
                    Ok(0) => break Ok(total),
                    Ok(handled) => total += handled,
                    Err(e) => break Err(e),
                }
            };
            conn.close().await;
            outcome
        };
        let recorder = self.recorder();
        let (lost, total) = tokio::join!(recorder.run(attempts), send);
        anyhow::ensure!(lost == 0, "{lost} delivery results could not be recorded");
        total
    }

    async fn send_batch(
        &self,
        conn: &mut Connection<'_>,
        results: &mpsc::Sender<Attempt>,
        shutdown: &CancellationToken,
        limit: i64,
    ) -> anyhow::Result<usize> {
        let rows = {
            let mut db = self.pool.get().await?;
            let claim = Claim { now: self.clock.now(), lease: self.lease, limit };
            claim_from(&self.sources, &mut db, claim).await?
        };
        let count = rows.len();
        let mut written = self.write_unwritten(&rows).await;
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
            let opened = match written.remove(&row.id) {
                Some(composed) => composed,
                None => row.open(&self.keys).map_err(|e| Delivery::Permanent(format!("{e:#}"))),
            };
            let delivery = match opened {
                Ok((recipient, message)) => self.deliver(conn, row.id, &recipient, &message).await,
                Err(outcome) => outcome,
            };
            let attempt = Attempt { id: row.id, kind: row.kind, attempts: row.attempts, delivery };
            results.send(attempt).await.map_err(|_| anyhow::anyhow!("the outbox recorder stopped"))?;
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

    /// The recipient and message of each claimed row queued without them, from its kind's
    /// composer, in one call per kind; or what becomes of the row instead: marked failed if
    /// the composer has nothing for it, tried again later if the composer failed.
    async fn write_unwritten(
        &self,
        rows: &[OutboxRow],
    ) -> HashMap<Uuid, Result<(String, Vec<u8>), Delivery>> {
        let mut written = HashMap::new();
        for composer in &self.composers {
            let ids: Vec<Uuid> = rows
                .iter()
                .filter(|r| r.kind == composer.kind() && r.message.is_none())
                .map(|r| r.id)
                .collect();
            if ids.is_empty() {
                continue;
            }
            let composed = match self.pool.get().await {
                Ok(mut db) => composer.compose(&mut db, &ids).await,
                Err(e) => Err(e.into()),
            };
            match composed {
                Ok(mut composed) => {
                    for id in ids {
                        let outcome =
                            composed.remove(&id).map(|c| (c.recipient, c.message)).ok_or_else(|| {
                                Delivery::Permanent(
                                    "nothing to send: its recipient or its sender is gone".into(),
                                )
                            });
                        written.insert(id, outcome);
                    }
                }
                Err(e) => {
                    let reply = format!("writing the message failed: {e:#}");
                    for id in ids {
                        written.insert(id, Err(Delivery::Transient(reply.clone())));
                    }
                }
            }
        }
        written
    }

    async fn deliver(
        &self,
        conn: &mut Connection<'_>,
        id: Uuid,
        recipient: &str,
        message: &[u8],
    ) -> Delivery {
        let Ok(to) = recipient.parse::<lettre::Address>() else {
            return Delivery::Permanent("invalid recipient address".into());
        };
        let envelope = match Envelope::new(Some(self.return_path.for_message(id)), vec![to]) {
            Ok(envelope) => envelope,
            Err(e) => return Delivery::Permanent(e.to_string()),
        };
        conn.deliver(&id.to_string(), &envelope, message).await
    }
}
