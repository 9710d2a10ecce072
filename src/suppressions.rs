//! The suppression list: addresses that get no more news from a sender, kept as the keyed
//! hash of the canonical address (the same lookup as `signatures.email_key`), never as the
//! address. Unsubscribing adds the sender's entry; a withdrawal adds `Sender::Everyone`.
//! Mailings read it to leave those addresses out; nothing here knows about mailings.
//!
//! Its own module because two features write it (signatures on withdrawal, mailings on
//! unsubscribe) and one reads it, and neither should reach into the other.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::suppressions;

/// Whose news an address no longer gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sender {
    /// The campaign's own (lead) organisation. Partners get their own entries later.
    Lead,
    /// Anyone: the supporter withdrew.
    Everyone,
}

impl Sender {
    /// As stored in `suppressions.sender`.
    pub fn as_str(self) -> &'static str {
        match self {
            Sender::Lead => "lead",
            Sender::Everyone => "*",
        }
    }

    /// The entries that stop mail from this sender: its own and the everyone entry.
    pub fn blocked_by(self) -> [&'static str; 2] {
        [self.as_str(), Sender::Everyone.as_str()]
    }
}

/// Adds `email_key` to `sender`'s list; adding it again changes nothing.
pub async fn suppress(
    conn: &mut AsyncPgConnection,
    email_key: &str,
    sender: Sender,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::insert_into(suppressions::table)
        .values((
            suppressions::email_key.eq(email_key),
            suppressions::sender.eq(sender.as_str()),
            suppressions::created_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(())
}

/// Moves the entries of `old` to `new`, when a key rotation re-keys the address. Entries
/// of withdrawn addresses cannot follow (nothing of the address is left to re-key), so a
/// rotation ends their suppression; their signatures stay withdrawn.
pub async fn rekey(conn: &mut AsyncPgConnection, old: &str, new: &str) -> QueryResult<()> {
    if old == new {
        return Ok(());
    }
    diesel::sql_query(
        "with moved as (delete from suppressions where email_key = $1 returning sender, created_at) \
         insert into suppressions (email_key, sender, created_at) \
         select $2, sender, created_at from moved on conflict do nothing",
    )
    .bind::<diesel::sql_types::Text, _>(old)
    .bind::<diesel::sql_types::Text, _>(new)
    .execute(conn)
    .await?;
    Ok(())
}
