//! An organisation's request to endorse, and its confirmation by the emailed link. The row
//! and its confirmation email are written in one transaction.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::emails::EndorseMail;
use super::status::EndorsementStatus;
use crate::campaigns::Campaign;
use crate::crypto::{DataKeys, Field, secret};
use crate::db::schema::endorsements;
use crate::domain::{Country, Lang, OrganisationName, SupporterEmail, Website};
use crate::outbox;

/// Confirmation links stop working after this long, as supporters' do.
const CONFIRM_TOKEN_LIFETIME: Duration = Duration::days(7);

/// An endorsement as the form gave it, parsed.
pub struct NewEndorsement {
    pub organisation: OrganisationName,
    pub website: Website,
    pub country: Country,
    pub contact: SupporterEmail,
    pub lang: Lang,
}

#[derive(Insertable)]
#[diesel(table_name = endorsements)]
struct Row<'a> {
    id: Uuid,
    campaign_id: Uuid,
    status: EndorsementStatus,
    organisation: &'a str,
    website: &'a str,
    country: &'static str,
    key_id: &'a str,
    contact_email: Vec<u8>,
    language: &'static str,
    confirm_token_hash: Vec<u8>,
    created_at: DateTime<Utc>,
}

/// Stores the request and queues the email that confirms it; returns its id.
#[tracing::instrument(skip_all, fields(campaign = %campaign.slug))]
pub async fn submit(
    conn: &mut AsyncPgConnection,
    keys: &DataKeys,
    mail: &EndorseMail,
    campaign: &Campaign,
    new: &NewEndorsement,
    now: DateTime<Utc>,
) -> anyhow::Result<Uuid> {
    let id = crate::ids::new_id();
    let token = secret::generate();
    let row = Row {
        id,
        campaign_id: campaign.id,
        status: EndorsementStatus::Pending,
        organisation: new.organisation.as_ref(),
        website: new.website.as_ref(),
        country: new.country.code(),
        key_id: keys.current_id(),
        contact_email: keys.encrypt(
            Field { column: "endorsements.contact_email", row: &id },
            new.contact.as_ref().as_bytes(),
        ),
        language: new.lang.code(),
        confirm_token_hash: secret::digest(&token),
        created_at: now,
    };
    let message = mail.confirmation(campaign, new, id, &token)?;
    conn.transaction(async |conn| {
        diesel::insert_into(endorsements::table).values(&row).execute(conn).await?;
        outbox::enqueue(conn, keys, message, now).await?;
        Ok::<_, anyhow::Error>(())
    })
    .await?;
    tracing::info!(endorsement = %id, "endorsement received");
    Ok(id)
}

#[derive(Debug, PartialEq, Eq)]
pub enum ConfirmOutcome {
    /// Confirmed now or before (pressing twice shows the same page).
    Confirmed { campaign_id: Uuid, lang: Lang },
    /// Unknown, expired, rejected or withdrawn.
    Invalid,
}

/// Confirms the endorsement whose link carried `token`.
#[tracing::instrument(skip_all)]
pub async fn confirm(
    conn: &mut AsyncPgConnection,
    token: &str,
    now: DateTime<Utc>,
) -> QueryResult<ConfirmOutcome> {
    if !secret::is_well_formed(token) {
        return Ok(ConfirmOutcome::Invalid);
    }
    let hash = secret::digest(token);
    conn.transaction(async |conn| {
        let found: Option<(Uuid, Uuid, EndorsementStatus, String, DateTime<Utc>)> = endorsements::table
            .filter(endorsements::confirm_token_hash.eq(&hash))
            .select((
                endorsements::id,
                endorsements::campaign_id,
                endorsements::status,
                endorsements::language,
                endorsements::created_at,
            ))
            .for_update()
            .first(conn)
            .await
            .optional()?;
        let Some((id, campaign_id, status, language, created_at)) = found else {
            return Ok(ConfirmOutcome::Invalid);
        };
        let lang = Lang::from_tag(&language).unwrap_or(Lang::En);
        match status {
            EndorsementStatus::Pending if now - created_at <= CONFIRM_TOKEN_LIFETIME => {
                diesel::update(endorsements::table.find(id))
                    .set((
                        endorsements::status.eq(EndorsementStatus::Confirmed),
                        endorsements::confirmed_at.eq(now),
                    ))
                    .execute(conn)
                    .await?;
                tracing::info!(endorsement = %id, "endorsement confirmed");
                Ok(ConfirmOutcome::Confirmed { campaign_id, lang })
            }
            EndorsementStatus::Confirmed | EndorsementStatus::Approved => {
                Ok(ConfirmOutcome::Confirmed { campaign_id, lang })
            }
            _ => Ok(ConfirmOutcome::Invalid),
        }
    })
    .await
}
