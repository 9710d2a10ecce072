//! Pacing letters: at most `per_target_per_hour` to one target, evenly spread, only inside
//! the sending window. The next free slot per target lives in `letter_pacing` and is
//! advanced in the transaction that claims a letter, so it holds across restarts and
//! however many workers run.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::SendingWindow;
use crate::campaigns;
use crate::db::schema::{letter_pacing, outbox};
use crate::outbox::OutboxRow;

/// Claims at most one due letter per target whose next slot has come, inside its window.
pub async fn claim_paced(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    lease: Duration,
) -> anyhow::Result<Vec<OutboxRow>> {
    let waiting: Vec<(Option<Uuid>, Option<String>)> = outbox::table
        .filter(outbox::kind.eq("letter"))
        .filter(outbox::status.eq("pending"))
        .filter(outbox::next_attempt_at.le(now))
        .filter(outbox::locked_until.is_null().or(outbox::locked_until.lt(now)))
        .select((outbox::campaign_id, outbox::target_id))
        .distinct()
        .load(conn)
        .await?;
    let mut windows: HashMap<Uuid, SendingWindow> = HashMap::new();
    let mut claimed = Vec::new();
    for (campaign_id, target_id) in waiting {
        let (Some(campaign_id), Some(target_id)) = (campaign_id, target_id) else {
            continue;
        };
        if let Entry::Vacant(slot) = windows.entry(campaign_id) {
            let campaign = campaigns::find_by_id(conn, campaign_id).await?;
            slot.insert(SendingWindow::from_dispatch(&campaign.file.dispatch));
        }
        let window = &windows[&campaign_id];
        if !window.contains(now) {
            continue;
        }
        if let Some(row) = claim_one(conn, campaign_id, &target_id, window.interval(), now, lease).await? {
            claimed.push(row);
        }
    }
    Ok(claimed)
}

async fn claim_one(
    conn: &mut AsyncPgConnection,
    campaign_id: Uuid,
    target_id: &str,
    interval: Duration,
    now: DateTime<Utc>,
    lease: Duration,
) -> QueryResult<Option<OutboxRow>> {
    diesel::insert_into(letter_pacing::table)
        .values((
            letter_pacing::campaign_id.eq(campaign_id),
            letter_pacing::target_id.eq(target_id),
            letter_pacing::next_slot.eq(now),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    conn.transaction(async |conn| {
        let slot: Option<DateTime<Utc>> = letter_pacing::table
            .find((campaign_id, target_id))
            .select(letter_pacing::next_slot)
            .for_update()
            .skip_locked()
            .first(conn)
            .await
            .optional()?;
        // Locked by another worker, or not yet time for this target's next letter.
        if slot.is_none_or(|slot| slot > now) {
            return Ok(None);
        }
        let id: Option<Uuid> = outbox::table
            .filter(outbox::kind.eq("letter"))
            .filter(outbox::campaign_id.eq(campaign_id))
            .filter(outbox::target_id.eq(target_id))
            .filter(outbox::status.eq("pending"))
            .filter(outbox::next_attempt_at.le(now))
            .filter(outbox::locked_until.is_null().or(outbox::locked_until.lt(now)))
            .order((outbox::next_attempt_at, outbox::id))
            .select(outbox::id)
            .for_update()
            .skip_locked()
            .first(conn)
            .await
            .optional()?;
        let Some(id) = id else { return Ok(None) };
        // The next slot counts from now, not from the last slot: after a pause the
        // backlog goes out at the same even pace instead of in a burst.
        diesel::update(letter_pacing::table.find((campaign_id, target_id)))
            .set(letter_pacing::next_slot.eq(now + interval))
            .execute(conn)
            .await?;
        diesel::update(outbox::table.find(id))
            .set((outbox::locked_until.eq(now + lease), outbox::attempts.eq(outbox::attempts + 1)))
            .returning(OutboxRow::as_returning())
            .get_result(conn)
            .await
            .map(Some)
    })
    .await
}
