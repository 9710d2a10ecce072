//! Addresses that take no mail: when mail to a signer bounces for good, every signature
//! with the same address is marked (`email_undeliverable_at`), and what mails supporters
//! (reminders, the mailings' audience) leaves them out.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::schema::signatures;

/// The keyed hash of signature `id`'s address (the suppression list's key), if it is kept.
pub async fn email_key(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<String>> {
    signatures::table.find(id).select(signatures::email_key).first(conn).await.optional()
}

/// Marks the address of signature `id` undeliverable on every signature it signed, from
/// `now` unless marked before; returns how many signatures were newly marked.
pub async fn mark_undeliverable(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    let Some(key) = email_key(conn, id).await? else { return Ok(0) };
    diesel::update(
        signatures::table
            .filter(signatures::email_key.eq(key))
            .filter(signatures::email_undeliverable_at.is_null()),
    )
    .set(signatures::email_undeliverable_at.eq(now))
    .execute(conn)
    .await
}
