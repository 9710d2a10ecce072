//! What became of the rows sent to one target, newest first, and sending a row that is done
//! with again: for a feature whose organizers look after a target (a webhook receiver's
//! delivery log and its "send again"). The rows' contents stay encrypted; only their state
//! is read here.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::status::{Kind, OutboxStatus};
use crate::db::schema::outbox;

/// A row's state, without its recipient or message.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct RowState {
    pub id: Uuid,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    /// When it was queued, or queued again.
    pub created_at: DateTime<Utc>,
    /// The next attempt while pending; about the last one once failed.
    pub next_attempt_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    #[diesel(select_expression = outbox::message.is_not_null())]
    #[diesel(select_expression_type = diesel::dsl::IsNotNull<outbox::message>)]
    pub message_kept: bool,
}

/// The latest `limit` rows of `kind` for `target_id`, newest first (ids are time-ordered).
pub async fn recent_for_target(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    target_id: &str,
    limit: i64,
) -> QueryResult<Vec<RowState>> {
    outbox::table
        .filter(outbox::kind.eq(kind))
        .filter(outbox::target_id.eq(target_id))
        .order(outbox::id.desc())
        .limit(limit)
        .select(RowState::as_select())
        .load(conn)
        .await
}

/// Queues a row of `kind` for `target_id` that was sent or given up on again, with the
/// same id and message, as if new: due now, its attempts counted from zero and its retry
/// window from now. False when there is no such row, it is still pending, or its message
/// was erased (there is nothing left to send).
pub async fn queue_again(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    target_id: &str,
    id: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    let updated = diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::kind.eq(kind))
            .filter(outbox::target_id.eq(target_id))
            .filter(outbox::status.ne(OutboxStatus::Pending))
            .filter(outbox::message.is_not_null()),
    )
    .set((
        outbox::status.eq(OutboxStatus::Pending),
        outbox::attempts.eq(0),
        outbox::next_attempt_at.eq(now),
        outbox::created_at.eq(now),
        outbox::locked_until.eq(None::<DateTime<Utc>>),
        outbox::sent_at.eq(None::<DateTime<Utc>>),
    ))
    .execute(conn)
    .await?;
    Ok(updated == 1)
}

/// Erases the message of up to `limit` rows of `kind` that were done with (sent, or given
/// up on) before `before`; returns how many. The rows stay, as the record of what went.
pub async fn erase_done_before(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    before: DateTime<Utc>,
    limit: i64,
) -> QueryResult<usize> {
    let ids: Vec<Uuid> = outbox::table
        .select(outbox::id)
        .filter(outbox::kind.eq(kind))
        .filter(outbox::status.ne(OutboxStatus::Pending))
        .filter(outbox::message.is_not_null())
        // A failed row has no sent_at; its last attempt was due at next_attempt_at.
        .filter(
            outbox::sent_at
                .lt(before)
                .or(outbox::sent_at.is_null().and(outbox::next_attempt_at.lt(before)).nullable()),
        )
        .limit(limit)
        .load(conn)
        .await?;
    super::store::erase_messages(conn, &ids).await
}
