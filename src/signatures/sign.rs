//! Signing: one row per address and campaign, its confirmation email in the same
//! transaction. The caller answers the same way whatever happened here.
//!
//! Signing is split in two so that concurrent signatures can share a transaction (see
//! `intake`): `prepare` does the work that needs no database (encryption, rendering the
//! email), and `commit` writes a batch of prepared signatures in one transaction, with one
//! statement per table, and tells each what happened.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::SignatureStatus;
use super::emails::{MailContext, Recipient};
use crate::campaigns::Campaign;
use crate::crypto::{DataKeys, Field, secret};
use crate::db::schema::signatures;
use crate::domain::{Comment, Country, Lang, Postcode, SupporterEmail, SupporterName};
use crate::outbox::{self, NewMessage};
use crate::partners::Referral;

/// A pending signature gets its confirmation email again at most this often.
const RESEND_AFTER: Duration = Duration::minutes(10);

pub struct NewSignature {
    pub name: SupporterName,
    pub email: SupporterEmail,
    pub country: Country,
    pub postcode: Option<Postcode>,
    pub comment: Option<Comment>,
    pub updates_opt_in: bool,
    /// News from the partner in `referral`; ignored without one.
    pub partner_opt_in: bool,
    /// Counted and exported, but never named to a target.
    pub anonymous: bool,
    /// Where the supporter came from; its partner is one the campaign lists.
    pub referral: Referral,
    pub lang: Lang,
}

/// What happened, for logs and tests; the supporter sees the same answer for all three.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

/// A signature ready to be written: encrypted, with its confirmation email rendered.
pub struct Prepared {
    row: SignatureRow,
    /// The address's lookup key under every configured data key, so a repeat is found
    /// even in the middle of a key rotation.
    lookups: Vec<Vec<u8>>,
    token_hash: Vec<u8>,
    confirmation: NewMessage,
}

impl Prepared {
    pub fn campaign_id(&self) -> Uuid {
        self.row.campaign_id
    }

    /// The id the signature gets if it is new. The write API answers with it whatever
    /// happened, so that its answer never tells whether the address had signed before.
    pub fn id(&self) -> Uuid {
        self.row.id
    }
}

#[derive(Insertable)]
#[diesel(table_name = signatures)]
struct SignatureRow {
    id: Uuid,
    campaign_id: Uuid,
    status: SignatureStatus,
    email_key: Vec<u8>,
    key_id: String,
    email: Vec<u8>,
    name: Vec<u8>,
    country: &'static str,
    postcode: Option<Vec<u8>>,
    comment: Option<Vec<u8>>,
    consent_to_targets: bool,
    consent_text_sha256: Vec<u8>,
    updates_opt_in: bool,
    partner_id: Option<String>,
    partner_opt_in: bool,
    partner_consent_sha256: Option<Vec<u8>>,
    utm_source: Option<String>,
    utm_medium: Option<String>,
    utm_campaign: Option<String>,
    referrer_host: Option<String>,
    anonymous: bool,
    language: &'static str,
    confirm_token_hash: Vec<u8>,
    signed_at: DateTime<Utc>,
    confirmation_sent_at: DateTime<Utc>,
}

/// Signs alone, in a transaction of its own.
#[tracing::instrument(skip_all, fields(campaign = %campaign.slug))]
pub async fn sign(
    conn: &mut AsyncPgConnection,
    campaign: &Campaign,
    new: &NewSignature,
    ctx: &SignContext<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<SignOutcome> {
    let prepared = prepare(campaign, new, ctx, now)?;
    let outcome = commit(conn, ctx.keys, std::slice::from_ref(&prepared)).await?[0];
    tracing::info!(?outcome, "signature received");
    Ok(outcome)
}

/// Everything about a signature that needs no database.
pub fn prepare(
    campaign: &Campaign,
    new: &NewSignature,
    ctx: &SignContext<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<Prepared> {
    let keys = ctx.keys;
    let token = secret::generate();
    let token_hash = secret::row_digest(&token);
    let canonical = new.email.canonical();
    let id = crate::ids::new_id();
    let field = |column| Field { column, row: &id };
    let text = campaign.file.text(new.lang);
    let referral = &new.referral;
    let partner = referral.partner.as_ref().and_then(|id| campaign.file.partner(id));
    // The partner's consent, with the wording shown (as for the targets' consent above).
    let partner_consent = partner.filter(|_| new.partner_opt_in).map(|p| {
        let (_, wording) = p.optin(new.lang, campaign.file.default_lang());
        Sha256::digest(wording.as_bytes()).to_vec()
    });
    let tag = |t: &Option<crate::partners::SourceTag>| t.as_ref().map(|t| t.as_ref().to_owned());
    let row = SignatureRow {
        id,
        campaign_id: campaign.id,
        status: SignatureStatus::Pending,
        email_key: keys.email_lookup(&canonical),
        key_id: keys.current_id().to_owned(),
        email: keys.encrypt(field("signatures.email"), new.email.as_ref().as_bytes()),
        name: keys.encrypt(field("signatures.name"), new.name.as_ref().as_bytes()),
        country: new.country.code(),
        postcode: keys.encrypt_text(field("signatures.postcode"), new.postcode.as_ref().map(AsRef::as_ref)),
        comment: keys.encrypt_text(field("signatures.comment"), new.comment.as_ref().map(AsRef::as_ref)),
        consent_to_targets: true,
        consent_text_sha256: Sha256::digest(text.consent.as_bytes()).to_vec(),
        updates_opt_in: new.updates_opt_in,
        partner_id: partner.map(|p| p.id.to_string()),
        partner_opt_in: partner_consent.is_some(),
        partner_consent_sha256: partner_consent,
        utm_source: tag(&referral.source),
        utm_medium: tag(&referral.medium),
        utm_campaign: tag(&referral.campaign),
        referrer_host: referral.referrer_host.as_ref().map(|h| h.as_ref().to_owned()),
        anonymous: new.anonymous,
        language: new.lang.code(),
        confirm_token_hash: token_hash.clone(),
        signed_at: now,
        confirmation_sent_at: now,
    };
    let recipient = Recipient {
        signature_id: id,
        campaign_id: campaign.id,
        name: new.name.as_ref(),
        email: new.email.as_ref(),
        lang: new.lang,
        campaign_title: &text.title,
        signed_at: now,
        zone: campaign.file.dispatch.timezone,
    };
    let confirmation = ctx.mail.confirmation(&recipient, &token)?;
    Ok(Prepared { row, lookups: keys.email_lookups(&canonical), token_hash, confirmation })
}

/// A signature already there for an address in the batch: its id, status and when its
/// confirmation was last sent.
type Known = (Uuid, SignatureStatus, DateTime<Utc>);

/// Writes prepared signatures in one transaction; returns what happened to each, in order.
pub async fn commit(
    conn: &mut AsyncPgConnection,
    keys: &DataKeys,
    batch: &[Prepared],
) -> QueryResult<Vec<SignOutcome>> {
    if batch.is_empty() {
        return Ok(Vec::new());
    }
    conn.transaction(async move |conn| commit_in_transaction(conn, keys, batch).await).await
}

async fn commit_in_transaction(
    conn: &mut AsyncPgConnection,
    keys: &DataKeys,
    batch: &[Prepared],
) -> QueryResult<Vec<SignOutcome>> {
    // What is there already, locked (in a fixed order, so concurrent batches cannot
    // deadlock) until this transaction ends.
    let campaign_ids: HashSet<Uuid> = batch.iter().map(|p| p.row.campaign_id).collect();
    let lookups: Vec<&[u8]> = batch.iter().flat_map(|p| p.lookups.iter().map(Vec::as_slice)).collect();
    let existing: Vec<(Uuid, Option<Vec<u8>>, Known)> = signatures::table
        .filter(signatures::campaign_id.eq_any(campaign_ids))
        .filter(signatures::email_key.eq_any(&lookups))
        // Sent unprepared, so PostgreSQL plans it with this batch's values every time. As a
        // prepared statement its plan was made while the table was nearly empty (a
        // sequential scan) and kept as the table grew: every batch read every signature
        // (found with auto_explain under bench/sign.sh). A literal makes Diesel skip its
        // statement cache.
        .filter(diesel::dsl::sql::<diesel::sql_types::Bool>("true"))
        .select((
            signatures::campaign_id,
            signatures::email_key,
            (signatures::id, signatures::status, signatures::confirmation_sent_at),
        ))
        .order(signatures::id)
        .for_update()
        .load(conn)
        .await?;
    let existing: HashMap<(Uuid, &[u8]), Known> = existing
        .iter()
        .filter_map(|(campaign, key, known)| Some(((*campaign, key.as_deref()?), *known)))
        .collect();

    let mut outcomes = vec![SignOutcome::AlreadyKnown; batch.len()];
    let mut new_rows = Vec::new();
    let mut resends = Vec::new();
    let mut seen = HashSet::new();
    for (i, p) in batch.iter().enumerate() {
        // The same address twice in one batch: the second is a repeat of the first.
        if !seen.insert((p.row.campaign_id, p.row.email_key.as_slice())) {
            continue;
        }
        let found = p.lookups.iter().find_map(|key| existing.get(&(p.row.campaign_id, key.as_slice())));
        match found {
            None => new_rows.push(i),
            Some(&(id, status, sent_at)) => {
                if status == SignatureStatus::Pending && p.row.signed_at - sent_at >= RESEND_AFTER {
                    resends.push((i, id));
                }
            }
        }
    }

    // In key order, like the locks above. A first signature racing another process's
    // for the same address loses quietly: its insert does nothing and it is a repeat.
    new_rows.sort_by_key(|&i| (batch[i].row.campaign_id, batch[i].row.email_key.as_slice()));
    let created: HashSet<Uuid> = if new_rows.is_empty() {
        HashSet::new()
    } else {
        diesel::insert_into(signatures::table)
            .values(new_rows.iter().map(|&i| &batch[i].row).collect::<Vec<_>>())
            .on_conflict_do_nothing()
            .returning(signatures::id)
            .get_results(conn)
            .await?
            .into_iter()
            .collect()
    };

    let mut mail: Vec<&NewMessage> = Vec::new();
    for &i in &new_rows {
        if created.contains(&batch[i].row.id) {
            outcomes[i] = SignOutcome::Created;
            mail.push(&batch[i].confirmation);
        }
    }
    // A new token replaces the old one: the newest email is the one that works.
    let mut resent = Vec::new();
    for &(i, existing_id) in &resends {
        let p = &batch[i];
        diesel::update(signatures::table.find(existing_id))
            .set((
                signatures::confirm_token_hash.eq(&p.token_hash),
                signatures::confirmation_sent_at.eq(p.row.signed_at),
            ))
            .execute(conn)
            .await?;
        outcomes[i] = SignOutcome::ConfirmationResent;
        resent.push(NewMessage { signature_id: Some(existing_id), ..p.confirmation.clone() });
    }
    mail.extend(&resent);
    outbox::enqueue_many(conn, keys, &mail, batch[0].row.signed_at).await?;
    Ok(outcomes)
}
