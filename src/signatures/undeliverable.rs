//! Addresses that take no mail: when mail to a signer bounces for good, every signature
//! with the same address is marked (`email_undeliverable_at`), and what mails supporters
//! (reminders, the mailings' audience) leaves them out.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::schema::{campaigns, signatures};

/// The keyed hash of signature `id`'s address (the suppression list's key), if it is kept
/// (a withdrawn signature has none).
pub async fn email_key(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Vec<u8>>> {
    let key: Option<Option<Vec<u8>>> =
        signatures::table.find(id).select(signatures::email_key).first(conn).await.optional()?;
    Ok(key.flatten())
}

/// Marks the address of signature `id` undeliverable on every signature it signed, from
/// `now` unless marked before; returns how many signatures were newly marked.
pub async fn mark_undeliverable(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    let Some(key) = email_key(conn, id).await? else { return Ok(0) };
    // The key is indexed only behind the campaign (the unique (campaign_id, email_key)):
    // naming every campaign lets PostgreSQL look it up once per campaign instead of
    // reading the whole index or table.
    diesel::update(
        signatures::table
            .filter(signatures::campaign_id.eq_any(campaigns::table.select(campaigns::id)))
            .filter(signatures::email_key.eq(key))
            .filter(signatures::email_undeliverable_at.is_null()),
    )
    .set(signatures::email_undeliverable_at.eq(now))
    .execute(conn)
    .await
}
