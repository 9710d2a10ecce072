//! A receiver's delivery log, and sending a delivery again.
//!
//! "Send again" queues the same outbox row once more: the same `webhook-id` (so a receiver
//! that dedupes can tell) and the same body, signed anew. That needs the body, so a
//! webhook's body is not erased when it is delivered or given up, as mail to supporters
//! is, but kept encrypted for `SEND_AGAIN_FOR` after that and then erased by the daily
//! housekeeping (`erase_old_bodies`); a supporter who withdraws has theirs erased at once.
//! Rebuilding an event from its source instead would have sent what the source says now,
//! not what the receiver was sent, and would need every feature to rebuild its events.
//! A delivery whose body is gone can no longer be sent again, and the log says so.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::schema::webhook_events;
use crate::organizers::{self, AuditAction, AuditLine, Who};
use crate::outbox::{self, Kind, OutboxStatus};

/// How long after a webhook was delivered or given up its body is kept to send again.
pub const SEND_AGAIN_FOR: Duration = Duration::days(7);
/// Rows erased per statement by the housekeeping.
const ERASE_BATCH: i64 = 1000;

/// One delivery as the log shows it.
#[derive(Debug)]
pub struct Delivery {
    /// The `webhook-id` every attempt carries.
    pub id: Uuid,
    /// `None` for a row queued before events were noted.
    pub event: Option<String>,
    pub status: OutboxStatus,
    pub attempts: i32,
    /// The last failure: the receiver's HTTP status, a timeout, a refused address.
    pub last_error: Option<String>,
    pub queued_at: DateTime<Utc>,
    pub next_attempt_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// Whether it can be sent again: done with, and its body still kept.
    pub can_send_again: bool,
}

/// The latest `limit` deliveries to a receiver, newest first.
pub async fn deliveries(
    conn: &mut AsyncPgConnection,
    receiver: Uuid,
    limit: i64,
) -> QueryResult<Vec<Delivery>> {
    let rows = outbox::recent_for_target(conn, Kind::Webhook, &receiver.to_string(), limit).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let events: HashMap<Uuid, String> = webhook_events::table
        .filter(webhook_events::outbox_id.eq_any(&ids))
        .select((webhook_events::outbox_id, webhook_events::event))
        .load::<(Uuid, String)>(conn)
        .await?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| Delivery {
            event: events.get(&row.id).cloned(),
            can_send_again: row.status != OutboxStatus::Pending && row.message_kept,
            id: row.id,
            status: row.status,
            attempts: row.attempts,
            last_error: row.last_error,
            queued_at: row.created_at,
            next_attempt_at: row.next_attempt_at,
            delivered_at: row.sent_at,
        })
        .collect())
}

/// Queues a delivered or failed webhook again, with its id and body, and records who did
/// it; false if the receiver has no such delivery that can go again.
pub async fn send_again(
    conn: &mut AsyncPgConnection,
    who: &Who,
    receiver: Uuid,
    delivery: Uuid,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    conn.transaction(async |conn| {
        let receiver = receiver.to_string();
        if !outbox::queue_again(conn, Kind::Webhook, &receiver, delivery, now).await? {
            return Ok(false);
        }
        let detail = format!("webhook-id {delivery}");
        let line = AuditLine {
            who,
            action: AuditAction::WebhookSendAgain,
            subject: Some(&receiver),
            detail: &detail,
        };
        organizers::audit(conn, line, now).await?;
        Ok(true)
    })
    .await
}

/// Erases the bodies of webhooks done with more than `SEND_AGAIN_FOR` ago; returns how
/// many. Daily, from the housekeeping.
pub async fn erase_old_bodies(conn: &mut AsyncPgConnection, now: DateTime<Utc>) -> QueryResult<usize> {
    let mut total = 0;
    loop {
        match outbox::erase_done_before(conn, Kind::Webhook, now - SEND_AGAIN_FOR, ERASE_BATCH).await? {
            0 => return Ok(total),
            n => total += n,
        }
    }
}
