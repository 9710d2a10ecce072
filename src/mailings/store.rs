//! The `mailings` table: a mailing's words, audience filter and status, and the status
//! changes an organizer makes (schedule, pause, resume, cancel). Each change locks the
//! mailing's row, as the filler does (`fill.rs`), so a pause never races a batch being queued.
//!
//! Each mailing has a sender: the lead organisation or one partner (`partner_id`). The
//! lead's managers work with all of a campaign's mailings; a partner's organizer only with
//! their partner's (`Desk`), and another sender's mailing is, to them, one that does not exist.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::draft::{Draft, MailingText};
use crate::db::schema::{mailing_recipients, mailings, outbox};
use crate::db::text_enum;
use crate::domain::{Country, Lang};
use crate::outbox::OutboxStatus;
use crate::partners::PartnerId;
use crate::suppressions::Sender;

text_enum! {
    /// Where a mailing stands.
    pub enum MailingStatus {
        /// Written, not yet sent: it may be previewed and tested.
        Draft = "draft",
        /// To be sent at `send_at`.
        Scheduled = "scheduled",
        /// Being queued and delivered.
        Sending = "sending",
        /// Held: nothing more is queued or delivered until it is resumed.
        Paused = "paused",
        /// Stopped for good; what had not gone yet was dropped.
        Cancelled = "cancelled",
    }
}

/// Pending messages of a paused mailing wait this long (their next attempt pushed out)
/// until it is resumed, so that the outbox's own claim rule leaves them alone.
const PAUSED_FOR: chrono::Duration = chrono::Duration::days(365 * 100);

#[derive(Clone, Debug)]
pub struct Mailing {
    pub id: Uuid,
    pub campaign_id: Uuid,
    /// The lead or a partner; never `Sender::Everyone`.
    pub sender: Sender,
    pub status: MailingStatus,
    pub texts: BTreeMap<Lang, MailingText>,
    pub countries: Vec<String>,
    pub languages: Vec<String>,
    pub send_at: Option<DateTime<Utc>>,
    pub queued_all_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = mailings)]
struct MailingRow {
    id: Uuid,
    campaign_id: Uuid,
    status: MailingStatus,
    texts: serde_json::Value,
    countries: Vec<String>,
    languages: Vec<String>,
    send_at: Option<DateTime<Utc>>,
    queued_all_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    partner_id: Option<String>,
}

impl MailingRow {
    fn into_mailing(self) -> anyhow::Result<Mailing> {
        let stored: BTreeMap<String, MailingText> = serde_json::from_value(self.texts)?;
        let texts =
            stored.into_iter().filter_map(|(tag, text)| Some((Lang::from_tag(&tag)?, text))).collect();
        let partner =
            self.partner_id.map(|p| PartnerId::parse(&p)).transpose().map_err(anyhow::Error::msg)?;
        Ok(Mailing {
            id: self.id,
            campaign_id: self.campaign_id,
            sender: Sender::of_partner(partner),
            status: self.status,
            texts,
            countries: self.countries,
            languages: self.languages,
            send_at: self.send_at,
            queued_all_at: self.queued_all_at,
            created_at: self.created_at,
        })
    }
}

/// Whose mailings an organizer works with: what they list and open, and whom the mailings
/// they write are from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Desk {
    /// The lead organisation's managers (and owners): every mailing of the campaign; new
    /// ones are the lead's.
    Lead,
    /// A partner's organizer: that partner's mailings only; new ones are the partner's.
    Partner(PartnerId),
}

impl Desk {
    /// Whom the mailings written at this desk are from.
    pub fn sender(&self) -> Sender {
        match self {
            Desk::Lead => Sender::Lead,
            Desk::Partner(id) => Sender::Partner(id.clone()),
        }
    }

    fn sees(&self, mailing: &Mailing) -> bool {
        match self {
            Desk::Lead => true,
            Desk::Partner(id) => mailing.sender.partner() == Some(id),
        }
    }
}

/// Stores a new draft from `desk`'s sender; returns its id.
pub async fn create(
    conn: &mut AsyncPgConnection,
    campaign_id: Uuid,
    organizer_id: Uuid,
    desk: &Desk,
    draft: &Draft,
    now: DateTime<Utc>,
) -> anyhow::Result<Uuid> {
    let id = crate::ids::new_id();
    let texts: BTreeMap<&str, &MailingText> = draft.texts.iter().map(|(l, t)| (l.code(), t)).collect();
    diesel::insert_into(mailings::table)
        .values((
            mailings::id.eq(id),
            mailings::campaign_id.eq(campaign_id),
            mailings::created_by.eq(organizer_id),
            mailings::partner_id.eq(desk.sender().partner().map(|p| p.as_ref().to_owned())),
            mailings::status.eq(MailingStatus::Draft),
            mailings::texts.eq(serde_json::to_value(texts)?),
            mailings::countries.eq(draft.countries.iter().map(Country::code).collect::<Vec<_>>()),
            mailings::languages.eq(draft.languages.iter().map(|l| l.code()).collect::<Vec<_>>()),
            mailings::created_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(id)
}

/// The campaign's mailing `id`, if it is one and `desk` may see it.
pub async fn find(
    conn: &mut AsyncPgConnection,
    campaign_id: Uuid,
    desk: &Desk,
    id: Uuid,
) -> anyhow::Result<Option<Mailing>> {
    let row: Option<MailingRow> = mailings::table
        .filter(mailings::id.eq(id))
        .filter(mailings::campaign_id.eq(campaign_id))
        .select(MailingRow::as_select())
        .first(conn)
        .await
        .optional()?;
    Ok(row.map(MailingRow::into_mailing).transpose()?.filter(|m| desk.sees(m)))
}

/// The campaign's mailings `desk` may see, newest first.
pub async fn list(
    conn: &mut AsyncPgConnection,
    campaign_id: Uuid,
    desk: &Desk,
) -> anyhow::Result<Vec<Mailing>> {
    let mut query = mailings::table.filter(mailings::campaign_id.eq(campaign_id)).into_boxed();
    if let Desk::Partner(id) = desk {
        query = query.filter(mailings::partner_id.eq(id.as_ref().to_owned()));
    }
    let rows: Vec<MailingRow> =
        query.order(mailings::created_at.desc()).select(MailingRow::as_select()).load(conn).await?;
    rows.into_iter().map(MailingRow::into_mailing).collect()
}

/// The mailings `ids`, as their messages are written.
pub(super) async fn load(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> anyhow::Result<Vec<Mailing>> {
    let rows: Vec<MailingRow> =
        mailings::table.filter(mailings::id.eq_any(ids)).select(MailingRow::as_select()).load(conn).await?;
    rows.into_iter().map(MailingRow::into_mailing).collect()
}

/// Locks and reads a mailing's row for a status change or a batch.
pub(super) async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> anyhow::Result<Option<Mailing>> {
    let row: Option<MailingRow> =
        mailings::table.find(id).select(MailingRow::as_select()).for_update().first(conn).await.optional()?;
    row.map(MailingRow::into_mailing).transpose()
}

/// What an organizer may do to a mailing from the dashboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Send from `at` (now, or later).
    Send {
        at: DateTime<Utc>,
    },
    Pause,
    Resume,
    Cancel,
}

#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    #[error("This mailing is {0} already; reload the page to see where it stands.")]
    NotNow(MailingStatus),
    #[error("Nobody would receive this mailing: no confirmed supporter who asked for news matches it.")]
    EmptyAudience,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<diesel::result::Error> for ActionError {
    fn from(e: diesel::result::Error) -> Self {
        ActionError::Unexpected(e.into())
    }
}

/// Applies `action` to the campaign's mailing `id`, in one transaction; `None` if there is
/// no such mailing.
pub async fn act(
    conn: &mut AsyncPgConnection,
    campaign_id: Uuid,
    id: Uuid,
    action: Action,
    now: DateTime<Utc>,
) -> Result<Option<MailingStatus>, ActionError> {
    conn.transaction(async |conn| {
        let Some(mailing) = lock(conn, id).await?.filter(|m| m.campaign_id == campaign_id) else {
            return Ok(None);
        };
        use MailingStatus as S;
        let next = match (action, mailing.status) {
            (Action::Send { .. }, S::Draft | S::Scheduled) => {
                if super::audience::count(conn, &mailing).await? == 0 {
                    return Err(ActionError::EmptyAudience);
                }
                if let Action::Send { at } = action
                    && at > now
                {
                    S::Scheduled
                } else {
                    S::Sending
                }
            }
            (Action::Pause, S::Sending | S::Scheduled) => S::Paused,
            (Action::Resume, S::Paused) => S::Sending,
            (Action::Cancel, S::Draft | S::Scheduled | S::Sending | S::Paused) => S::Cancelled,
            (_, status) => return Err(ActionError::NotNow(status)),
        };
        let send_at = match action {
            Action::Send { at } => Some(at.max(now)),
            _ => mailing.send_at,
        };
        diesel::update(mailings::table.find(id))
            .set((mailings::status.eq(next), mailings::send_at.eq(send_at)))
            .execute(conn)
            .await?;
        let pending = mailing_recipients::table
            .filter(mailing_recipients::mailing_id.eq(id))
            .select(mailing_recipients::outbox_id.assume_not_null());
        let pending_rows = outbox::table
            .filter(outbox::id.eq_any(pending))
            .filter(outbox::status.eq(OutboxStatus::Pending.literal()));
        match next {
            S::Paused => {
                diesel::update(pending_rows)
                    .set(outbox::next_attempt_at.eq(now + PAUSED_FOR))
                    .execute(conn)
                    .await?;
            }
            S::Sending if action == Action::Resume => {
                diesel::update(pending_rows).set(outbox::next_attempt_at.eq(now)).execute(conn).await?;
            }
            S::Cancelled => {
                diesel::delete(pending_rows).execute(conn).await?;
            }
            _ => {}
        }
        Ok(Some(next))
    })
    .await
}

/// Where a mailing's messages stand.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Queued and not yet delivered (waiting, or held while paused).
    pub queued: i64,
    pub sent: i64,
    pub failed: i64,
    /// Dropped unsent: cancelled, unsubscribed or withdrawn before their turn.
    pub dropped: i64,
    /// Recipients who have unsubscribed from its sender since (from this mailing or otherwise).
    pub unsubscribed: i64,
}

#[derive(QueryableByName)]
struct ProgressRow {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    queued: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    sent: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    failed: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    dropped: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    unsubscribed: i64,
}

/// One walk of the mailing's recipients, counting by where each message stands.
pub async fn progress(conn: &mut AsyncPgConnection, id: Uuid) -> anyhow::Result<Progress> {
    let row: ProgressRow = diesel::sql_query(
        "select count(*) filter (where o.status = 'pending') as queued, \
                count(*) filter (where o.status = 'sent') as sent, \
                count(*) filter (where o.status = 'failed') as failed, \
                count(*) filter (where o.id is null) as dropped, \
                count(*) filter (where case when m.partner_id is null then not s.updates_opt_in \
                                            else not s.partner_opt_in end) as unsubscribed \
         from mailing_recipients r \
         join mailings m on m.id = r.mailing_id \
         left join outbox o on o.id = r.outbox_id \
         join signatures s on s.id = r.signature_id \
         where r.mailing_id = $1",
    )
    .bind::<diesel::sql_types::Uuid, _>(id)
    .get_result(conn)
    .await?;
    Ok(Progress {
        queued: row.queued,
        sent: row.sent,
        failed: row.failed,
        dropped: row.dropped,
        unsubscribed: row.unsubscribed,
    })
}

/// The outbox rows of a mailing's messages, as a subquery, for what keeps facts about sent
/// messages by their row (bounces) to count a mailing's.
#[diesel::dsl::auto_type]
pub fn outbox_ids(mailing: Uuid) -> _ {
    mailing_recipients::table
        .filter(mailing_recipients::mailing_id.eq(mailing))
        .select(mailing_recipients::outbox_id)
}
