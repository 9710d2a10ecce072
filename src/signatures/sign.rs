//! Signing: one row per address and campaign, its confirmation email in the same
//! transaction. The caller answers the same way whatever happened here.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::emails::{MailContext, Recipient};
use super::token::Token;
use sha2::{Digest, Sha256};

use crate::campaigns::Campaign;
use crate::crypto::{DataKeys, Field};
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

/// What signing needs besides the signature: the keys to protect it with and the
/// installation's mail settings.
pub struct SignContext<'a> {
    pub keys: &'a DataKeys,
    pub mail: &'a MailContext,
}

#[tracing::instrument(skip_all, fields(campaign = %campaign.slug))]
pub async fn sign(
    conn: &mut AsyncPgConnection,
    campaign: &Campaign,
    new: &NewSignature,
    ctx: &SignContext<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<SignOutcome> {
    let outcome =
        conn.transaction(async move |conn| sign_in_transaction(conn, campaign, new, ctx, now).await).await?;
    tracing::info!(?outcome, "signature received");
    Ok(outcome)
}

async fn sign_in_transaction(
    conn: &mut AsyncPgConnection,
    campaign: &Campaign,
    new: &NewSignature,
    ctx: &SignContext<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<SignOutcome> {
    let token = Token::generate();
    let canonical = new.email.canonical();
    let keys = ctx.keys;
    // Look under every configured key, so a repeat is found even mid-rotation.
    let existing: Option<(Uuid, String, DateTime<Utc>)> = signatures::table
        .filter(signatures::campaign_id.eq(campaign.id))
        .filter(signatures::email_key.eq_any(keys.email_lookups(&canonical)))
        .select((signatures::id, signatures::status, signatures::confirmation_sent_at))
        .for_update()
        .first(conn)
        .await
        .optional()?;
    let id = crate::ids::new_id();
    let field = |column| Field { column, row: &id };
    let consent = Sha256::digest(campaign.file.text(new.lang).consent.as_bytes());
    let inserted = match existing {
        Some(_) => 0,
        None => {
            diesel::insert_into(signatures::table)
                .values((
                    signatures::id.eq(id),
                    signatures::campaign_id.eq(campaign.id),
                    signatures::status.eq("pending"),
                    signatures::email_key.eq(keys.email_lookup(&canonical)),
                    signatures::key_id.eq(keys.current_id()),
                    signatures::email
                        .eq(keys.encrypt(field("signatures.email"), new.email.as_ref().as_bytes())),
                    signatures::name.eq(keys.encrypt(field("signatures.name"), new.name.as_ref().as_bytes())),
                    signatures::country.eq(new.country.code()),
                    signatures::postcode.eq(keys.encrypt_text(
                        field("signatures.postcode"),
                        new.postcode.as_ref().map(AsRef::as_ref),
                    )),
                    signatures::comment.eq(keys
                        .encrypt_text(field("signatures.comment"), new.comment.as_ref().map(AsRef::as_ref))),
                    signatures::consent_to_targets.eq(true),
                    signatures::consent_text_sha256.eq(hex::encode(consent)),
                    signatures::updates_opt_in.eq(new.updates_opt_in),
                    signatures::language.eq(new.lang.code()),
                    signatures::confirm_token_hash.eq(&token.hash),
                    signatures::signed_at.eq(now),
                    signatures::confirmation_sent_at.eq(now),
                ))
                // Two first signatures racing: the loser's insert does nothing.
                .on_conflict_do_nothing()
                .execute(conn)
                .await?
        }
    };

    let (signature_id, outcome) = match existing {
        None if inserted == 1 => (id, SignOutcome::Created),
        None => return Ok(SignOutcome::AlreadyKnown),
        Some((existing_id, status, sent_at)) => {
            if status != "pending" || now - sent_at < RESEND_AFTER {
                return Ok(SignOutcome::AlreadyKnown);
            }
            // A new token replaces the old one: the newest email is the one that works.
            diesel::update(signatures::table.find(existing_id))
                .set((
                    signatures::confirm_token_hash.eq(&token.hash),
                    signatures::confirmation_sent_at.eq(now),
                ))
                .execute(conn)
                .await?;
            (existing_id, SignOutcome::ConfirmationResent)
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
    outbox::enqueue(conn, keys, ctx.mail.confirmation(&recipient, &token.plain)?, now).await?;
    Ok(outcome)
}
