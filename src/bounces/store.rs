//! The `bounces` table, and what a bounce does: mail to a supporter that bounced hard, or
//! softly three times in 14 days, suppresses the address and marks it undeliverable; a
//! letter or digest that bounced is kept for the dashboard. One transaction per bounce,
//! and a bounce read again (same `source_key`) changes nothing.

use chrono::{DateTime, Duration, Utc};
use diesel::expression_methods::AggregateExpressionMethods;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::parse::Severity;
use crate::db::schema::bounces;
use crate::outbox::{self, Kind};
use crate::suppressions::{self, Sender};

/// Soft bounces within `SOFT_WINDOW` that suppress an address.
pub const SOFT_LIMIT: i64 = 3;
pub const SOFT_WINDOW: Duration = Duration::days(14);

/// A bounce to record.
pub struct Bounce<'a> {
    pub source_key: &'a str,
    pub outbox_id: Uuid,
    pub severity: Severity,
    /// Masked already (`parse::mask`).
    pub reason: &'a str,
}

/// What recording a bounce did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorded {
    /// Counted; `suppressed` if the address is now on the suppression list.
    Counted { suppressed: bool },
    /// Read before: counted then.
    AlreadyCounted,
    /// About a message no longer kept (erased with its signature, or never ours).
    UnknownMessage,
}

/// Who a message was for, as far as bounces go.
fn addressee(kind: Kind) -> Addressee {
    match kind {
        Kind::Confirmation | Kind::Receipt | Kind::Reminder | Kind::Mailing => Addressee::Supporter,
        Kind::Letter | Kind::Digest => Addressee::Target,
        Kind::Webhook | Kind::Invitation | Kind::Endorsement => Addressee::Other,
    }
}

enum Addressee {
    Supporter,
    Target,
    /// Organizers and organisations: counted, never suppressed here.
    Other,
}

pub async fn record(
    conn: &mut AsyncPgConnection,
    bounce: &Bounce<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<Recorded> {
    conn.transaction(async |conn| {
        let Some(origin) = outbox::origin(conn, bounce.outbox_id).await? else {
            return Ok(Recorded::UnknownMessage);
        };
        let addressee = addressee(origin.kind);
        let signature_id = match addressee {
            Addressee::Supporter => origin.signature_id,
            Addressee::Target | Addressee::Other => None,
        };
        let target_id = match addressee {
            Addressee::Target => origin.target_id.clone(),
            Addressee::Supporter | Addressee::Other => None,
        };
        let inserted = diesel::insert_into(bounces::table)
            .values((
                bounces::id.eq(Uuid::now_v7()),
                bounces::source_key.eq(bounce.source_key),
                bounces::outbox_id.eq(origin.id),
                bounces::kind.eq(origin.kind.as_str()),
                bounces::campaign_id.eq(origin.campaign_id),
                bounces::signature_id.eq(signature_id),
                bounces::target_id.eq(target_id),
                bounces::hard.eq(bounce.severity == Severity::Hard),
                bounces::reason.eq(bounce.reason),
                bounces::bounced_at.eq(now),
            ))
            .on_conflict(bounces::source_key)
            .do_nothing()
            .execute(conn)
            .await?;
        if inserted == 0 {
            return Ok(Recorded::AlreadyCounted);
        }
        let Some(signature_id) = signature_id else {
            return Ok(Recorded::Counted { suppressed: false });
        };
        let suppress = match bounce.severity {
            Severity::Hard => true,
            Severity::Soft => soft_bounces_since(conn, signature_id, now - SOFT_WINDOW).await? >= SOFT_LIMIT,
        };
        if suppress && let Some(key) = crate::signatures::email_key(conn, signature_id).await? {
            suppressions::suppress(conn, &key, &Sender::Everyone, now).await?;
            crate::signatures::mark_undeliverable(conn, signature_id, now).await?;
        }
        Ok(Recorded::Counted { suppressed: suppress })
    })
    .await
}

async fn soft_bounces_since(
    conn: &mut AsyncPgConnection,
    signature_id: Uuid,
    since: DateTime<Utc>,
) -> QueryResult<i64> {
    bounces::table
        .filter(bounces::signature_id.eq(signature_id))
        .filter(bounces::hard.eq(false))
        .filter(bounces::bounced_at.gt(since))
        .count()
        .get_result(conn)
        .await
}

/// How many of a mailing's messages bounced (hard or soft, each message once).
pub async fn bounced_in_mailing(conn: &mut AsyncPgConnection, mailing: Uuid) -> QueryResult<i64> {
    bounces::table
        .filter(bounces::outbox_id.nullable().eq_any(crate::mailings::outbox_ids(mailing)))
        .select(diesel::dsl::count(bounces::outbox_id).aggregate_distinct())
        .get_result(conn)
        .await
}

/// A letter or digest to a target that bounced.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = bounces)]
pub struct LetterBounce {
    pub target_id: Option<String>,
    pub bounced_at: DateTime<Utc>,
    pub hard: bool,
    pub reason: String,
}

/// A campaign's bounced letters and digests, newest first, at most `limit`.
pub async fn bounced_letters(
    conn: &mut AsyncPgConnection,
    campaign_id: Uuid,
    limit: i64,
) -> QueryResult<Vec<LetterBounce>> {
    bounces::table
        .filter(bounces::campaign_id.eq(campaign_id))
        .filter(bounces::target_id.is_not_null())
        .order(bounces::bounced_at.desc())
        .limit(limit)
        .select(LetterBounce::as_select())
        .load(conn)
        .await
}
