//! One-click unsubscribe (RFC 8058): the token in a mailing's link and header names the
//! signature and the sender, the lead organisation or one partner. Unsubscribing puts the
//! address on that sender's suppression list (so no later mailing of that sender reaches
//! it, from any campaign, whatever it signs later), clears the signature's opt-in for that
//! sender (`updates_opt_in` for the lead, `partner_opt_in` for its partner), and drops that
//! sender's mailing messages to it not yet sent. Other senders' news keeps coming: a
//! supporter who leaves a partner's list still hears from the lead. Pressing it twice
//! changes nothing more.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::token::UnsubscribeKey;
use crate::db::schema::{mailing_recipients, mailings, outbox, signatures};
use crate::domain::Lang;
use crate::outbox::OutboxStatus;
use crate::suppressions::{self, Sender};

/// Whose news a link stops, as the page names it.
#[derive(Debug, PartialEq, Eq)]
pub enum NewsFrom {
    Lead,
    /// A partner, by its name in the campaign file (its id if the file no longer lists it).
    Partner(String),
}

#[derive(Debug, PartialEq, Eq)]
pub enum UnsubscribeOutcome {
    /// Unsubscribed now or before; the page speaks the language signed in.
    Unsubscribed { lang: Lang, from: NewsFrom },
    /// Not a token of ours, or its signature is gone.
    Invalid,
}

/// Whose news a working unsubscribe link stops, for the page with the button (a GET
/// changes nothing: mail scanners follow links); `None` if it is no link of ours. Only a
/// partner's link reads the database, for the partner's name.
pub async fn stops(
    conn: &mut AsyncPgConnection,
    key: &UnsubscribeKey,
    token: &str,
) -> anyhow::Result<Option<NewsFrom>> {
    match key.open(token) {
        None => Ok(None),
        Some((signature_id, sender)) => news_from(conn, signature_id, &sender).await,
    }
}

/// `sender` as the page names it: a partner by its name in the campaign file of the
/// signature's campaign; `None` if the signature is gone.
async fn news_from(
    conn: &mut AsyncPgConnection,
    signature_id: Uuid,
    sender: &Sender,
) -> anyhow::Result<Option<NewsFrom>> {
    let campaign_id: Option<Uuid> =
        signatures::table.find(signature_id).select(signatures::campaign_id).first(conn).await.optional()?;
    let (Some(partner), Some(campaign_id)) = (sender.partner(), campaign_id) else {
        return Ok(campaign_id.map(|_| NewsFrom::Lead));
    };
    let campaign = crate::campaigns::find_by_id(conn, campaign_id).await?;
    let name = campaign.file.partner(partner).map_or_else(|| partner.to_string(), |p| p.name.clone());
    Ok(Some(NewsFrom::Partner(name)))
}

#[tracing::instrument(skip_all)]
pub async fn unsubscribe(
    conn: &mut AsyncPgConnection,
    key: &UnsubscribeKey,
    token: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<UnsubscribeOutcome> {
    let Some((signature_id, sender)) = key.open(token) else {
        return Ok(UnsubscribeOutcome::Invalid);
    };
    conn.transaction(async |conn| {
        let found: Option<(Option<Vec<u8>>, String)> = signatures::table
            .find(signature_id)
            .select((signatures::email_key, signatures::language))
            .for_update()
            .first(conn)
            .await
            .optional()?;
        let Some((email_key, language)) = found else {
            return Ok(UnsubscribeOutcome::Invalid);
        };
        // A withdrawn signature has no key left, and its address is on the everyone list
        // already.
        if let Some(email_key) = &email_key {
            suppressions::suppress(conn, email_key, &sender, now).await?;
        }
        let signature = signatures::table.find(signature_id);
        match sender.partner() {
            Some(partner) => {
                diesel::update(signature.filter(signatures::partner_id.eq(partner.as_ref())))
                    .set(signatures::partner_opt_in.eq(false))
                    .execute(conn)
                    .await?
            }
            None => diesel::update(signature).set(signatures::updates_opt_in.eq(false)).execute(conn).await?,
        };
        drop_unsent(conn, signature_id, &sender).await?;
        tracing::info!(sender = %sender.as_stored(), "unsubscribed from news");
        let lang = Lang::from_tag(&language).unwrap_or_default();
        let from = news_from(conn, signature_id, &sender).await?.unwrap_or(NewsFrom::Lead);
        Ok(UnsubscribeOutcome::Unsubscribed { lang, from })
    })
    .await
}

/// Deletes the messages of `sender`'s mailings to the signature that have not gone yet.
async fn drop_unsent(
    conn: &mut AsyncPgConnection,
    signature_id: Uuid,
    sender: &Sender,
) -> QueryResult<usize> {
    let of_sender = match sender.partner() {
        Some(partner) => mailings::table
            .filter(mailings::partner_id.eq(partner.as_ref().to_owned()))
            .select(mailings::id)
            .into_boxed(),
        None => mailings::table.filter(mailings::partner_id.is_null()).select(mailings::id).into_boxed(),
    };
    let unsent = mailing_recipients::table
        .filter(mailing_recipients::signature_id.eq(signature_id))
        .filter(mailing_recipients::mailing_id.eq_any(of_sender))
        .select(mailing_recipients::outbox_id.assume_not_null());
    diesel::delete(
        outbox::table
            .filter(outbox::id.eq_any(unsent))
            .filter(outbox::status.eq(OutboxStatus::Pending.literal())),
    )
    .execute(conn)
    .await
}
