//! The deliverer: claims webhook rows from the outbox (with the claim source `startup`
//! gives it, under the outbox's own claim rule and lease), posts each to its receiver,
//! signed, and records what became of a batch in one transaction.
//!
//! At least once: a row is marked delivered only after a `2xx`; anything else (another
//! status, a refused connection, no answer within `TIMEOUT`) is tried again after
//! `backoff`, for `GIVE_UP_AFTER`, then marked failed. Every attempt carries the row's id
//! as `webhook-id`, so a receiver can tell a repeat from a new event.
//!
//! Only to the addresses `AddressPolicy` allows, checked here at each attempt and not only
//! when the receiver was added: a name is resolved by `PublicOnly`, which drops forbidden
//! answers (DNS rebinding), an IP literal is checked before the request, redirects are not
//! followed (a `30x` to 169.254.169.254 is just a failed attempt), and no proxy from the
//! environment is used (it would resolve the name itself). A refused attempt is retried
//! like any other failure, with the reason on the row.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use futures_util::StreamExt;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::address::{AddressPolicy, PublicOnly};
use super::receivers;
use super::secret::SigningSecret;
use crate::clock::Clock;
use crate::crypto::DataKeys;
use crate::db::Pool;
use crate::outbox::{self, Claim, ClaimSource, Kind, OutboxRow};

/// A receiver that has not answered by then is tried again later.
pub const TIMEOUT: StdDuration = StdDuration::from_secs(10);
/// How long a webhook is retried before it is marked failed.
pub const GIVE_UP_AFTER: Duration = Duration::days(3);
/// Rows claimed at once, and posted at once (to any receivers).
const BATCH: i64 = 64;
const IN_FLIGHT: usize = 16;
const IDLE_POLL: StdDuration = StdDuration::from_millis(500);
/// Covers a batch: `BATCH / IN_FLIGHT` rounds of at most `TIMEOUT` each, with room.
const LEASE: Duration = Duration::minutes(5);

/// 30 s, 1 min, 2 min, ... doubling up to an hour, with up to 10% jitter so that the
/// webhooks of a receiver that was down do not all return at once.
pub fn backoff(attempts: i32) -> Duration {
    let exp = attempts.clamp(1, 12) as u32 - 1;
    let base = (30i64 << exp).min(3600);
    Duration::seconds(base + rand::random_range(0..=base / 10))
}

/// What became of one attempt.
#[derive(Debug, PartialEq, Eq)]
enum Attempt {
    Delivered,
    /// Worth trying again: the reason is kept on the row.
    Retry(String),
    /// Never deliverable: the receiver was removed.
    Failed(String),
}

pub struct Deliverer {
    pool: Pool,
    source: Box<dyn ClaimSource>,
    clock: Arc<dyn Clock>,
    keys: Arc<DataKeys>,
    http: reqwest::Client,
    addresses: AddressPolicy,
    lease: Duration,
}

impl Deliverer {
    pub fn new(
        pool: Pool,
        source: Box<dyn ClaimSource>,
        clock: Arc<dyn Clock>,
        keys: Arc<DataKeys>,
        addresses: AddressPolicy,
    ) -> anyhow::Result<Deliverer> {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            // A redirect is not a 2xx: the receiver's owner should fix the URL. Nor is it
            // followed, so it cannot lead to an address the checks would refuse.
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .user_agent(concat!("rallypost-webhooks/", env!("CARGO_PKG_VERSION")));
        let http = match addresses {
            AddressPolicy::PublicOnly => http.dns_resolver(Arc::new(PublicOnly)),
            AddressPolicy::AllowPrivate => http,
        };
        Ok(Deliverer { pool, source, clock, keys, http: http.build()?, addresses, lease: LEASE })
    }

    /// Holds claimed rows for `lease` instead of the default five minutes.
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// Delivers until `shutdown` is cancelled. Rows in flight then are handed back and go
    /// again later (at least once).
    pub async fn run(self: Arc<Self>, shutdown: CancellationToken) {
        tracing::info!("webhook deliverer started");
        while !shutdown.is_cancelled() {
            match self.deliver_batch(&shutdown).await {
                Ok(0) => {
                    tokio::select! {
                        _ = tokio::time::sleep(IDLE_POLL) => {}
                        _ = shutdown.cancelled() => {}
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %format!("{e:#}"), "webhooks: cannot reach the database; retrying");
                    tokio::select! {
                        _ = tokio::time::sleep(StdDuration::from_secs(1)) => {}
                        _ = shutdown.cancelled() => {}
                    }
                }
            }
        }
        tracing::info!("webhook deliverer stopped");
    }

    /// Delivers everything due now and returns how many rows it handled, their results
    /// recorded. For commands, tests and benchmarks that want the queue empty.
    pub async fn deliver_due(&self) -> anyhow::Result<usize> {
        let never = CancellationToken::new();
        let mut total = 0;
        loop {
            match self.deliver_batch(&never).await? {
                0 => return Ok(total),
                n => total += n,
            }
        }
    }

    async fn deliver_batch(&self, shutdown: &CancellationToken) -> anyhow::Result<usize> {
        let rows = {
            let mut db = self.pool.get().await?;
            let claim = Claim { now: self.clock.now(), lease: self.lease, limit: BATCH };
            self.source.claim(&mut db, claim).await?
        };
        if rows.is_empty() {
            return Ok(0);
        }
        let opened = self.open(&rows).await?;
        // Made before they go into the stream: a closure there trips the compiler's
        // lifetime inference once the future is spawned.
        let posts: Vec<_> = opened.into_iter().map(|(row, outgoing)| self.attempt(row, outgoing)).collect();
        let posts = futures_util::stream::iter(posts).buffer_unordered(IN_FLIGHT).collect::<Vec<_>>();
        let results = tokio::select! {
            results = posts => results,
            _ = shutdown.cancelled() => {
                let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
                outbox::release(&mut *self.pool.get().await?, &ids).await?;
                return Ok(0);
            }
        };
        let now = self.clock.now();
        let mut db = self.pool.get().await?;
        db.transaction(async |db| record(db, &results, now).await).await?;
        Ok(rows.len())
    }

    /// Each row's body with its receiver's URL and secret (read once per receiver), or the
    /// result to record for it instead: failed for good if its receiver was removed; tried
    /// again later if it cannot be read (a data key missing from the settings, say), so
    /// that one unreadable receiver holds up neither the batch nor the others.
    async fn open<'r>(
        &self,
        rows: &'r [OutboxRow],
    ) -> anyhow::Result<Vec<(&'r OutboxRow, Result<Outgoing, Attempt>)>> {
        let mut db = self.pool.get().await?;
        let mut receivers: HashMap<String, Result<Option<(String, SigningSecret)>, String>> = HashMap::new();
        let mut opened = Vec::with_capacity(rows.len());
        for row in rows {
            // The recipient of a webhook row is its receiver's id.
            let (receiver, body) = match row.open(&self.keys) {
                Ok(opened) => opened,
                Err(e) => {
                    opened.push((row, Err(Attempt::Retry(format!("{e:#}")))));
                    continue;
                }
            };
            if !receivers.contains_key(&receiver) {
                let found = match receiver.parse::<Uuid>() {
                    Ok(id) => receivers::open(&mut db, &self.keys, id).await.map_err(|e| format!("{e:#}")),
                    Err(_) => Ok(None),
                };
                receivers.insert(receiver.clone(), found);
            }
            let outgoing = match &receivers[&receiver] {
                Ok(Some((url, secret))) => Ok(Outgoing { url: url.clone(), secret: secret.clone(), body }),
                Ok(None) => Err(Attempt::Failed("the receiver was removed".to_owned())),
                Err(reason) => Err(Attempt::Retry(reason.clone())),
            };
            opened.push((row, outgoing));
        }
        Ok(opened)
    }

    async fn attempt<'r>(
        &self,
        row: &'r OutboxRow,
        outgoing: Result<Outgoing, Attempt>,
    ) -> (&'r OutboxRow, Attempt) {
        match outgoing {
            Ok(outgoing) => (row, self.post(row, outgoing).await),
            Err(instead) => (row, instead),
        }
    }

    async fn post(&self, row: &OutboxRow, outgoing: Outgoing) -> Attempt {
        // The resolver never sees an IP literal: it is checked here, before connecting.
        let literal = url::Url::parse(&outgoing.url)
            .map_err(|e| e.to_string())
            .and_then(|url| self.addresses.check_literal(&url).map_err(|refused| refused.to_string()));
        if let Err(reason) = literal {
            return Attempt::Retry(reason);
        }
        let id = row.id.to_string();
        let timestamp = self.clock.now().timestamp();
        let sent = self
            .http
            .post(&outgoing.url)
            .header("content-type", "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", outgoing.secret.sign(&id, timestamp, &outgoing.body))
            .body(outgoing.body)
            .send()
            .await;
        match sent {
            Ok(response) if response.status().is_success() => Attempt::Delivered,
            Ok(response) => Attempt::Retry(format!("the receiver answered {}", response.status())),
            Err(e) if e.is_timeout() => {
                Attempt::Retry(format!("the receiver did not answer within {} s", TIMEOUT.as_secs()))
            }
            // The URL is the receiver's business; it may hold a token of theirs.
            Err(e) => Attempt::Retry(format!("{:#}", anyhow::Error::from(e.without_url()))),
        }
    }
}

/// One webhook ready to post.
struct Outgoing {
    url: String,
    secret: SigningSecret,
    body: Vec<u8>,
}

/// Delivered rows in one statement, the rest one by one.
async fn record(
    db: &mut AsyncPgConnection,
    results: &[(&OutboxRow, Attempt)],
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let delivered: Vec<(Uuid, Kind)> =
        results.iter().filter(|(_, a)| *a == Attempt::Delivered).map(|(row, _)| (row.id, row.kind)).collect();
    outbox::mark_sent(db, &delivered, now).await?;
    for (row, attempt) in results {
        match attempt {
            Attempt::Delivered => tracing::debug!(id = %row.id, "webhook delivered"),
            Attempt::Failed(reason) => {
                tracing::warn!(id = %row.id, %reason, "webhook failed");
                outbox::mark_failed(db, row.id, row.kind, reason).await?;
            }
            Attempt::Retry(reason) if now - row.created_at >= GIVE_UP_AFTER => {
                tracing::warn!(id = %row.id, %reason, "webhook: giving up");
                let reason = format!("gave up after {} attempts in 3 days: {reason}", row.attempts);
                outbox::mark_failed(db, row.id, row.kind, &reason).await?;
            }
            Attempt::Retry(reason) => {
                let next = now + backoff(row.attempts);
                tracing::info!(id = %row.id, %reason, %next, "webhook: will retry");
                outbox::mark_retry(db, row.id, next, reason).await?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_starts_at_thirty_seconds_doubles_and_stops_at_an_hour() {
        assert!((30..=33).contains(&backoff(1).num_seconds()));
        assert!((60..=66).contains(&backoff(2).num_seconds()));
        assert!((3600..=3960).contains(&backoff(8).num_seconds()));
        assert!((3600..=3960).contains(&backoff(80).num_seconds()));
    }
}
