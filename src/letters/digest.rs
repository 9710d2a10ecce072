//! `digest` mode: on the campaign's cron schedule, one letter per target covering the
//! signatures confirmed since that target's last digest. Each digest row records the
//! period `(period_start, period_end]` it covered; the next one starts at its end.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::mail::LetterContext;
use super::render::{self, DigestContent};
use super::supporters;
use crate::campaigns::{Campaign, Target};
use crate::crypto::DataKeys;
use crate::db::schema::{digests, signatures};
use crate::outbox::{Kind, NewMessage};

/// A period's digest is made this long after the period ends, so that a confirmation
/// stamped just before the end has committed by the time the digest reads.
const SETTLE: Duration = Duration::minutes(2);

/// The end of the latest period whose digest is due at `now`, if any. Once a campaign's
/// `closes_at` has passed, the last period ends there: the final digest carries whatever
/// was confirmed since the one before, and as no period ends later, none follows it.
pub fn due_period_end(campaign: &Campaign, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let d = &campaign.file.dispatch;
    let settled = whole_seconds(now - SETTLE);
    if let Some(closes) = campaign.file.closes_at
        && settled >= closes
    {
        return Some(closes);
    }
    let then = settled.with_timezone(&d.timezone);
    d.schedule.find_previous_occurrence(&then, true).ok().map(|t| t.with_timezone(&Utc))
}

/// When the next digest period ends: the next scheduled time, or the closing time if that
/// comes first; none after closing.
pub fn next_period_end(campaign: &Campaign, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let d = &campaign.file.dispatch;
    let closes = campaign.file.closes_at;
    if closes.is_some_and(|closes| now >= closes) {
        return None;
    }
    let local = whole_seconds(now).with_timezone(&d.timezone);
    let next = d.schedule.find_next_occurrence(&local, false).ok().map(|t| t.with_timezone(&Utc));
    match (next, closes) {
        (Some(next), Some(closes)) => Some(next.min(closes)),
        (next, closes) => next.or(closes),
    }
}

/// croner sets the fields of the schedule and keeps the fraction of a second it was given:
/// a period must end on its scheduled second, or each tick would see a slightly later end
/// and send another digest for the signatures confirmed in that fraction.
fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(0)
}

/// What the digest for `target` ending at `period_end` would contain; `None` when it was
/// made already or no one new signed.
pub async fn pending_digest(
    conn: &mut AsyncPgConnection,
    keys: &DataKeys,
    campaign: &Campaign,
    target: &Target,
    period_end: DateTime<Utc>,
) -> anyhow::Result<Option<DigestContent>> {
    let previous: Option<DateTime<Utc>> = digests::table
        .filter(digests::campaign_id.eq(campaign.id))
        .filter(digests::target_id.eq(&target.id))
        .select(diesel::dsl::max(digests::period_end))
        .first(conn)
        .await?;
    if previous.is_some_and(|p| p >= period_end) {
        return Ok(None);
    }
    let new = supporters::confirmed_between(conn, keys, campaign, previous, period_end).await?;
    let unnamed = supporters::unnamed_between(conn, campaign, previous, period_end).await?;
    if new.is_empty() && unnamed.is_empty() {
        return Ok(None);
    }
    let total: i64 = signatures::table
        .filter(signatures::campaign_id.eq(campaign.id))
        .filter(signatures::status.eq("confirmed"))
        .filter(signatures::confirmed_at.le(period_end))
        .count()
        .get_result(conn)
        .await?;
    Ok(Some(DigestContent { period_start: previous, period_end, new, unnamed, total }))
}

/// Queues the due digest for every target that has not had it; returns how many.
pub async fn queue_digests(
    conn: &mut AsyncPgConnection,
    campaign: &Campaign,
    ctx: &LetterContext,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let Some(period_end) = due_period_end(campaign, now) else {
        return Ok(0);
    };
    let sender = ctx.signer();
    let mut queued = 0;
    for target in &campaign.file.targets {
        queued += conn
            .transaction(async |conn| {
                // One worker at a time prepares a target's digest; the others then find it
                // made. The unique (campaign, target, period_end) is the backstop.
                diesel::sql_query("select pg_advisory_xact_lock(hashtextextended($1, 0))")
                    .bind::<Text, _>(format!("digest:{}:{}", campaign.id, target.id))
                    .execute(conn)
                    .await?;
                let Some(content) = pending_digest(conn, &ctx.keys, campaign, target, period_end).await?
                else {
                    return Ok::<_, anyhow::Error>(0);
                };
                let id = crate::ids::new_id();
                let endorsers = crate::endorsements::approved_names(conn, campaign.id).await?;
                let rendered = render::digest(campaign, target, &content, &sender, &endorsers)?;
                let letter = NewMessage {
                    id,
                    kind: Kind::Digest,
                    campaign_id: Some(campaign.id),
                    signature_id: None,
                    target_id: Some(target.id.clone()),
                    recipient: target.email.to_string(),
                    message: ctx.message(target, id, rendered)?,
                };
                crate::outbox::enqueue(conn, &ctx.keys, letter, now).await?;
                diesel::insert_into(digests::table)
                    .values((
                        digests::id.eq(crate::ids::new_id()),
                        digests::campaign_id.eq(campaign.id),
                        digests::target_id.eq(&target.id),
                        digests::period_start.eq(content.period_start),
                        digests::period_end.eq(period_end),
                        digests::new_signatures.eq(content.new_count() as i32),
                        digests::total_signatures.eq(content.total as i32),
                        digests::outbox_id.eq(id),
                        digests::created_at.eq(now),
                    ))
                    .execute(conn)
                    .await?;
                Ok(1)
            })
            .await?;
    }
    Ok(queued)
}
