//! Pacing letters: at most `per_target_per_hour` to one target, evenly spread, only inside
//! the sending window. The next free slot per target lives in `letter_pacing` and is
//! advanced in the transaction that claims a letter, so it holds across restarts and
//! however many workers run. This is the letters' claim source for the outbox sender;
//! which rows are claimable and how they are leased is the outbox's rule.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures_util::future::BoxFuture;
use uuid::Uuid;

use super::SendingWindow;
use crate::campaigns;
use crate::db::schema::{letter_pacing, outbox};
use crate::outbox::{Claim, ClaimSource, Kind, OutboxRow, claimable, lease};

/// Claims at most one due letter per target whose next slot has come, inside its window.
pub struct PacedLetters;

impl ClaimSource for PacedLetters {
    fn name(&self) -> &'static str {
        "paced letters"
    }

    fn claim<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        claim: Claim,
    ) -> BoxFuture<'a, anyhow::Result<Vec<OutboxRow>>> {
        Box::pin(claim_paced(conn, claim))
    }
}

/// A target with letters waiting (both columns are nullable in `outbox`, though a letter
/// always has them).
#[derive(QueryableByName)]
struct Waiting {
    #[diesel(sql_type = Nullable<SqlUuid>)]
    campaign_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    target_id: Option<String>,
}

/// The targets with letters pending, found by stepping through the index of pending
/// letters one target at a time, where a `select distinct` read every waiting letter on
/// every poll of every lane (`bench/claim.sh`). Whether one of a target's letters may go
/// now is `claim_one`'s question.
const WAITING_TARGETS: &str = include_str!("waiting_targets.sql");

async fn claim_paced(conn: &mut AsyncPgConnection, claim: Claim) -> anyhow::Result<Vec<OutboxRow>> {
    let waiting: Vec<Waiting> = diesel::sql_query(WAITING_TARGETS).load(conn).await?;
    let mut windows: HashMap<Uuid, SendingWindow> = HashMap::new();
    let mut claimed = Vec::new();
    for Waiting { campaign_id, target_id } in waiting {
        if claimed.len() as i64 >= claim.limit {
            break;
        }
        let (Some(campaign_id), Some(target_id)) = (campaign_id, target_id) else {
            continue;
        };
        if let Entry::Vacant(slot) = windows.entry(campaign_id) {
            let campaign = campaigns::find_by_id(conn, campaign_id).await?;
            slot.insert(SendingWindow::from_dispatch(&campaign.file.dispatch));
        }
        let window = &windows[&campaign_id];
        if !window.contains(claim.now) {
            continue;
        }
        claimed.extend(claim_one(conn, campaign_id, &target_id, window.interval(), claim).await?);
    }
    Ok(claimed)
}

async fn claim_one(
    conn: &mut AsyncPgConnection,
    campaign_id: Uuid,
    target_id: &str,
    interval: Duration,
    claim: Claim,
) -> QueryResult<Option<OutboxRow>> {
    let now = claim.now;
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
            .filter(outbox::kind.eq(Kind::Letter))
            .filter(outbox::campaign_id.eq(campaign_id))
            .filter(outbox::target_id.eq(target_id))
            .filter(claimable(now))
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
        Ok(lease(conn, &[id], claim).await?.pop())
    })
    .await
}
