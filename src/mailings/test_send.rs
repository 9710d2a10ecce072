//! "Send a test to me": every language of the mailing, through the outbox like any other
//! mail, to the signed-in organizer's own address, with their address's local part for
//! `{name}`, from the mailing's sender (a partner's name and `Reply-To` for a partner's).
//! Its unsubscribe link is a dummy: no supporter is behind it.

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};

use super::message::{MailingContext, To, prepare};
use super::store::Mailing;
use crate::campaigns::Campaign;

/// Queues one test message per language; returns how many.
pub async fn send_test(
    conn: &mut AsyncPgConnection,
    ctx: &MailingContext,
    campaign: &Campaign,
    mailing: &Mailing,
    organizer_email: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let name = organizer_email.split('@').next().unwrap_or_default();
    let mut messages = Vec::new();
    for version in prepare(mailing).values() {
        let to = To { signature_id: None, email: organizer_email, name };
        messages.push(ctx.message(campaign, &mailing.sender, version, &to)?);
    }
    let refs: Vec<_> = messages.iter().collect();
    conn.transaction(async |conn| Ok(crate::outbox::enqueue_many(conn, &ctx.keys, &refs, now).await?)).await
}
