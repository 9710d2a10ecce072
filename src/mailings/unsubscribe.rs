//! One-click unsubscribe (RFC 8058): the token in a mailing's link and header names the
//! signature; unsubscribing puts its address on the lead organisation's suppression list
//! (so no later mailing reaches it, from any campaign, whatever it signs later), clears
//! the signature's `updates_opt_in`, and drops mailing messages to it not yet sent.
//! Pressing it twice changes nothing more.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::token::UnsubscribeKey;
use crate::db::schema::{outbox, signatures};
use crate::domain::Lang;
use crate::outbox::{Kind, OutboxStatus};
use crate::suppressions::{self, Sender};

#[derive(Debug, PartialEq, Eq)]
pub enum UnsubscribeOutcome {
    /// Unsubscribed now or before; the page speaks the language signed in.
    Unsubscribed { lang: Lang },
    /// Not a token of ours, or its signature is gone.
    Invalid,
}

/// Whether `token` is a working unsubscribe link, for the page with the button (a GET
/// changes nothing: mail scanners follow links).
pub fn is_valid(key: &UnsubscribeKey, token: &str) -> bool {
    key.open(token, Sender::Lead).is_some()
}

#[tracing::instrument(skip_all)]
pub async fn unsubscribe(
    conn: &mut AsyncPgConnection,
    key: &UnsubscribeKey,
    token: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<UnsubscribeOutcome> {
    let Some(signature_id) = key.open(token, Sender::Lead) else {
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
            suppressions::suppress(conn, email_key, Sender::Lead, now).await?;
        }
        diesel::update(signatures::table.find(signature_id))
            .set(signatures::updates_opt_in.eq(false))
            .execute(conn)
            .await?;
        drop_unsent(conn, signature_id).await?;
        tracing::info!("unsubscribed from news");
        let lang = Lang::from_tag(&language).unwrap_or_default();
        Ok(UnsubscribeOutcome::Unsubscribed { lang })
    })
    .await
}

async fn drop_unsent(conn: &mut AsyncPgConnection, signature_id: Uuid) -> QueryResult<usize> {
    diesel::delete(
        outbox::table
            .filter(outbox::signature_id.eq(signature_id))
            .filter(outbox::kind.eq(Kind::Mailing))
            .filter(outbox::status.eq(OutboxStatus::Pending.literal())),
    )
    .execute(conn)
    .await
}
