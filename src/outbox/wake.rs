//! Waking the sender when mail is queued, so a supporter's confirmation leaves at once
//! instead of at the sender's next look at the outbox.
//!
//! Within one process the code that queued mail wakes the sender's `Notify` after its
//! commit. Across processes (`serve --no-workers` takes the signature, a `worker` sends)
//! a trigger on `outbox` (migration 2026-12-01-001500) sends `NOTIFY rallypost_outbox` in
//! the inserting transaction, which PostgreSQL delivers only once that commits; `listen`
//! holds a connection of its own, outside the pool, and turns each notification into a
//! wake-up. Polling stays underneath: a notification lost with a broken connection costs
//! at most one poll interval. Behind a transaction pooler nothing listens: `LISTEN`
//! belongs to one server session, which the pooler hands to other clients.

use std::sync::Arc;
use std::time::Duration;

use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use futures_util::StreamExt;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

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
