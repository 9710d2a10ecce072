//! Waking the sender when mail is queued, so a supporter's confirmation leaves at once
//! instead of at the sender's next look at the outbox.
//!
//! Within one process the code that queued mail wakes the sender's `Notify` after its
//! commit. Across processes (`serve --no-workers` takes the signature, a `worker` sends)
//! a web process without a sender of its own relays those wake-ups to the others:
//! `announce` sends `NOTIFY rallypost_outbox` in a statement of its own, after the commit,
//! and `listen` holds a connection of its own in each worker, outside the pool, and turns
//! each notification into a wake-up. Polling stays underneath: a notification lost with a
//! broken connection, or mail queued by a process that announces nothing (the command
//! line, a worker's letters), costs at most one poll interval. Behind a transaction pooler
//! nothing listens: `LISTEN` belongs to one server session, which the pooler hands to
//! other clients.
//!
//! The NOTIFY is not sent inside the transaction that queued the mail (an earlier trigger
//! on `outbox` did that): PostgreSQL holds one cluster-wide lock from just before such a
//! transaction's commit until its commit is on disk, so every signing committed alone
//! instead of sharing a disk flush, at about a third of the rate (bench/notify_lock.sh).
//! Sent apart, wake-ups that arrive while one NOTIFY is on its way fold into the next.

use std::sync::Arc;
use std::time::Duration;

use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use futures_util::StreamExt;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::db::Pool;

/// The channel the trigger notifies.
const CHANNEL: &str = "rallypost_outbox";
/// The longest wait before listening again after the connection failed.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Listens until `shutdown`, waking `wake` once per notification; reconnects after a
/// failure, waiting longer each time up to `MAX_BACKOFF`.
pub async fn listen(url: String, wake: Arc<Notify>, shutdown: CancellationToken) {
    let mut backoff = Duration::from_secs(1);
    loop {
        match listen_once(&url, &wake, &shutdown).await {
            Ok(()) => return,
            Err(e) => tracing::warn!(
                error = %format!("{e:#}"),
                retry_in_secs = backoff.as_secs(),
                "outbox: not listening for new mail; polling meanwhile"
            ),
        }
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = shutdown.cancelled() => return,
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// One listening connection, until it fails (`Err`) or `shutdown` (`Ok`).
async fn listen_once(url: &str, wake: &Notify, shutdown: &CancellationToken) -> anyhow::Result<()> {
    let mut conn = tokio::select! {
        conn = AsyncPgConnection::establish(url) => conn?,
        _ = shutdown.cancelled() => return Ok(()),
    };
    conn.batch_execute(&format!("listen {CHANNEL}")).await?;
    tracing::info!("outbox: listening for new mail");
    // Mail queued while nobody listened woke no one.
    wake.notify_one();
    let mut notifications = std::pin::pin!(conn.notifications_stream());
    loop {
        tokio::select! {
            notification = notifications.next() => match notification {
                Some(Ok(_)) => wake.notify_one(),
                Some(Err(e)) => return Err(e.into()),
                None => anyhow::bail!("the listening connection closed"),
            },
            _ = shutdown.cancelled() => return Ok(()),
        }
    }
}

/// Until `shutdown`, turns each wake-up of `queued` (mail this process committed) into one
/// `NOTIFY` for the workers of other processes. `Notify` keeps at most one pending wake-up,
/// so a burst of signatures while a NOTIFY is on its way costs one more, not one each.
pub async fn announce(pool: Pool, queued: Arc<Notify>, shutdown: CancellationToken) {
    loop {
        tokio::select! {
            _ = queued.notified() => {}
            _ = shutdown.cancelled() => return,
        }
        let sent = async {
            let mut conn = pool.get().await?;
            conn.batch_execute(&format!("notify {CHANNEL}")).await?;
            anyhow::Ok(())
        };
        if let Err(e) = sent.await {
            // The workers poll: the mail leaves within a poll interval all the same.
            tracing::warn!(error = %format!("{e:#}"), "outbox: could not wake the workers of other processes");
        }
    }
}
