//! Confirmed signatures one page at a time, for the API; in the export's order.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::record::{SignatureRow, SupporterRecord};
use crate::db::schema::signatures;

pub async fn confirmed_page(
    conn: &mut AsyncPgConnection,
    campaign_id: Uuid,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<SupporterRecord>> {
    let rows: Vec<SignatureRow> = signatures::table
        .filter(signatures::campaign_id.eq(campaign_id))
        .filter(signatures::status.eq("confirmed"))
        .order((signatures::signed_at, signatures::id))
        .offset(offset)
        .limit(limit)
        .select(SignatureRow::as_select())
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(SupporterRecord::from_row).collect())
}
