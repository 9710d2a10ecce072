//! The suppression list: addresses that get no more news from a sender, kept as the keyed
//! hash of the canonical address (the same lookup as `signatures.email_key`), never as the
//! address, per (address, sender): the lead organisation, each partner, or everyone.
//! Unsubscribing from a sender's mailing adds that sender's entry; a withdrawal (or a hard
//! bounce) adds `Sender::Everyone`.
//! Mailings read it to leave those addresses out; nothing here knows about mailings.
//!
//! Its own module because two features write it (signatures on withdrawal, mailings on
//! unsubscribe) and one reads it, and neither should reach into the other.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::suppressions;
use crate::partners::PartnerId;

/// Whose news an address no longer gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sender {
    /// The campaign's own (lead) organisation.
    Lead,
    /// A partner of a campaign, by its id in the campaign file: unsubscribing from its news
    /// leaves the lead's and other partners' news coming.
    Partner(PartnerId),
    /// Anyone: the supporter withdrew.
    Everyone,
}

/// The prefix of a partner's entries in `suppressions.sender`: a partner id is any slug,
/// `lead` included, so a bare id could be mistaken for the lead's entry.
const PARTNER_PREFIX: &str = "partner:";

impl Sender {
    /// As stored in `suppressions.sender` (and signed into unsubscribe tokens).
    pub fn as_stored(&self) -> Cow<'static, str> {
        match self {
            Sender::Lead => Cow::Borrowed("lead"),
            Sender::Partner(id) => Cow::Owned(format!("{PARTNER_PREFIX}{id}")),
            Sender::Everyone => Cow::Borrowed("*"),
        }
    }

    /// The entries that stop mail from this sender: its own and the everyone entry.
    pub fn blocked_by(&self) -> Vec<String> {
        vec![self.as_stored().into_owned(), Sender::Everyone.as_stored().into_owned()]
    }

    /// The sender of a mailing whose `partner_id` column says this.
    pub fn of_partner(partner: Option<PartnerId>) -> Sender {
        partner.map_or(Sender::Lead, Sender::Partner)
    }

    /// The partner, if this is one.
    pub fn partner(&self) -> Option<&PartnerId> {
        match self {
            Sender::Partner(id) => Some(id),
            Sender::Lead | Sender::Everyone => None,
        }
    }
}

/// Adds `email_key` to `sender`'s list; adding it again changes nothing.
pub async fn suppress(
    conn: &mut AsyncPgConnection,
    email_key: &[u8],
    sender: &Sender,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    let stored = sender.as_stored();
    diesel::insert_into(suppressions::table)
        .values((
            suppressions::email_key.eq(email_key),
            suppressions::sender.eq(stored.as_ref()),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partner_called_lead_is_not_the_lead() {
        let partner = Sender::Partner(PartnerId::parse("lead").unwrap());
        assert_ne!(partner.as_stored(), Sender::Lead.as_stored());
        assert_eq!(partner.blocked_by(), ["partner:lead", "*"]);
        assert_eq!(Sender::Lead.blocked_by(), ["lead", "*"]);
    }
}
