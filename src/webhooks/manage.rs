//! Receivers added and removed by owners in the dashboard: the rules of `receivers.rs`, as
//! on the command line, and a line in the organizers' audit log written in the same
//! transaction. The address check (a DNS lookup) runs before the transaction opens.

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::address::AddressPolicy;
use super::receivers::{self, AddError, Receiver, ReceiverUrl, Whose};
use super::secret::SigningSecret;
use crate::crypto::DataKeys;
use crate::organizers::{self, AuditAction, AuditLine, Who};

/// What an owner asked to add.
pub struct NewReceiver<'a> {
    pub whose: &'a Whose,
    pub url: &'a ReceiverUrl,
}

/// Adds a receiver for `who`; returns it with its secret, to be shown once.
pub async fn add_by(
    conn: &mut AsyncPgConnection,
    keys: &DataKeys,
    who: &Who,
    new: NewReceiver<'_>,
    policy: AddressPolicy,
    now: DateTime<Utc>,
) -> Result<(Receiver, SigningSecret), AddError> {
    receivers::check(new.url, policy).await?;
    let added = conn
        .transaction(async |conn| {
            let (receiver, secret) = receivers::insert(conn, keys, new.whose, new.url, now).await?;
            let subject = receiver.id.to_string();
            let detail = format!("for the {}: {}", new.whose, site(new.url.as_ref()));
            let line =
                AuditLine { who, action: AuditAction::WebhookAdd, subject: Some(&subject), detail: &detail };
            organizers::audit(conn, line, now).await?;
            anyhow::Ok((receiver, secret))
        })
        .await?;
    Ok(added)
}

/// Removes a receiver for `who`, dropping what was still queued for it; false if none.
pub async fn remove_by(
    conn: &mut AsyncPgConnection,
    who: &Who,
    id: Uuid,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    conn.transaction(async |conn| {
        let Some(receiver) = receivers::find(conn, id).await? else { return Ok(false) };
        anyhow::ensure!(receivers::remove(conn, id).await?, "the receiver went while it was being removed");
        let (subject, detail) =
            (id.to_string(), format!("for the {}: {}", receiver.whose(), site(&receiver.url)));
        let line =
            AuditLine { who, action: AuditAction::WebhookRemove, subject: Some(&subject), detail: &detail };
        organizers::audit(conn, line, now).await?;
        Ok(true)
    })
    .await
}

/// The scheme, host and port of a receiver's URL: its path and query may hold the
/// receiver's own token, which the audit log has no need of.
fn site(url: &str) -> String {
    url::Url::parse(url).map_or_else(|_| "(not a URL)".to_owned(), |url| url.origin().ascii_serialization())
}
