//! Signatures by partner and by source, for the dashboard: signed, confirmed, the share
//! confirmed, and each partner's opt-ins.
//!
//! Computed from maintained counts, not a grouped query over the signatures:
//! `signature_source_counts` (migration 2026-12-02-000201) holds per campaign, UTC day of
//! signing, partner, source, status and opt-in how many signatures there are, and
//! `daily::refresh` recounts it for exactly the days it recounts `signature_day_counts`,
//! in the same transaction. So a view sums a few hundred rows whatever the campaign's
//! size, signing writes nothing more, and `signatures` needs no new index: a recount of a
//! day reads that day's rows through `signatures_campaign_signed` (the heap too, as the
//! referral columns are not in that index; a day is what changed since the last view).
//!
//! A source is the link's `utm_source`, else the referring page's host, else `direct`.
//! Unconfirmed signatures are deleted after 30 days, so old days show only what was
//! confirmed; the share confirmed is most telling for recent weeks.

use diesel::QueryableByName;
use diesel::result::QueryResult;
use diesel::sql_types::{Array, BigInt, Date, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

/// What a signature's row is counted under.
const KEYS: &str =
    "coalesce(partner_id, ''), coalesce(utm_source, referrer_host, 'direct'), status, partner_opt_in";

/// Counts every day of the campaign again (its first refresh).
pub(super) async fn count_all(conn: &mut AsyncPgConnection, campaign_id: Uuid) -> QueryResult<()> {
    diesel::sql_query("delete from signature_source_counts where campaign_id = $1")
        .bind::<SqlUuid, _>(campaign_id)
        .execute(conn)
        .await?;
    diesel::sql_query(format!(
        "insert into signature_source_counts (campaign_id, day, partner, source, status, partner_opt_in, n) \
         select campaign_id, (signed_at at time zone 'UTC')::date, {KEYS}, count(*) \
         from signatures where campaign_id = $1 group by 1, 2, 3, 4, 5, 6"
    ))
    .bind::<SqlUuid, _>(campaign_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Counts `days` again.
///
/// Each day's signatures are read by their own index range scan (the `lateral` subquery;
/// `offset 0` keeps PostgreSQL from folding it back into a join). As a plain join of the days
/// with the signatures, the planner could not tell how many rows a day holds and read the
/// whole table instead, for columns the index does not carry: 9.9 s at 10M for two days,
/// at every count refresh after a signature (bench/plans.py); 0.4 ms this way.
pub(super) async fn recount(
    conn: &mut AsyncPgConnection,
    campaign_id: Uuid,
    days: &[chrono::NaiveDate],
) -> QueryResult<()> {
    diesel::sql_query("delete from signature_source_counts where campaign_id = $1 and day = any($2)")
        .bind::<SqlUuid, _>(campaign_id)
        .bind::<Array<Date>, _>(days)
        .execute(conn)
        .await?;
    diesel::sql_query(format!(
        "insert into signature_source_counts (campaign_id, day, partner, source, status, partner_opt_in, n) \
         select $1, d, {KEYS}, count(*) \
         from unnest($2::date[]) as d \
         cross join lateral (select partner_id, utm_source, referrer_host, status, partner_opt_in \
             from signatures s where s.campaign_id = $1 \
             and s.signed_at >= d::timestamp at time zone 'UTC' \
             and s.signed_at < (d + 1)::timestamp at time zone 'UTC' offset 0) s \
         group by 1, 2, 3, 4, 5, 6"
    ))
    .bind::<SqlUuid, _>(campaign_id)
    .bind::<Array<Date>, _>(days)
    .execute(conn)
    .await?;
    Ok(())
}

/// One line of the tables: a partner (`""`: none) or a source, or the totals.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct ReferralLine {
    #[diesel(sql_type = Text)]
    pub key: String,
    #[diesel(sql_type = BigInt)]
    pub signed: i64,
    /// Confirmed and not withdrawn.
    #[diesel(sql_type = BigInt)]
    pub confirmed: i64,
    /// Confirmed at some time, withdrawn since or not: the numerator of the share.
    #[diesel(sql_type = BigInt)]
    pub ever_confirmed: i64,
    /// Confirmed supporters who took the partner's news.
    #[diesel(sql_type = BigInt)]
    pub opted_in: i64,
}

impl ReferralLine {
    /// The share of signers who confirmed, in whole percent.
    pub fn percent(&self) -> i64 {
        if self.signed == 0 { 0 } else { self.ever_confirmed * 100 / self.signed }
    }
}

/// The dashboard's tables by partner and by source, with the campaign's totals.
#[derive(Debug)]
pub struct ReferralCounts {
    /// Most signed first; `key` `""` is no partner.
    pub by_partner: Vec<ReferralLine>,
    pub by_source: Vec<ReferralLine>,
    /// Every signature of the campaign, whatever the filter.
    pub totals: ReferralLine,
}

/// Reads the counts as the last refresh left them (`daily::refresh` first). With
/// `partner`, the partner and source lines hold only that partner's signatures (a
/// partner's organizers see their own row and the totals); the totals stay whole.
pub async fn referral_counts(
    conn: &mut AsyncPgConnection,
    campaign_id: Uuid,
    partner: Option<&str>,
) -> QueryResult<ReferralCounts> {
    let lines = |key: &'static str| {
        format!(
            "select {key} as key, sum(n)::bigint as signed, \
               coalesce(sum(n) filter (where status = 'confirmed'), 0)::bigint as confirmed, \
               coalesce(sum(n) filter (where status <> 'pending'), 0)::bigint as ever_confirmed, \
               coalesce(sum(n) filter (where status = 'confirmed' and partner_opt_in), 0)::bigint as opted_in \
             from signature_source_counts \
             where campaign_id = $1 and ($2::text is null or partner = $2) \
             group by 1 order by signed desc, key"
        )
    };
    let read = |sql: String| {
        diesel::sql_query(sql)
            .bind::<SqlUuid, _>(campaign_id)
            .bind::<Nullable<Text>, _>(partner.map(str::to_owned))
    };
    let by_partner = read(lines("partner")).load(conn).await?;
    let by_source = read(lines("source")).load(conn).await?;
    let totals: Vec<ReferralLine> = diesel::sql_query(lines("''"))
        .bind::<SqlUuid, _>(campaign_id)
        .bind::<Nullable<Text>, _>(None::<String>)
        .load(conn)
        .await?;
    let totals = totals.into_iter().next().unwrap_or(ReferralLine {
        key: String::new(),
        signed: 0,
        confirmed: 0,
        ever_confirmed: 0,
        opted_in: 0,
    });
    Ok(ReferralCounts { by_partner, by_source, totals })
}

/// How many confirmed supporters took a partner's news: what that partner's organizers
/// may read (the API's `total_records` for a partner's token). Brings the counts up to
/// date first, so it is exact, at the cost of what changed since the last refresh.
pub async fn partner_opted_in(
    conn: &mut AsyncPgConnection,
    campaign_id: Uuid,
    partner: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct Sum {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    super::refresh(conn, campaign_id, now).await?;
    let sum: Sum = diesel::sql_query(
        "select coalesce(sum(n), 0)::bigint as n from signature_source_counts \
         where campaign_id = $1 and partner = $2 and status = 'confirmed' and partner_opt_in",
    )
    .bind::<SqlUuid, _>(campaign_id)
    .bind::<Text, _>(partner)
    .get_result(conn)
    .await?;
    Ok(sum.n)
}
