//! Who gets a mailing: confirmed supporters of its campaign who asked for news from its
//! sender (the lead organisation: `updates_opt_in`; a partner: brought by that partner and
//! opted in to its news, `partner_id` and `partner_opt_in`, the same rule as the partner's
//! export), whose address is not known to bounce nor on the suppression list for that
//! sender (or everyone's), filtered by country and language if the mailing says so, and
//! not queued for this mailing already. Queueing reads only their ids; as each message is
//! written, `recipients` reads and decrypts the address, the name and the language, and
//! nothing else of the supporter.

use diesel::dsl::{exists, not};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::store::Mailing;
use crate::crypto::{DataKeys, Field};
use crate::db::schema::{mailing_recipients, signatures, suppressions};
use crate::signatures::SignatureStatus;
use crate::suppressions::Sender;

/// The audience of `mailing` not yet queued, after the signature `after` (in id order), as
/// a query.
///
/// The bound is written into the "not queued yet" test too, though it follows from the
/// join: without it PostgreSQL's merge anti join read the mailing's recipients from the
/// first one at every batch (14 ms a batch of 200 on average at 100,000, growing with the
/// square of the audience; 1 ms with it).
fn waiting(mailing: &Mailing, after: Uuid) -> signatures::BoxedQuery<'_, Pg> {
    let mut query = signatures::table
        .filter(signatures::id.gt(after))
        .filter(signatures::campaign_id.eq(mailing.campaign_id))
        .filter(signatures::status.eq(SignatureStatus::Confirmed.literal()))
        .filter(signatures::email.is_not_null())
        .filter(signatures::email_undeliverable_at.is_null())
        .filter(not(exists(
            suppressions::table
                .filter(suppressions::email_key.nullable().eq(signatures::email_key))
                .filter(suppressions::sender.eq_any(mailing.sender.blocked_by())),
        )))
        .filter(not(exists(
            mailing_recipients::table
                .filter(mailing_recipients::mailing_id.eq(mailing.id))
                .filter(mailing_recipients::signature_id.gt(after))
                .filter(mailing_recipients::signature_id.eq(signatures::id)),
        )))
        .into_boxed();
    query = match &mailing.sender {
        Sender::Partner(partner) => query
            .filter(signatures::partner_id.eq(partner.as_ref().to_owned()))
            .filter(signatures::partner_opt_in),
        // `Everyone` is never a mailing's sender (see `Desk::sender`).
        Sender::Lead | Sender::Everyone => query.filter(signatures::updates_opt_in),
    };
    if !mailing.countries.is_empty() {
        query = query.filter(signatures::country.eq_any(mailing.countries.clone()));
    }
    if !mailing.languages.is_empty() {
        query = query.filter(signatures::language.eq_any(mailing.languages.clone()));
    }
    query
}

/// How many would get it if it were queued now.
pub async fn count(conn: &mut AsyncPgConnection, mailing: &Mailing) -> anyhow::Result<i64> {
    Ok(waiting(mailing, Uuid::nil()).count().get_result(conn).await?)
}

/// Up to `limit` of those not yet queued, in id order, after `after` (the last of the
/// previous batch, nil for the first: without it each batch would walk past everyone queued
/// before it, and queueing a mailing would take time growing with the square of its
/// audience).
pub async fn next_batch(
    conn: &mut AsyncPgConnection,
    mailing: &Mailing,
    after: Uuid,
    limit: i64,
) -> anyhow::Result<Vec<Uuid>> {
    Ok(waiting(mailing, after).order(signatures::id).limit(limit).select(signatures::id).load(conn).await?)
}

/// One supporter to write to, decrypted.
pub struct Recipient {
    pub signature_id: Uuid,
    pub email: String,
    pub name: String,
    pub language: String,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = signatures)]
struct RecipientRow {
    id: Uuid,
    key_id: String,
    email: Option<Vec<u8>>,
    name: Option<Vec<u8>>,
    language: String,
}

/// The supporters `ids` who can still be written to, as a message goes: confirmed, with an
/// address and a name (a withdrawal erases them), and not known to bounce.
pub async fn recipients(
    conn: &mut AsyncPgConnection,
    keys: &DataKeys,
    ids: &[Uuid],
) -> anyhow::Result<Vec<Recipient>> {
    let rows: Vec<RecipientRow> = signatures::table
        .filter(signatures::id.eq_any(ids))
        .filter(signatures::status.eq(SignatureStatus::Confirmed.literal()))
        .filter(signatures::email_undeliverable_at.is_null())
        .select(RecipientRow::as_select())
        .load(conn)
        .await?;
    let mut recipients = Vec::with_capacity(rows.len());
    for row in rows {
        let field = |column| Field { column, row: &row.id };
        let email = keys.decrypt_text(&row.key_id, field("signatures.email"), row.email.as_deref())?;
        let name = keys.decrypt_text(&row.key_id, field("signatures.name"), row.name.as_deref())?;
        if let (Some(email), Some(name)) = (email, name) {
            recipients.push(Recipient { signature_id: row.id, email, name, language: row.language });
        }
    }
    Ok(recipients)
}
