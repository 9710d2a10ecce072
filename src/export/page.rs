//! Confirmed signatures one page at a time, for the API; in the export's order.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::record::{SignatureRow, SupporterRecord};
use crate::crypto::DataKeys;
use crate::db::schema::signatures;
use crate::signatures::SignatureStatus;

pub async fn confirmed_page(
    conn: &mut AsyncPgConnection,
    keys: &DataKeys,
    campaign_id: Uuid,
    offset: i64,
    limit: i64,
) -> anyhow::Result<Vec<SupporterRecord>> {
    let rows: Vec<SignatureRow> = signatures::table
        .filter(signatures::campaign_id.eq(campaign_id))
        .filter(signatures::status.eq(SignatureStatus::Confirmed))
        .order((signatures::signed_at, signatures::id))
        .offset(offset)
        .limit(limit)
        .select(SignatureRow::as_select())
        .load(conn)
        .await?;
    rows.into_iter().map(|row| SupporterRecord::from_row(keys, row)).collect()
}
