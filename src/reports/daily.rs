//! The dashboard's signature counts: `signature_day_counts` holds, per campaign, UTC day of
//! signing, country and status, how many signatures there are; totals, the per-day chart
//! and the countries are sums over it (a few thousand rows for a year of signing, a few
//! milliseconds to read, where counting a million signatures took about a second).
//!
//! Why refreshed on read, and not kept by the writers: a counter updated in the signing
//! transaction would be one hot row that every signature waits for. So nothing on the
//! signing path writes here; each dashboard view first brings the table up to date:
//!
//! * the days that can have changed since the last refresh are recounted from the
//!   signatures themselves (an index-only scan of `signatures_campaign_signed` per day):
//!   the days from the last refresh to now (new signatures) and the signing days of the
//!   signatures confirmed or withdrawn since (found by `signatures_confirmed_at` and
//!   `signatures_withdrawn_at`); every status change stamps one of those three times;
//! * deletions leave no timestamp, so a trigger on `signatures` names the days any delete
//!   touched in `signature_days_to_recount` (migration 2026-12-01-000400), whoever deletes;
//! * every other day is read as cached. The totals are therefore exact for today and for
//!   every earlier day, not an estimate.
//!
//! The same refresh keeps `signature_source_counts` for the same days (`super::sources`).
//!
//! A refresh costs about as much as the signatures made, confirmed or withdrawn since the
//! previous one; the very first one of a campaign counts everything once.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel::QueryableByName;
use diesel::result::QueryResult;
use diesel::sql_types::{Array, BigInt, Date, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::queries::StatusTotals;
use crate::signatures::SignatureStatus;

/// Changes are stamped with the application's clock a moment before they commit (a new
/// signature is stamped when the request is prepared, then waits for its group commit in
/// `signatures::intake`). A refresh looks back this far past the previous one, so a change
/// stamped just before it but committed just after is still counted.
const LATE_COMMIT_MARGIN: Duration = Duration::minutes(10);

/// The chart shows at most this many days before the latest.
const CHART_DAYS: i32 = 366;

#[derive(Debug, QueryableByName)]
pub struct DayCount {
    #[diesel(sql_type = Date)]
    pub day: NaiveDate,
    #[diesel(sql_type = BigInt)]
    pub count: i64,
}

/// Of the signatures made on one day, how many were confirmed (withdrawn ones too: a
/// signature is withdrawn only after it was confirmed).
#[derive(Debug, QueryableByName)]
pub struct DayConversion {
    #[diesel(sql_type = Date)]
    pub day: NaiveDate,
    #[diesel(sql_type = BigInt)]
    pub signed: i64,
    #[diesel(sql_type = BigInt)]
    pub confirmed: i64,
}

impl DayConversion {
    /// The share confirmed, in whole percent.
    pub fn percent(&self) -> i64 {
        if self.signed == 0 { 0 } else { self.confirmed * 100 / self.signed }
    }
}

/// Conversion is shown for this many days back from today: unconfirmed signatures are
/// deleted after 30 days, so an older day would look fully confirmed.
const CONVERSION_DAYS: i32 = 30;

/// Everything the dashboard shows about one campaign's signatures.
#[derive(Debug)]
pub struct SignatureCounts {
    pub totals: StatusTotals,
    /// Signatures made per day (UTC), whatever became of them since; days with none left out.
    pub by_day: Vec<DayCount>,
    /// Confirmed signatures per country, most first.
    pub by_country: Vec<(String, i64)>,
    /// Signed and confirmed per signing day over the last 30 days, the latest first.
    pub conversion: Vec<DayConversion>,
}

#[derive(QueryableByName)]
struct CountedAt {
    #[diesel(sql_type = Nullable<Timestamptz>)]
    counted_at: Option<DateTime<Utc>>,
}

#[derive(QueryableByName)]
struct Day {
    #[diesel(sql_type = Date)]
    day: NaiveDate,
}

#[derive(QueryableByName)]
struct Latest {
    #[diesel(sql_type = Nullable<Timestamptz>)]
    latest: Option<DateTime<Utc>>,
}

#[derive(QueryableByName)]
struct StatusSum {
    #[diesel(sql_type = Text)]
    status: SignatureStatus,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct CountrySum {
    #[diesel(sql_type = Text)]
    country: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Brings the campaign's counts up to date, then reads them.
pub async fn signature_counts(
    conn: &mut AsyncPgConnection,
    campaign_id: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<SignatureCounts> {
    refresh(conn, campaign_id, now).await?;
    Ok(SignatureCounts {
        totals: read_totals(conn, campaign_id).await?,
        by_day: diesel::sql_query(
            "select day, sum(n)::bigint as count from signature_day_counts \
             where campaign_id = $1 \
               and day >= (select max(day) from signature_day_counts where campaign_id = $1) - $2 \
             group by day order by day",
        )
        .bind::<SqlUuid, _>(campaign_id)
        .bind::<diesel::sql_types::Integer, _>(CHART_DAYS)
        .load(conn)
        .await?,
        by_country: diesel::sql_query(
            "select country, sum(n)::bigint as n from signature_day_counts \
             where campaign_id = $1 and status = 'confirmed' \
             group by country order by n desc, country",
        )
        .bind::<SqlUuid, _>(campaign_id)
        .load::<CountrySum>(conn)
        .await?
        .into_iter()
        .map(|c| (c.country, c.n))
        .collect(),
        conversion: diesel::sql_query(
            "select day, sum(n)::bigint as signed, \
               coalesce(sum(n) filter (where status <> 'pending'), 0)::bigint as confirmed \
             from signature_day_counts \
             where campaign_id = $1 and day > ($2 at time zone 'UTC')::date - $3 \
             group by day order by day desc",
        )
        .bind::<SqlUuid, _>(campaign_id)
        .bind::<Timestamptz, _>(now)
        .bind::<diesel::sql_types::Integer, _>(CONVERSION_DAYS)
        .load(conn)
        .await?,
    })
}

/// Brings the campaign's counts up to date and returns its totals by status.
pub async fn status_totals(
    conn: &mut AsyncPgConnection,
    campaign_id: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<StatusTotals> {
    refresh(conn, campaign_id, now).await?;
    read_totals(conn, campaign_id).await
}

async fn read_totals(conn: &mut AsyncPgConnection, campaign_id: Uuid) -> QueryResult<StatusTotals> {
    let rows: Vec<StatusSum> = diesel::sql_query(
        "select status, sum(n)::bigint as n from signature_day_counts where campaign_id = $1 group by status",
    )
    .bind::<SqlUuid, _>(campaign_id)
    .load(conn)
    .await?;
    let mut totals = StatusTotals::default();
    for row in rows {
        totals.add(row.status, row.n);
    }
    Ok(totals)
}

/// Recounts the days that can have changed since the campaign's last refresh (all of them
/// the first time). Two refreshes of one campaign queue on its state row, so the second
/// recounts only what changed in between.
#[tracing::instrument(skip(conn))]
pub async fn refresh(conn: &mut AsyncPgConnection, campaign_id: Uuid, now: DateTime<Utc>) -> QueryResult<()> {
    conn.transaction(async |conn| {
        diesel::sql_query(
            "insert into signature_count_state (campaign_id, counted_at) values ($1, null) \
             on conflict (campaign_id) do nothing",
        )
        .bind::<SqlUuid, _>(campaign_id)
        .execute(conn)
        .await?;
        let state: CountedAt = diesel::sql_query(
            "select counted_at from signature_count_state where campaign_id = $1 for update",
        )
        .bind::<SqlUuid, _>(campaign_id)
        .get_result(conn)
        .await?;
        match state.counted_at {
            None => count_everything(conn, campaign_id).await?,
            Some(counted_at) => {
                let days =
                    days_to_recount(conn, campaign_id, counted_at.min(now) - LATE_COMMIT_MARGIN).await?;
                recount(conn, campaign_id, &days).await?;
            }
        }
        diesel::sql_query("update signature_count_state set counted_at = $2 where campaign_id = $1")
            .bind::<SqlUuid, _>(campaign_id)
            .bind::<Timestamptz, _>(now)
            .execute(conn)
            .await?;
        Ok(())
    })
    .await
}

async fn count_everything(conn: &mut AsyncPgConnection, campaign_id: Uuid) -> QueryResult<()> {
    for sql in [
        "delete from signature_day_counts where campaign_id = $1",
        "delete from signature_days_to_recount where campaign_id = $1",
        "insert into signature_day_counts (campaign_id, day, country, status, n) \
         select campaign_id, (signed_at at time zone 'UTC')::date, country, status, count(*) \
         from signatures where campaign_id = $1 group by 1, 2, 3, 4",
    ] {
        diesel::sql_query(sql).bind::<SqlUuid, _>(campaign_id).execute(conn).await?;
    }
    super::sources::count_all(conn, campaign_id).await
}

/// The days whose counts may differ from the cached ones: signing days of everything
/// stamped since `since`, and the days a deletion named.
async fn days_to_recount(
    conn: &mut AsyncPgConnection,
    campaign_id: Uuid,
    since: DateTime<Utc>,
) -> QueryResult<Vec<NaiveDate>> {
    let named: Vec<Day> =
        diesel::sql_query("delete from signature_days_to_recount where campaign_id = $1 returning day")
            .bind::<SqlUuid, _>(campaign_id)
            .load(conn)
            .await?;
    let changed: Vec<Day> = diesel::sql_query(
        "select (signed_at at time zone 'UTC')::date as day from signatures \
           where campaign_id = $1 and status = 'confirmed' and confirmed_at >= $2 \
         union \
         select (signed_at at time zone 'UTC')::date from signatures \
           where campaign_id = $1 and status = 'withdrawn' and withdrawn_at >= $2",
    )
    .bind::<SqlUuid, _>(campaign_id)
    .bind::<Timestamptz, _>(since)
    .load(conn)
    .await?;
    // New signatures: every day from `since` to the latest signature.
    let latest: Latest =
        diesel::sql_query("select max(signed_at) as latest from signatures where campaign_id = $1")
            .bind::<SqlUuid, _>(campaign_id)
            .get_result(conn)
            .await?;
    let mut days: Vec<NaiveDate> = named.into_iter().chain(changed).map(|d| d.day).collect();
    if let Some(latest) = latest.latest {
        days.extend(since.date_naive().iter_days().take_while(|d| *d <= latest.date_naive()));
    }
    days.sort_unstable();
    days.dedup();
    Ok(days)
}

async fn recount(conn: &mut AsyncPgConnection, campaign_id: Uuid, days: &[NaiveDate]) -> QueryResult<()> {
    if days.is_empty() {
        return Ok(());
    }
    diesel::sql_query("delete from signature_day_counts where campaign_id = $1 and day = any($2)")
        .bind::<SqlUuid, _>(campaign_id)
        .bind::<Array<Date>, _>(days)
        .execute(conn)
        .await?;
    diesel::sql_query(
        "insert into signature_day_counts (campaign_id, day, country, status, n) \
         select $1, d, s.country, s.status, count(*) \
         from unnest($2::date[]) as d \
         join signatures s on s.campaign_id = $1 \
           and s.signed_at >= d::timestamp at time zone 'UTC' \
           and s.signed_at < (d + 1)::timestamp at time zone 'UTC' \
         group by d, s.country, s.status",
    )
    .bind::<SqlUuid, _>(campaign_id)
    .bind::<Array<Date>, _>(days)
    .execute(conn)
    .await?;
    super::sources::recount(conn, campaign_id, days).await
}
