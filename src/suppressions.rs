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
    email_key: &[u8],
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

/// Moves the entries of each `old[i]` to `new[i]`, when a key rotation re-keys the
/// addresses (a batch in one statement). Entries of withdrawn addresses cannot follow
/// (nothing of the address is left to re-key), so a rotation ends their suppression; their
/// signatures stay withdrawn.
pub async fn rekey_all(conn: &mut AsyncPgConnection, old: &[Vec<u8>], new: &[Vec<u8>]) -> QueryResult<()> {
    use diesel::sql_types::{Array, Bytea};
    if old.is_empty() {
        return Ok(());
    }
    diesel::sql_query(
        "with moves as (select * from unnest($1::bytea[], $2::bytea[]) as m(old, new)), \
         moved as (delete from suppressions s using moves m where s.email_key = m.old \
                   returning m.new, s.sender, s.created_at) \
         insert into suppressions (email_key, sender, created_at) \
         select new, sender, created_at from moved on conflict do nothing",
    )
    .bind::<Array<Bytea>, _>(old)
    .bind::<Array<Bytea>, _>(new)
    .execute(conn)
    .await?;
    Ok(())
}
