//! Outbox rows: enqueue, record what happened, and erase what a withdrawal takes back.
//! Claiming them is `claim.rs`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::status::{Kind, OutboxStatus};
use crate::crypto::{DataKeys, Field};
use crate::db::schema::outbox;

#[derive(Clone)]
pub struct NewMessage {
    pub id: Uuid,
    pub kind: Kind,
    pub campaign_id: Option<Uuid>,
    pub signature_id: Option<Uuid>,
    pub target_id: Option<String>,
    pub recipient: String,
    pub message: Vec<u8>,
}

#[derive(Queryable, Selectable, Debug)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub id: Uuid,
    pub kind: Kind,
    pub key_id: String,
    pub recipient: Option<Vec<u8>>,
    pub message: Option<Vec<u8>>,
    pub attempts: i32,
    /// When this worker's lease runs out; also tells our claim from a later one.
    pub locked_until: Option<DateTime<Utc>>,
    /// When the row was queued: a deliverer that retries for a fixed time counts from it.
    pub created_at: DateTime<Utc>,
}

impl OutboxRow {
    /// The recipient and the message, decrypted.
    pub fn open(&self, keys: &DataKeys) -> anyhow::Result<(String, Vec<u8>)> {
        let (Some(recipient), Some(message)) = (&self.recipient, &self.message) else {
            anyhow::bail!("the outbox row has no recipient or message");
        };
        let recipient =
            keys.decrypt(&self.key_id, Field { column: "outbox.recipient", row: &self.id }, recipient)?;
        let message =
            keys.decrypt(&self.key_id, Field { column: "outbox.message", row: &self.id }, message)?;
        Ok((String::from_utf8(recipient)?, message))
    }
}

/// Queues a message, encrypted under the current data key; returns 0 if a row with the
/// same identity (id, or letter for the same signature and target) exists already.
pub async fn enqueue(
    conn: &mut AsyncPgConnection,
    keys: &DataKeys,
    new: NewMessage,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    enqueue_many(conn, keys, &[&new], now).await
}

/// Queues several messages with one statement; returns how many rows were new.
pub async fn enqueue_many(
    conn: &mut AsyncPgConnection,
    keys: &DataKeys,
    messages: &[&NewMessage],
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    if messages.is_empty() {
        return Ok(0);
    }
    let rows: Vec<_> = messages
        .iter()
        .map(|new| {
            let recipient =
                keys.encrypt(Field { column: "outbox.recipient", row: &new.id }, new.recipient.as_bytes());
            let message = keys.encrypt(Field { column: "outbox.message", row: &new.id }, &new.message);
            (
                outbox::id.eq(new.id),
                outbox::kind.eq(new.kind),
                outbox::campaign_id.eq(new.campaign_id),
                outbox::signature_id.eq(new.signature_id),
                outbox::target_id.eq(new.target_id.as_deref()),
                outbox::key_id.eq(keys.current_id()),
                outbox::recipient.eq(recipient),
                outbox::message.eq(message),
                outbox::next_attempt_at.eq(now),
                outbox::created_at.eq(now),
            )
        })
        .collect();
    diesel::insert_into(outbox::table).values(rows).on_conflict_do_nothing().execute(conn).await
}

/// Rows of one kind and campaign queued without their recipient and message, which the
/// kind's `Composer` writes when each row is sent: `ids[i]` is the row for the supporter
/// `signature_ids[i]`. Held column by column, as `unnest` takes them; built from pairs, so
/// the two columns are always as long as each other.
pub struct Unwritten {
    kind: Kind,
    campaign_id: Uuid,
    ids: Vec<Uuid>,
    signature_ids: Vec<Uuid>,
}

impl Unwritten {
    /// `rows` are `(outbox row id, signature id)` pairs.
    pub fn new(kind: Kind, campaign_id: Uuid, rows: impl IntoIterator<Item = (Uuid, Uuid)>) -> Self {
        let (ids, signature_ids) = rows.into_iter().unzip();
        Unwritten { kind, campaign_id, ids, signature_ids }
    }
}

/// Queues rows whose messages are written at send time; returns how many rows were new.
/// The key id is the current one, though there is nothing encrypted yet: the column is not
/// null, and the row is erased like any other once sent.
///
/// One statement of the same text for any number of rows (`unnest` of two arrays), not a
/// `VALUES` list of seven parameters a row: PostgreSQL parsed and planned that anew for
/// every batch of a mailing, 1,400 parameters at a time (bench/mail_priority.py).
pub async fn enqueue_unwritten(
    conn: &mut AsyncPgConnection,
    keys: &DataKeys,
    rows: &Unwritten,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    use diesel::sql_types::{Array, Text, Timestamptz, Uuid as SqlUuid};
    if rows.ids.is_empty() {
        return Ok(0);
    }
    diesel::sql_query(
        "insert into outbox (id, kind, campaign_id, signature_id, key_id, next_attempt_at, created_at) \
         select r.id, $3, $4, r.signature_id, $5, $6, $6 \
         from unnest($1::uuid[], $2::uuid[]) as r(id, signature_id) \
         on conflict do nothing",
    )
    .bind::<Array<SqlUuid>, _>(&rows.ids)
    .bind::<Array<SqlUuid>, _>(&rows.signature_ids)
    .bind::<Text, _>(rows.kind.as_str())
    .bind::<SqlUuid, _>(rows.campaign_id)
    .bind::<Text, _>(keys.current_id())
    .bind::<Timestamptz, _>(now)
    .execute(conn)
    .await
}

/// Marks `(id, kind)` rows sent, in one statement for mail to supporters (whose address
/// and message are erased now) and one for the rest, whatever their number.
pub async fn mark_sent(
    conn: &mut AsyncPgConnection,
    rows: &[(Uuid, Kind)],
    now: DateTime<Utc>,
) -> QueryResult<()> {
    let (to_supporters, others): (Vec<_>, Vec<_>) =
        rows.iter().partition(|(_, kind)| kind.erased_when_done());
    let ids = |rows: Vec<&(Uuid, Kind)>| rows.into_iter().map(|(id, _)| *id).collect::<Vec<_>>();
    let (to_supporters, others) = (ids(to_supporters), ids(others));
    let done = (
        outbox::status.eq(OutboxStatus::Sent),
        outbox::sent_at.eq(now),
        outbox::locked_until.eq(None::<DateTime<Utc>>),
        outbox::last_error.eq(None::<String>),
    );
    if !to_supporters.is_empty() {
        diesel::update(outbox::table.filter(outbox::id.eq_any(&to_supporters)))
            .set((done.clone(), outbox::recipient.eq(None::<Vec<u8>>), outbox::message.eq(None::<Vec<u8>>)))
            .execute(conn)
            .await?;
    }
    if !others.is_empty() {
        diesel::update(outbox::table.filter(outbox::id.eq_any(&others))).set(done).execute(conn).await?;
    }
    Ok(())
}

pub async fn mark_retry(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    next_attempt_at: DateTime<Utc>,
    error: &str,
) -> QueryResult<()> {
    diesel::update(outbox::table.filter(outbox::id.eq(id)))
        .set((
            outbox::next_attempt_at.eq(next_attempt_at),
            outbox::locked_until.eq(None::<DateTime<Utc>>),
            outbox::last_error.eq(error),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Gives up on a row, keeping the server's reply for organizers.
pub async fn mark_failed(conn: &mut AsyncPgConnection, id: Uuid, kind: Kind, error: &str) -> QueryResult<()> {
    let target = outbox::table.filter(outbox::id.eq(id));
    let failed = (
        outbox::status.eq(OutboxStatus::Failed),
        outbox::locked_until.eq(None::<DateTime<Utc>>),
        outbox::last_error.eq(error),
    );
    if kind.erased_when_done() {
        diesel::update(target)
            .set((failed, outbox::recipient.eq(None::<Vec<u8>>), outbox::message.eq(None::<Vec<u8>>)))
            .execute(conn)
            .await?;
    } else {
        diesel::update(target).set(failed).execute(conn).await?;
    }
    Ok(())
}

/// What a row was sent for, without its contents: enough to tell whose address a bounce
/// for it is about.
#[derive(Queryable, Selectable, Clone, Debug, PartialEq, Eq)]
#[diesel(table_name = outbox)]
pub struct Origin {
    pub id: Uuid,
    pub kind: Kind,
    pub campaign_id: Option<Uuid>,
    pub signature_id: Option<Uuid>,
    pub target_id: Option<String>,
}

/// Row `id`'s origin, if the row is still kept.
pub async fn origin(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Origin>> {
    outbox::table.find(id).select(Origin::as_select()).first(conn).await.optional()
}

/// Extends this worker's lease on `row` if it still holds it; false when the lease ran out
/// and another worker claimed the row since, which must then not be sent by this one.
pub async fn renew(conn: &mut AsyncPgConnection, row: &OutboxRow, until: DateTime<Utc>) -> QueryResult<bool> {
    let renewed = diesel::update(
        outbox::table
            .filter(outbox::id.eq(row.id))
            .filter(outbox::status.eq(OutboxStatus::Pending.literal()))
            .filter(outbox::locked_until.eq(row.locked_until)),
    )
    .set(outbox::locked_until.eq(until))
    .execute(conn)
    .await?;
    Ok(renewed == 1)
}

/// Hands rows back without counting the attempt, at shutdown.
pub async fn release(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> QueryResult<()> {
    diesel::update(outbox::table.filter(outbox::id.eq_any(ids)))
        .set((outbox::locked_until.eq(None::<DateTime<Utc>>), outbox::attempts.eq(outbox::attempts - 1)))
        .execute(conn)
        .await?;
    Ok(())
}

/// Every row queued for a signature, sent or not.
pub async fn ids_for_signature(conn: &mut AsyncPgConnection, signature_id: Uuid) -> QueryResult<Vec<Uuid>> {
    outbox::table.filter(outbox::signature_id.eq(signature_id)).select(outbox::id).load(conn).await
}

/// The targets (`target_id`) of every row of `kind` queued for a signature, sent or not.
pub async fn targets_for_signature(
    conn: &mut AsyncPgConnection,
    signature_id: Uuid,
    kind: Kind,
) -> QueryResult<Vec<String>> {
    outbox::table
        .filter(outbox::signature_id.eq(signature_id))
        .filter(outbox::kind.eq(kind))
        .filter(outbox::target_id.is_not_null())
        .select(outbox::target_id.assume_not_null())
        .distinct()
        .load(conn)
        .await
}

/// Drops rows of `kind` not yet sent to a target (one that is gone).
pub async fn cancel_for_target(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    target_id: &str,
) -> QueryResult<usize> {
    diesel::delete(
        outbox::table
            .filter(outbox::kind.eq(kind))
            .filter(outbox::target_id.eq(target_id))
            .filter(outbox::status.eq(OutboxStatus::Pending.literal())),
    )
    .execute(conn)
    .await
}

#[derive(QueryableByName)]
struct FirstSent {
    #[diesel(sql_type = diesel::sql_types::Text)]
    target_id: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
    first: Option<DateTime<Utc>>,
}

/// When the first letter or digest went to each of `target_ids`, for those one went to.
/// One statement for all targets (the campaign page asks on every view); the status and
/// kinds are written into it rather than bound, so that the planner always uses the
/// partial index `outbox_first_letter` made for this (one entry read per target, not every
/// letter).
pub async fn first_letters_sent(
    conn: &AsyncPgConnection,
    campaign_id: Uuid,
    target_ids: &[String],
) -> QueryResult<Vec<(String, DateTime<Utc>)>> {
    let mut conn = conn;
    let found: Vec<FirstSent> = diesel::sql_query(
        "select t.target_id, (select min(sent_at) from outbox \
           where campaign_id = $1 and target_id = t.target_id and status = 'sent' \
             and kind in ('letter', 'digest')) as first \
         from unnest($2::text[]) as t(target_id)",
    )
    .bind::<diesel::sql_types::Uuid, _>(campaign_id)
    .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(target_ids)
    .load(&mut conn)
    .await?;
    Ok(found.into_iter().filter_map(|f| Some((f.target_id, f.first?))).collect())
}

/// Rows of `kind` per target and status, for listing where they went.
pub async fn counts_by_target(
    conn: &mut AsyncPgConnection,
    kind: Kind,
) -> QueryResult<Vec<(Option<String>, OutboxStatus, i64)>> {
    outbox::table
        .filter(outbox::kind.eq(kind))
        .group_by((outbox::target_id, outbox::status))
        .select((outbox::target_id, outbox::status, diesel::dsl::count_star()))
        .load(conn)
        .await
}

/// Drops mail not yet sent for a signature (after it was withdrawn).
pub async fn cancel_for_signature(conn: &mut AsyncPgConnection, signature_id: Uuid) -> QueryResult<usize> {
    diesel::delete(
        outbox::table
            .filter(outbox::signature_id.eq(signature_id))
            .filter(outbox::status.eq(OutboxStatus::Pending.literal())),
    )
    .execute(conn)
    .await
}

/// Erases the stored copies of messages sent for a withdrawn signature (the letters that
/// carried the supporter's name; mail to the supporter was erased when it went). The rows
/// stay, so organizers still see that a letter went to the target and when.
pub async fn redact_for_signature(conn: &mut AsyncPgConnection, signature_id: Uuid) -> QueryResult<usize> {
    diesel::update(
        outbox::table.filter(outbox::signature_id.eq(signature_id)).filter(outbox::message.is_not_null()),
    )
    .set(outbox::message.eq(None::<Vec<u8>>))
    .execute(conn)
    .await
}

/// Erases the stored message of up to `limit` rows of `kinds` for `campaigns` that are done
/// with (sent, or given up on); returns how many. The rows stay, with their kind, times,
/// status and recipient, as the record that a message went and when.
pub async fn erase_bodies(
    conn: &mut AsyncPgConnection,
    campaigns: &[Uuid],
    kinds: &[Kind],
    limit: i64,
) -> QueryResult<usize> {
    if campaigns.is_empty() {
        return Ok(0);
    }
    let ids: Vec<Uuid> = outbox::table
        .select(outbox::id)
        .filter(outbox::campaign_id.eq_any(campaigns))
        .filter(outbox::kind.eq_any(kinds))
        .filter(outbox::status.ne(OutboxStatus::Pending))
        .filter(outbox::message.is_not_null())
        .limit(limit)
        .load(conn)
        .await?;
    erase_messages(conn, &ids).await
}

/// Erases the stored message of rows `ids`, keeping the rows; returns how many. The tail of
/// each erasure that first picks a batch of rows.
pub(super) async fn erase_messages(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> QueryResult<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    diesel::update(outbox::table.filter(outbox::id.eq_any(ids)))
        .set(outbox::message.eq(None::<Vec<u8>>))
        .execute(conn)
        .await
}

/// Rows per (kind, status), for health views and tests.
pub async fn status_counts(conn: &mut AsyncPgConnection) -> QueryResult<Vec<(String, String, i64)>> {
    outbox::table
        .group_by((outbox::kind, outbox::status))
        .select((outbox::kind, outbox::status, diesel::dsl::count_star()))
        .load(conn)
        .await
}

/// Mail waiting to go, by kind, among the `limit` rows that have been due longest.
#[derive(Debug, QueryableByName)]
pub struct DueKind {
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub kind: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub due: i64,
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    pub oldest: DateTime<Utc>,
}

/// Pending rows of `kinds` due by `now`, counted per kind over at most `limit` of that kind
/// (the longest due first; kinds with none left out): one short walk of
/// `outbox_due_by_kind` per kind, however large the table or the queue, and a backlog of
/// one kind does not hide another.
pub async fn due_sample(
    conn: &mut AsyncPgConnection,
    kinds: &[Kind],
    now: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<DueKind>> {
    let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    diesel::sql_query(
        "select k.kind, d.due, d.oldest from unnest($3::text[]) as k(kind) \
         cross join lateral ( \
           select count(*) as due, min(next_attempt_at) as oldest from ( \
             select next_attempt_at from outbox \
             where status = 'pending' and kind = k.kind and next_attempt_at <= $1 \
             order by next_attempt_at limit $2 \
           ) longest_due \
         ) d where d.due > 0",
    )
    .bind::<diesel::sql_types::Timestamptz, _>(now)
    .bind::<diesel::sql_types::BigInt, _>(limit)
    .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(kinds)
    .load(conn)
    .await
}
