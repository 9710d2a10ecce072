//! Confirmation reminders: a supporter who signed but did not confirm gets up to
//! `RALLYPOST_REMINDERS` reminders, the first `RALLYPOST_REMINDER_AFTER` after signing,
//! in the language they signed in, through the outbox like their confirmation.
//!
//! Reminder `n` is due once `n × after` has passed since signing and no confirmation
//! email of any kind (the first one, a re-sign's resend, an earlier reminder) has gone in
//! the last 24 hours; so reminders are never closer than a day, whatever `after` says.
//! None goes once the signature is confirmed or withdrawn, to an address a bounce marked
//! undeliverable, nor for a campaign that no longer takes signatures.
//!
//! Each reminder carries a fresh link, and, as with a resend, the fresh token replaces the
//! old one: only the newest email's link confirms (the reminder says so). One token per
//! signature keeps a single stored hash and a single expiry (seven days from the newest
//! email).
//!
//! Several workers may look at once: a due row is locked (`SKIP LOCKED`) while its reminder
//! is queued, and `reminders_sent` moves from n to n + 1 only where it still is n, in the
//! transaction that writes the email; so each reminder is queued once.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Double, Nullable, SmallInt, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::emails::{MailContext, Recipient};
use crate::campaigns::Campaign;
use crate::crypto::{DataKeys, Field, secret};
use crate::db::schema::signatures;
use crate::domain::Lang;
use crate::outbox::{self, NewMessage};

/// However short `RALLYPOST_REMINDER_AFTER`, a signature gets no more than one
/// confirmation email a day.
pub const REMINDER_GAP: Duration = Duration::hours(24);

/// How many reminders, and how long after signing (and between them).
#[derive(Clone, Copy, Debug)]
pub struct ReminderPolicy {
    pub reminders: u8,
    pub after: Duration,
}

#[derive(QueryableByName)]
struct Due {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    campaign_id: Uuid,
    #[diesel(sql_type = SmallInt)]
    reminders_sent: i16,
    #[diesel(sql_type = Text)]
    key_id: String,
    #[diesel(sql_type = Nullable<diesel::sql_types::Bytea>)]
    email: Option<Vec<u8>>,
    #[diesel(sql_type = Nullable<diesel::sql_types::Bytea>)]
    name: Option<Vec<u8>>,
    #[diesel(sql_type = Text)]
    language: String,
    #[diesel(sql_type = Timestamptz)]
    signed_at: DateTime<Utc>,
}

/// Queues the reminders due at `now` for signatures of `campaigns` (those still taking
/// signatures), at most `batch` in one transaction; returns how many were queued.
#[tracing::instrument(skip_all)]
pub async fn queue_reminders(
    conn: &mut AsyncPgConnection,
    keys: &DataKeys,
    mail: &MailContext,
    campaigns: &[&Campaign],
    policy: ReminderPolicy,
    now: DateTime<Utc>,
    batch: i64,
) -> anyhow::Result<usize> {
    if policy.reminders == 0 || campaigns.is_empty() {
        return Ok(0);
    }
    let campaign_ids: Vec<Uuid> = campaigns.iter().map(|c| c.id).collect();
    conn.transaction(async |conn| {
        // `signed_at <= now - after` bounds the walk of `signatures_pending_signed_at`;
        // the later reminders' own times are checked row by row.
        let due: Vec<Due> = diesel::sql_query(
            "select id, campaign_id, reminders_sent, key_id, email, name, language, signed_at from signatures \
             where status = 'pending' and campaign_id = any($1) \
               and reminders_sent < $2 \
               and signed_at <= $3 - make_interval(secs => $4) \
               and signed_at <= $3 - make_interval(secs => $4 * (reminders_sent + 1)) \
               and confirmation_sent_at <= $5 \
               and email_undeliverable_at is null \
             order by signed_at limit $6 \
             for update skip locked",
        )
        .bind::<Array<SqlUuid>, _>(&campaign_ids)
        .bind::<SmallInt, _>(i16::from(policy.reminders))
        .bind::<Timestamptz, _>(now)
        .bind::<Double, _>(policy.after.num_seconds() as f64)
        .bind::<Timestamptz, _>(now - REMINDER_GAP)
        .bind::<BigInt, _>(batch)
        .load(conn)
        .await?;
        let mut mail_out: Vec<NewMessage> = Vec::with_capacity(due.len());
        for row in due {
            let campaign = campaigns.iter().find(|c| c.id == row.campaign_id).expect("selected by campaign");
            let field = |column| Field { column, row: &row.id };
            let email = keys.decrypt_text(&row.key_id, field("signatures.email"), row.email.as_deref())?;
            let name = keys.decrypt_text(&row.key_id, field("signatures.name"), row.name.as_deref())?;
            let (Some(email), Some(name)) = (email, name) else {
                anyhow::bail!("a pending signature without email or name");
            };
            let token = secret::generate();
            let taken = diesel::update(
                signatures::table
                    .find(row.id)
                    .filter(signatures::status.eq(super::SignatureStatus::Pending))
                    .filter(signatures::reminders_sent.eq(row.reminders_sent)),
            )
            .set((
                signatures::reminders_sent.eq(row.reminders_sent + 1),
                signatures::confirm_token_hash.eq(secret::row_digest(&token)),
                signatures::confirmation_sent_at.eq(now),
            ))
            .execute(conn)
            .await?;
            if taken == 0 {
                continue;
            }
            let lang = Lang::from_tag(&row.language).unwrap_or_default();
            let recipient = Recipient {
                signature_id: row.id,
                campaign_id: row.campaign_id,
                name: &name,
                email: &email,
                lang,
                campaign_title: &campaign.file.text(lang).title,
                signed_at: row.signed_at,
                zone: campaign.file.dispatch.timezone,
            };
            mail_out.push(mail.reminder(&recipient, &token)?);
        }
        outbox::enqueue_many(conn, keys, &mail_out.iter().collect::<Vec<_>>(), now).await?;
        Ok(mail_out.len())
    })
    .await
}
