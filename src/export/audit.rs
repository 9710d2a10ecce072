//! The export log: a row when an export starts, completed with its row count when it
//! ends. The dashboard shows the latest entries.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::ExportFilter;
use crate::db::schema::export_log;

#[allow(clippy::too_many_arguments)]
pub fn start(
    conn: &mut PgConnection,
    campaign_id: Uuid,
    organizer_id: Option<Uuid>,
    actor: &str,
    via: &str,
    purpose: &str,
    filter: &ExportFilter,
    now: DateTime<Utc>,
) -> QueryResult<Uuid> {
    let id = crate::ids::new_id();
    diesel::insert_into(export_log::table)
        .values((
            export_log::id.eq(id),
            export_log::campaign_id.eq(campaign_id),
            export_log::organizer_id.eq(organizer_id),
            export_log::actor.eq(actor),
            export_log::via.eq(via),
            export_log::purpose.eq(purpose),
            export_log::filters.eq(serde_json::to_value(filter).unwrap_or_default()),
            export_log::started_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

pub fn finish(conn: &mut PgConnection, id: Uuid, rows: u64, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(export_log::table.find(id))
        .set((export_log::row_count.eq(rows as i64), export_log::finished_at.eq(now)))
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = export_log)]
pub struct ExportLogEntry {
    pub actor: String,
    pub via: String,
    /// Why the records were read: `export`, or `handover to TARGET` for a handover pack.
    pub purpose: String,
    pub filters: serde_json::Value,
    /// `None` while running, or when the export was cut short.
    pub row_count: Option<i64>,
    pub started_at: DateTime<Utc>,
}

pub async fn recent_exports(
    conn: &mut diesel_async::AsyncPgConnection,
    campaign_id: Uuid,
    limit: i64,
) -> QueryResult<Vec<ExportLogEntry>> {
    diesel_async::RunQueryDsl::load(
        export_log::table
            .filter(export_log::campaign_id.eq(campaign_id))
            .order(export_log::started_at.desc())
            .limit(limit)
            .select(ExportLogEntry::as_select()),
        conn,
    )
    .await
}
