//! Housekeeping the workers do beside sending and scheduling: today the daily retention
//! purge (`signatures::purge_unconfirmed`). It runs as its own task so that a failing
//! job holds up neither the letters nor the mail, and they cannot hold it up.

use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use tokio_util::sync::CancellationToken;

use crate::clock::Clock;
use crate::db::Pool;

/// How often the task looks for a job that is due; a failed job is tried again then.
const TICK: StdDuration = StdDuration::from_secs(30);
const PURGE_EVERY: Duration = Duration::days(1);

pub struct Housekeeping {
    pool: Pool,
    clock: Arc<dyn Clock>,
    /// When the purge last succeeded in this process; every process purges once at start.
    last_purge: Mutex<Option<DateTime<Utc>>>,
}

impl Housekeeping {
    pub fn new(pool: Pool, clock: Arc<dyn Clock>) -> Self {
        Housekeeping { pool, clock, last_purge: Mutex::new(None) }
    }

    pub async fn run(self: Arc<Self>, shutdown: CancellationToken) {
        while !shutdown.is_cancelled() {
            if let Err(e) = self.tick().await {
                tracing::warn!(error = %format!("{e:#}"), "housekeeping failed; will retry");
            }
            tokio::select! {
                _ = tokio::time::sleep(TICK) => {}
                _ = shutdown.cancelled() => {}
            }
        }
    }

    /// Runs the jobs that are due: the retention purge once a day.
    pub async fn tick(&self) -> anyhow::Result<()> {
        let now = self.clock.now();
        let due = self.last_purge.lock().unwrap().is_none_or(|last| now - last >= PURGE_EVERY);
        if due {
            let mut conn = self.pool.get().await?;
            let purged = crate::signatures::purge_unconfirmed(&mut conn, now).await?;
            *self.last_purge.lock().unwrap() = Some(now);
            if purged > 0 {
                tracing::info!(purged, "deleted signatures left unconfirmed for 30 days");
            }
        }
        Ok(())
    }
}
