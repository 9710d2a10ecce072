//! The dashboard's queries on the outbox: letters per target and mail to supporters not
//! yet delivered. Signature counts are in `daily`.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::signatures::SignatureStatus;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StatusTotals {
    pub pending: i64,
    pub confirmed: i64,
    pub withdrawn: i64,
}

impl StatusTotals {
    pub(super) fn add(&mut self, status: SignatureStatus, n: i64) {
        match status {
            SignatureStatus::Pending => self.pending += n,
            SignatureStatus::Confirmed => self.confirmed += n,
            SignatureStatus::Withdrawn => self.withdrawn += n,
        }
    }
}

/// Letters to one target: queued, sent, failed, and the server's latest refusal.
#[derive(Debug, QueryableByName)]
pub struct TargetLetters {
    #[diesel(sql_type = Text)]
    pub target_id: String,
    #[diesel(sql_type = BigInt)]
    pub queued: i64,
    #[diesel(sql_type = BigInt)]
    pub sent: i64,
    #[diesel(sql_type = BigInt)]
    pub failed: i64,
    #[diesel(sql_type = Nullable<Text>)]
    pub last_error: Option<String>,
}

/// Letters and digests to the targets, per target. The counts are an index-only scan of
/// `outbox_campaign_target` (one entry per letter: small in digest mode, see the note in
/// bench/README.md for `individual` mode); the latest refusal a seek to the failed ones.
pub async fn letters_by_target(
    conn: &mut AsyncPgConnection,
    campaign_id: Uuid,
) -> QueryResult<Vec<TargetLetters>> {
    diesel::sql_query(
        "select c.target_id, c.queued, c.sent, c.failed, f.last_error \
         from ( \
           select target_id, \
             count(*) filter (where status = 'pending') as queued, \
             count(*) filter (where status = 'sent') as sent, \
             count(*) filter (where status = 'failed') as failed \
           from outbox where campaign_id = $1 and target_id is not null group by target_id \
         ) c left join ( \
           select distinct on (target_id) target_id, last_error from outbox \
           where campaign_id = $1 and target_id is not null and status = 'failed' \
           order by target_id, created_at desc \
         ) f on f.target_id = c.target_id \
         order by c.target_id",
    )
    .bind::<SqlUuid, _>(campaign_id)
    .load(conn)
    .await
}

#[derive(Debug, QueryableByName)]
pub struct MailRow {
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = BigInt)]
    pub count: i64,
}

/// Mail to supporters (confirmations, receipts) still waiting or failed, by kind. Delivered
/// mail is left out: it is what the signature totals already say, and counting it would
/// mean reading two outbox rows per signature; what is stuck is what an organizer must see.
pub async fn supporter_mail(conn: &mut AsyncPgConnection, campaign_id: Uuid) -> QueryResult<Vec<MailRow>> {
    diesel::sql_query(
        "select kind, status, count(*) as count from outbox \
         where campaign_id = $1 and target_id is null and status in ('pending', 'failed') \
         group by kind, status order by kind, status",
    )
    .bind::<SqlUuid, _>(campaign_id)
    .load(conn)
    .await
}
