//! Signing: one row per address and campaign, its confirmation email in the same
//! transaction. The caller answers the same way whatever happened here.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::emails::{MailContext, Recipient};
use super::token::Token;
use crate::campaigns::Campaign;
use crate::db::schema::signatures;
use crate::domain::{Comment, Country, Lang, Postcode, SupporterEmail, SupporterName};
use crate::outbox;

/// A pending signature gets its confirmation email again at most this often.
const RESEND_AFTER: Duration = Duration::minutes(10);

pub struct NewSignature {
    pub name: SupporterName,
    pub email: SupporterEmail,
    pub country: Country,
    pub postcode: Option<Postcode>,
    pub comment: Option<Comment>,
    pub updates_opt_in: bool,
    pub lang: Lang,
}

/// What happened, for logs and tests; the supporter sees the same answer for all three.
#[derive(Debug, PartialEq, Eq)]
pub enum SignOutcome {
    Created,
    ConfirmationResent,
    AlreadyKnown,
}

#[tracing::instrument(skip_all, fields(campaign = %campaign.slug))]
pub async fn sign(
    conn: &mut AsyncPgConnection,
    campaign: &Campaign,
    new: &NewSignature,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> anyhow::Result<SignOutcome> {
    let outcome = conn
        .transaction(async move |conn| sign_in_transaction(conn, campaign, new, mail, now).await)
        .await?;
    tracing::info!(?outcome, "signature received");
    Ok(outcome)
}

async fn sign_in_transaction(
    conn: &mut AsyncPgConnection,
    campaign: &Campaign,
    new: &NewSignature,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> anyhow::Result<SignOutcome> {
    let token = Token::generate();
    let email_key = new.email.key();
    let inserted: Option<Uuid> = diesel::insert_into(signatures::table)
        .values((
            signatures::id.eq(crate::ids::new_id()),
            signatures::campaign_id.eq(campaign.id),
            signatures::status.eq("pending"),
            signatures::email_key.eq(&email_key),
            signatures::email.eq(new.email.as_ref()),
            signatures::name.eq(new.name.as_ref()),
            signatures::country.eq(new.country.code()),
            signatures::postcode.eq(new.postcode.as_ref().map(AsRef::as_ref)),
            signatures::comment.eq(new.comment.as_ref().map(AsRef::as_ref)),
            signatures::consent_to_targets.eq(true),
            signatures::updates_opt_in.eq(new.updates_opt_in),
            signatures::language.eq(new.lang.code()),
            signatures::confirm_token_hash.eq(&token.hash),
            signatures::signed_at.eq(now),
            signatures::confirmation_sent_at.eq(now),
        ))
        .on_conflict((signatures::campaign_id, signatures::email_key))
        .do_nothing()
        .returning(signatures::id)
        .get_result(conn)
        .await
        .optional()?;

    let (signature_id, outcome) = match inserted {
        Some(id) => (id, SignOutcome::Created),
        None => {
            let (id, status, sent_at): (Uuid, String, DateTime<Utc>) = signatures::table
                .filter(signatures::campaign_id.eq(campaign.id))
                .filter(signatures::email_key.eq(&email_key))
                .select((
                    signatures::id,
                    signatures::status,
                    signatures::confirmation_sent_at,
                ))
                .for_update()
                .first(conn)
                .await?;
            if status != "pending" || now - sent_at < RESEND_AFTER {
                return Ok(SignOutcome::AlreadyKnown);
            }
            // A new token replaces the old one: the newest email is the one that works.
            diesel::update(signatures::table.find(id))
                .set((
                    signatures::confirm_token_hash.eq(&token.hash),
                    signatures::confirmation_sent_at.eq(now),
                ))
                .execute(conn)
                .await?;
            (id, SignOutcome::ConfirmationResent)
        }
    };

    let recipient = Recipient {
        signature_id,
        campaign_id: campaign.id,
        name: new.name.as_ref(),
        email: new.email.as_ref(),
        lang: new.lang,
        campaign_title: &campaign.file.text(new.lang).title,
    };
    outbox::enqueue(conn, mail.confirmation(&recipient, &token.plain)?, now).await?;
    Ok(outcome)
}
