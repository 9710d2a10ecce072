//! Housekeeping the workers do beside sending and scheduling: daily, the retention purge
//! (`signatures::purge_unconfirmed`), forgetting expired embed form tokens
//! (`embed::purge_expired`) and the write API's idempotency keys
//! (`idempotency::purge_expired`), erasing the copies of letters 90 days after their
//! campaign closed (`letters::erase_after_closing`) and the bodies of webhooks a week after
//! they were delivered (`webhooks::erase_old_bodies`); at every tick, confirmation reminders
//! (`signatures::queue_reminders`). It runs as its own task so that a failing job
//! holds up neither the letters nor the mail, and they cannot hold it up; within it, each
//! job runs whether or not the one before failed.
//!
//! Every job is safe with several workers at once: the purge and the erasure only delete
//! or blank what is already due, and a reminder is queued once however many look for it.

use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use tokio_util::sync::CancellationToken;

use crate::campaigns::{self, Campaign};
use crate::clock::Clock;
use crate::crypto::DataKeys;
use crate::db::Pool;
use crate::signatures::{MailContext, ReminderPolicy};

/// How often the task looks for a job that is due; a failed job is tried again then.
const TICK: StdDuration = StdDuration::from_secs(30);
const DAILY: Duration = Duration::days(1);
/// Reminders queued per transaction.
const BATCH: i64 = 200;
/// Batches of reminders per tick, so that one tick ends; the rest waits for the next.
const REMINDER_BATCHES: usize = 50;

/// What sending reminders needs: how many and when, and how to write the email.
pub struct Reminders {
    pub policy: ReminderPolicy,
    pub mail: MailContext,
    pub keys: Arc<DataKeys>,
}

pub struct Housekeeping {
    pool: Pool,
    clock: Arc<dyn Clock>,
    /// When the daily jobs last succeeded in this process; every process runs them once at
    /// start.
    last_daily: Mutex<Option<DateTime<Utc>>>,
    /// `None`: this process sends no reminders.
    reminders: Option<Reminders>,
}

impl Housekeeping {
    pub fn new(pool: Pool, clock: Arc<dyn Clock>) -> Self {
        Housekeeping { pool, clock, last_daily: Mutex::new(None), reminders: None }
    }

    pub fn with_reminders(mut self, reminders: Reminders) -> Self {
        self.reminders = Some(reminders);
        self
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

    /// Runs the jobs that are due: the purge and the erasure of old letters once a day,
    /// reminders every time. Returns the first failure, after trying them all.
    pub async fn tick(&self) -> anyhow::Result<()> {
        let now = self.clock.now();
        let daily = self.last_daily.lock().unwrap().is_none_or(|last| now - last >= DAILY);
        let mut daily_results = Vec::new();
        let mut results = Vec::new();
        // The purge needs no campaign: it runs even when they cannot be read.
        if daily {
            daily_results.push(self.purge(now).await);
            daily_results.push(self.erase_webhook_bodies(now).await);
        }
        match self.campaigns().await {
            Ok(campaigns) => {
                if daily {
                    daily_results.push(self.erase_letters(&campaigns, now).await);
                }
                results.push(self.remind(&campaigns, now).await);
            }
            Err(e) => daily_results.push(Err(e)),
        }
        if daily && daily_results.iter().all(Result::is_ok) {
            *self.last_daily.lock().unwrap() = Some(now);
        }
        let mut failures = daily_results.into_iter().chain(results).filter_map(Result::err);
        let Some(first) = failures.next() else {
            return Ok(());
        };
        for e in failures {
            tracing::warn!(error = %format!("{e:#}"), "housekeeping job failed; will retry");
        }
        Err(first)
    }

    async fn campaigns(&self) -> anyhow::Result<Vec<Campaign>> {
        let mut conn = self.pool.get().await?;
        campaigns::list(&mut conn).await
    }

    async fn purge(&self, now: DateTime<Utc>) -> anyhow::Result<()> {
        let mut conn = self.pool.get().await?;
        let purged = crate::signatures::purge_unconfirmed(&mut conn, now).await?;
        if purged > 0 {
            tracing::info!(purged, "deleted signatures left unconfirmed for 30 days");
        }
        let forgotten = crate::embed::purge_expired(&mut conn, now).await?;
        if forgotten > 0 {
            tracing::info!(forgotten, "forgot the used embed form tokens that have expired");
        }
        let forgotten = crate::idempotency::purge_expired(&mut conn, now).await?;
        if forgotten > 0 {
            tracing::info!(forgotten, "forgot the API's idempotency keys older than 24 hours");
        }
        Ok(())
    }

    async fn erase_webhook_bodies(&self, now: DateTime<Utc>) -> anyhow::Result<()> {
        let mut conn = self.pool.get().await?;
        let erased = crate::webhooks::erase_old_bodies(&mut conn, now).await?;
        if erased > 0 {
            tracing::info!(erased, "erased the bodies of webhooks that can no longer be sent again");
        }
        Ok(())
    }

    /// Queues the reminders due now, for the campaigns that still take signatures.
    async fn remind(&self, campaigns: &[Campaign], now: DateTime<Utc>) -> anyhow::Result<()> {
        let Some(reminders) = &self.reminders else {
            return Ok(());
        };
        let open: Vec<&Campaign> = campaigns.iter().filter(|c| c.open_at(now)).collect();
        let mut conn = self.pool.get().await?;
        let mut queued = 0;
        for _ in 0..REMINDER_BATCHES {
            let n = crate::signatures::queue_reminders(
                &mut conn,
                &reminders.keys,
                &reminders.mail,
                &open,
                reminders.policy,
                now,
                BATCH,
            )
            .await?;
            queued += n;
            if n < BATCH as usize {
                break;
            }
        }
        if queued > 0 {
            tracing::info!(queued, "confirmation reminders queued");
        }
        Ok(())
    }

    async fn erase_letters(&self, campaigns: &[Campaign], now: DateTime<Utc>) -> anyhow::Result<()> {
        let mut conn = self.pool.get().await?;
        let erased = crate::letters::erase_after_closing(&mut conn, campaigns, now).await?;
        if erased > 0 {
            tracing::info!(erased, "copies of letters erased 90 days after their campaign closed");
        }
        Ok(())
    }
}
