//! Confirming and withdrawing by the links in the emails. Both are idempotent: pressing
//! the button twice gives the same page and no second email.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::SignatureStatus;
use super::emails::Recipient;
use super::sign::SignContext;
use crate::campaigns;
use crate::crypto::{DataKeys, Field, secret};
use crate::db::schema::signatures;
use crate::domain::Lang;
use crate::outbox;
use crate::partners::PartnerId;
use crate::suppressions;
use crate::webhooks;

/// Confirmation links stop working after this long.
const CONFIRM_TOKEN_LIFETIME: Duration = Duration::days(7);

#[derive(Debug, PartialEq, Eq)]
pub enum ConfirmOutcome {
    /// Newly confirmed, or confirmed before: either way it counts. Carries the campaign,
    /// the supporter's language and the partner who brought them, for the share links.
    Confirmed { campaign_id: Uuid, lang: Lang, via: Option<PartnerId> },
    /// Unknown, expired, or withdrawn since.
    Invalid,
}

#[derive(Debug, PartialEq, Eq)]
pub enum WithdrawOutcome {
    Withdrawn { campaign_id: Uuid, lang: Lang },
    Invalid,
}

#[derive(Queryable)]
struct Pending {
    id: Uuid,
    campaign_id: Uuid,
    status: SignatureStatus,
    confirmation_sent_at: DateTime<Utc>,
    key_id: String,
    email: Option<Vec<u8>>,
    name: Option<Vec<u8>>,
    language: String,
    country: String,
    signed_at: DateTime<Utc>,
    updates_opt_in: bool,
    partner_id: Option<String>,
    partner_opt_in: bool,
}

#[tracing::instrument(skip_all)]
pub async fn confirm(
    conn: &mut AsyncPgConnection,
    plain_token: &str,
    ctx: &SignContext<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<ConfirmOutcome> {
    let hash = secret::row_digest(plain_token);
    conn.transaction(async move |conn| {
        let found: Option<Pending> = signatures::table
            .filter(signatures::confirm_token_hash.eq(&hash))
            .select((
                signatures::id,
                signatures::campaign_id,
                signatures::status,
                signatures::confirmation_sent_at,
                signatures::key_id,
                signatures::email,
                signatures::name,
                signatures::language,
                signatures::country,
                signatures::signed_at,
                signatures::updates_opt_in,
                signatures::partner_id,
                signatures::partner_opt_in,
            ))
            .for_update()
            .first(conn)
            .await
            .optional()?;
        let Some(sig) = found else {
            return Ok(ConfirmOutcome::Invalid);
        };
        let campaign = campaigns::find_by_id(conn, sig.campaign_id).await?;
        let lang = Lang::from_tag(&sig.language).unwrap_or_default();
        let via = sig.partner_id.as_deref().and_then(|id| PartnerId::parse(id).ok());
        let confirmed = ConfirmOutcome::Confirmed { campaign_id: campaign.id, lang, via };
        match sig.status {
            SignatureStatus::Confirmed => return Ok(confirmed),
            SignatureStatus::Pending if now - sig.confirmation_sent_at <= CONFIRM_TOKEN_LIFETIME => {}
            _ => return Ok(ConfirmOutcome::Invalid),
        }
        let withdraw = secret::generate();
        diesel::update(signatures::table.find(sig.id))
            .set((
                signatures::status.eq(SignatureStatus::Confirmed),
                signatures::confirmed_at.eq(now),
                signatures::withdraw_token_hash.eq(secret::row_digest(&withdraw)),
            ))
            .execute(conn)
            .await?;
        let field = |column| Field { column, row: &sig.id };
        let email = ctx.keys.decrypt_text(&sig.key_id, field("signatures.email"), sig.email.as_deref())?;
        let name = ctx.keys.decrypt_text(&sig.key_id, field("signatures.name"), sig.name.as_deref())?;
        let (Some(email), Some(name)) = (email, name) else {
            anyhow::bail!("a pending signature without email or name");
        };
        let recipient = Recipient {
            signature_id: sig.id,
            campaign_id: sig.campaign_id,
            name: &name,
            email: &email,
            lang,
            campaign_title: &campaign.file.text(lang).title,
            signed_at: sig.signed_at,
            zone: campaign.file.dispatch.timezone,
        };
        outbox::enqueue(conn, ctx.keys, ctx.mail.receipt(&recipient, &withdraw)?, now).await?;
        let confirmed_signature = webhooks::ConfirmedSignature {
            id: sig.id,
            campaign_slug: &campaign.slug,
            signed_at: sig.signed_at,
            name: &name,
            email: &email,
            country: &sig.country,
            language: &sig.language,
            updates_opt_in: sig.updates_opt_in,
            opted_in_partner: sig.partner_id.as_deref().filter(|_| sig.partner_opt_in),
        };
        webhooks::signature_confirmed(conn, ctx.keys, &confirmed_signature, now).await?;
        tracing::info!("signature confirmed");
        Ok(confirmed)
    })
    .await
}

/// The signature a withdrawal link names: id, campaign, status, language and lookup key
/// (none once withdrawn).
type Withdrawing = (Uuid, Uuid, SignatureStatus, String, Option<Vec<u8>>);

/// Erases the supporter's personal data and takes the signature out of counts, exports
/// and future letters. Mail not yet sent to them is dropped; once that has committed, the
/// copies this machine kept of mail that carried them (`.eml` files) are deleted too.
/// Receivers of webhooks that carried them are told to erase them.
#[tracing::instrument(skip_all)]
pub async fn withdraw(
    conn: &mut AsyncPgConnection,
    plain_token: &str,
    transport: &outbox::Transport,
    keys: &DataKeys,
    now: DateTime<Utc>,
) -> anyhow::Result<WithdrawOutcome> {
    let hash = secret::row_digest(plain_token);
    let (outcome, mail) = conn
        .transaction(async move |conn| {
            let found: Option<Withdrawing> = signatures::table
                .filter(signatures::withdraw_token_hash.eq(&hash))
                .select((
                    signatures::id,
                    signatures::campaign_id,
                    signatures::status,
                    signatures::language,
                    signatures::email_key,
                ))
                .for_update()
                .first(conn)
                .await
                .optional()?;
            let Some((id, campaign_id, status, language, email_key)) = found else {
                return Ok((WithdrawOutcome::Invalid, Vec::new()));
            };
            // Read before unsent rows are deleted. Also on a repeated withdrawal, so that
            // files a crash after the first one left behind go then.
            let mail = outbox::ids_for_signature(conn, id).await?;
            if status != SignatureStatus::Withdrawn {
                // The address's keyed hash stays on the suppression list (and nothing else
                // of it): whoever withdrew gets no news from anyone, whatever they sign later.
                if let Some(email_key) = &email_key {
                    suppressions::suppress(conn, email_key, &suppressions::Sender::Everyone, now).await?;
                }
                diesel::update(signatures::table.find(id))
                    .set((
                        signatures::status.eq(SignatureStatus::Withdrawn),
                        signatures::withdrawn_at.eq(now),
                        // The key is derived from the address: drop it so nothing of it
                        // remains and the person may sign again later.
                        signatures::email_key.eq(None::<Vec<u8>>),
                        signatures::email.eq(None::<Vec<u8>>),
                        signatures::name.eq(None::<Vec<u8>>),
                        signatures::postcode.eq(None::<Vec<u8>>),
                        signatures::comment.eq(None::<Vec<u8>>),
                        signatures::confirm_token_hash.eq(None::<Vec<u8>>),
                        // No organisation's news reaches someone who withdrew: the lead's
                        // nor the partner's, whose consent record goes with it.
                        signatures::updates_opt_in.eq(false),
                        signatures::partner_opt_in.eq(false),
                        signatures::partner_consent_sha256.eq(None::<Vec<u8>>),
                    ))
                    .execute(conn)
                    .await?;
                // Before the cancelling below, which drops confirmations not yet posted
                // and so would hide the receivers they were meant for.
                let campaign = campaigns::find_by_id(conn, campaign_id).await?;
                webhooks::signature_withdrawn(conn, keys, id, &campaign.slug, now).await?;
                outbox::cancel_for_signature(conn, id).await?;
                outbox::redact_for_signature(conn, id).await?;
                tracing::info!("signature withdrawn");
            }
            let lang = Lang::from_tag(&language).unwrap_or_default();
            anyhow::Ok((WithdrawOutcome::Withdrawn { campaign_id, lang }, mail))
        })
        .await?;
    transport.erase_copies(&mail).await;
    Ok(outcome)
}
