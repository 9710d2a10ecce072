//! The dashboard's queries.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::schema::signatures;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StatusTotals {
    pub pending: i64,
    pub confirmed: i64,
    pub withdrawn: i64,
}

impl StatusTotals {
    fn add(&mut self, status: &str, n: i64) {
        match status {
            "pending" => self.pending += n,
            "confirmed" => self.confirmed += n,
            "withdrawn" => self.withdrawn += n,
            _ => {}
        }
    }
}

pub async fn totals(conn: &mut AsyncPgConnection, campaign_id: Uuid) -> QueryResult<StatusTotals> {
    let rows: Vec<(String, i64)> = signatures::table
        .filter(signatures::campaign_id.eq(campaign_id))
        .group_by(signatures::status)
        .select((signatures::status, diesel::dsl::count_star()))
        .load(conn)
        .await?;
    let mut totals = StatusTotals::default();
    for (status, n) in rows {
        totals.add(&status, n);
    }
    Ok(totals)
}

pub async fn totals_by_campaign(conn: &mut AsyncPgConnection) -> QueryResult<HashMap<Uuid, StatusTotals>> {
    let rows: Vec<(Uuid, String, i64)> = signatures::table
        .group_by((signatures::campaign_id, signatures::status))
        .select((
            signatures::campaign_id,
            signatures::status,
            diesel::dsl::count_star(),
        ))
        .load(conn)
        .await?;
    let mut map: HashMap<Uuid, StatusTotals> = HashMap::new();
    for (id, status, n) in rows {
        map.entry(id).or_default().add(&status, n);
    }
    Ok(map)
}

#[derive(Debug, QueryableByName)]
pub struct DayCount {
    #[diesel(sql_type = Date)]
    pub day: NaiveDate,
    #[diesel(sql_type = BigInt)]
    pub count: i64,
}

/// Signatures made per day (UTC), whatever became of them since.
pub async fn by_day(conn: &mut AsyncPgConnection, campaign_id: Uuid) -> QueryResult<Vec<DayCount>> {
    diesel::sql_query(
        "select (signed_at at time zone 'UTC')::date as day, count(*) as count \
         from signatures where campaign_id = $1 group by 1 order by 1",
    )
    .bind::<SqlUuid, _>(campaign_id)
    .load(conn)
    .await
}

/// Confirmed signatures per country, most first.
pub async fn by_country(conn: &mut AsyncPgConnection, campaign_id: Uuid) -> QueryResult<Vec<(String, i64)>> {
    signatures::table
        .filter(signatures::campaign_id.eq(campaign_id))
        .filter(signatures::status.eq("confirmed"))
        .group_by(signatures::country)
        .select((signatures::country, diesel::dsl::count_star()))
        .order((diesel::dsl::count_star().desc(), signatures::country))
        .load(conn)
        .await
}

#[derive(Debug, QueryableByName)]
pub struct LetterRow {
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = BigInt)]
    pub count: i64,
}

/// The campaign's outbox rows by kind and status.
// TODO(letters): group by `target_id` once the letters migration adds it to `outbox`,
// so the dashboard shows queued / sent / failed per target.
pub async fn letters(conn: &mut AsyncPgConnection, campaign_id: Uuid) -> QueryResult<Vec<LetterRow>> {
    diesel::sql_query(
        "select kind, status, count(*) as count from outbox where campaign_id = $1 \
         group by kind, status order by kind, status",
    )
    .bind::<SqlUuid, _>(campaign_id)
    .load(conn)
    .await
}

#[derive(Debug, QueryableByName)]
pub struct FailedLetter {
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub last_error: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
}

/// The latest failed messages with the server's reply.
pub async fn failed_letters(
    conn: &mut AsyncPgConnection,
    campaign_id: Uuid,
) -> QueryResult<Vec<FailedLetter>> {
    diesel::sql_query(
        "select kind, last_error, created_at from outbox \
         where campaign_id = $1 and status = 'failed' order by created_at desc limit 10",
    )
    .bind::<SqlUuid, _>(campaign_id)
    .load(conn)
    .await
}
