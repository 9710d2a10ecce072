//! The scheduler: now and then, queue the letters each open campaign owes its targets.
//! Runs in `serve` and `worker`; `rallypost dispatch run` calls it once.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use tokio_util::sync::CancellationToken;

use super::mail::LetterContext;
use super::render;
use super::supporters::{self, Supporter};
use super::{SendingWindow, digest, queue};
use crate::campaigns::{self, Campaign, DispatchMode, Target};
use crate::clock::Clock;
use crate::db::Pool;
use crate::db::schema::outbox;
use crate::outbox::OutboxStatus;

const TICK: StdDuration = StdDuration::from_secs(30);

pub struct Scheduler {
    pool: Pool,
    clock: Arc<dyn Clock>,
    ctx: LetterContext,
}

/// What a dispatch would do now, for `dispatch run --dry-run`.
#[derive(Debug)]
pub struct Plan {
    pub mode: DispatchMode,
    pub in_window: bool,
    pub period_end: Option<DateTime<Utc>>,
    pub targets: Vec<TargetPlan>,
}

#[derive(Debug)]
pub struct TargetPlan {
    pub target_id: String,
    pub email: String,
    /// Letters (or signatures in the digest) that would be queued now.
    pub new: usize,
    /// Letters queued before and not yet sent.
    pub waiting: i64,
}

impl Scheduler {
    pub fn new(pool: Pool, clock: Arc<dyn Clock>, ctx: LetterContext) -> Self {
        Scheduler { pool, clock, ctx }
    }

    pub async fn run(self: Arc<Self>, shutdown: CancellationToken) {
        while !shutdown.is_cancelled() {
            if let Err(e) = self.tick().await {
                tracing::warn!(error = %format!("{e:#}"), "letters: scheduling failed; will retry");
            }
            tokio::select! {
                _ = tokio::time::sleep(TICK) => {}
                _ = shutdown.cancelled() => {}
            }
        }
    }

    /// Queues what every open campaign owes now; returns the number of letters queued.
    /// A campaign past its `closes_at` is still open here (its `status` says so): its
    /// letters still go, and in digest mode its final digest.
    pub async fn tick(&self) -> anyhow::Result<usize> {
        let open: Vec<Campaign> = {
            let mut conn = self.pool.get().await?;
            campaigns::list(&mut conn).await?.into_iter().filter(|c| c.is_open).collect()
        };
        let mut queued = 0;
        for campaign in &open {
            queued += self.queue(campaign).await?;
        }
        Ok(queued)
    }

    pub async fn queue(&self, campaign: &Campaign) -> anyhow::Result<usize> {
        let mut conn = self.pool.get().await?;
        let now = self.clock.now();
        let queued = match campaign.file.dispatch.mode {
            DispatchMode::Individual => queue::queue_individual(&mut conn, campaign, &self.ctx, now).await?,
            DispatchMode::Digest => digest::queue_digests(&mut conn, campaign, &self.ctx, now).await?,
        };
        if queued > 0 {
            tracing::info!(campaign = %campaign.slug, queued, "letters queued");
        }
        Ok(queued)
    }

    pub async fn plan(&self, campaign: &Campaign) -> anyhow::Result<Plan> {
        let mut conn = self.pool.get().await?;
        let now = self.clock.now();
        let mode = campaign.file.dispatch.mode;
        let period_end = match mode {
            DispatchMode::Digest => digest::due_period_end(campaign, now),
            DispatchMode::Individual => None,
        };
        let mut targets = Vec::new();
        for target in &campaign.file.targets {
            let new = match (mode, period_end) {
                (DispatchMode::Individual, _) => {
                    supporters::without_letter(&mut conn, &self.ctx.keys, campaign, target, i64::MAX)
                        .await?
                        .len()
                }
                (DispatchMode::Digest, Some(end)) => {
                    digest::pending_digest(&mut conn, &self.ctx.keys, campaign, target, end)
                        .await?
                        .map_or(0, |d| d.new_count())
                }
                (DispatchMode::Digest, None) => 0,
            };
            let waiting = outbox::table
                .filter(outbox::campaign_id.eq(campaign.id))
                .filter(outbox::target_id.eq(&target.id))
                .filter(outbox::status.eq(OutboxStatus::Pending.literal()))
                .count()
                .get_result(&mut conn)
                .await?;
            targets.push(TargetPlan {
                target_id: target.id.clone(),
                email: target.email.to_string(),
                new,
                waiting,
            });
        }
        let in_window = SendingWindow::from_dispatch(&campaign.file.dispatch).contains(now);
        Ok(Plan { mode, in_window, period_end, targets })
    }

    /// The letter `target` would get now, rendered: for `individual` mode from the latest
    /// confirmed signature (or an example when there is none), for `digest` mode the due
    /// digest (or one for an example signer).
    pub async fn preview(&self, campaign: &Campaign, target: &Target) -> anyhow::Result<String> {
        let mut conn = self.pool.get().await?;
        let now = self.clock.now();
        let example = Supporter {
            name: "Example Supporter".into(),
            country: "DE".into(),
            comment: Some("An example comment.".into()),
            lang: crate::domain::Lang::En,
        };
        let endorsers = crate::endorsements::approved_names(&mut conn, campaign.id).await?;
        let rendered = match campaign.file.dispatch.mode {
            DispatchMode::Individual => {
                let latest =
                    supporters::without_letter(&mut conn, &self.ctx.keys, campaign, target, 1).await?.pop();
                let unnamed = supporters::unnamed_between(&mut conn, campaign, None, now).await?;
                render::individual(
                    campaign,
                    target,
                    &latest.map_or(example, |(_, s)| s),
                    &unnamed,
                    &endorsers,
                )?
            }
            DispatchMode::Digest => {
                let due = match digest::due_period_end(campaign, now) {
                    Some(end) => {
                        digest::pending_digest(&mut conn, &self.ctx.keys, campaign, target, end).await?
                    }
                    None => None,
                };
                let content = due.unwrap_or(render::DigestContent {
                    period_start: None,
                    period_end: now,
                    new: vec![example],
                    unnamed: Default::default(),
                    total: 1,
                });
                render::digest(campaign, target, &content, &self.ctx.signer(), &endorsers)?
            }
        };
        let attachment = rendered
            .attachment
            .map(|a| format!("\n--- attachment {} ---\n{}", a.filename, String::from_utf8_lossy(&a.bytes)))
            .unwrap_or_default();
        Ok(format!(
            "From: {}\nTo: {}, {} <{}>\nSubject: {}\n\n{}{attachment}",
            self.ctx.from, target.office, target.organisation, target.email, rendered.subject, rendered.text
        ))
    }

    /// When the next letter is due: the next digest, or now while letters wait.
    pub fn next_dispatch(campaign: &Campaign, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match campaign.file.dispatch.mode {
            DispatchMode::Digest => digest::next_period_end(campaign, now),
            DispatchMode::Individual => None,
        }
    }
}
