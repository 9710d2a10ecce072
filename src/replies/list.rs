//! Reading a campaign's replies: their dates and summaries for pages and the API, and the
//! original of one for the organizers who download it.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::schema::replies;
use crate::domain::Lang;

#[derive(Queryable, Selectable)]
#[diesel(table_name = replies)]
struct Row {
    id: Uuid,
    target_id: String,
    replied_on: NaiveDate,
    summaries: serde_json::Value,
    file_name: String,
    content_type: String,
    recorded_at: DateTime<Utc>,
}

/// A recorded reply, without its original.
#[derive(Clone, Debug)]
pub struct Reply {
    pub id: Uuid,
    pub target_id: String,
    pub replied_on: NaiveDate,
    pub summaries: BTreeMap<Lang, String>,
    pub file_name: String,
    pub content_type: String,
    pub recorded_at: DateTime<Utc>,
}

impl Reply {
    /// The summary in `lang`, else in `fallback`, with the language it is written in.
    pub fn summary(&self, lang: Lang, fallback: Lang) -> Option<(Lang, &str)> {
        [lang, fallback].into_iter().find_map(|l| self.summaries.get(&l).map(|s| (l, s.as_str())))
    }
}

impl From<Row> for Reply {
    fn from(r: Row) -> Reply {
        // Written by `record` from parsed languages; a tag this version does not know is
        // left out rather than failing the page.
        let summaries = serde_json::from_value::<BTreeMap<String, String>>(r.summaries)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(tag, text)| Some((Lang::from_tag(&tag)?, text)))
            .collect();
        Reply {
            id: r.id,
            target_id: r.target_id,
            replied_on: r.replied_on,
            summaries,
            file_name: r.file_name,
            content_type: r.content_type,
            recorded_at: r.recorded_at,
        }
    }
}

/// A campaign's replies, oldest first.
pub async fn for_campaign(conn: &AsyncPgConnection, campaign_id: Uuid) -> QueryResult<Vec<Reply>> {
    let mut conn = conn;
    let rows: Vec<Row> = replies::table
        .filter(replies::campaign_id.eq(campaign_id))
        .order((replies::replied_on, replies::id))
        .select(Row::as_select())
        .load(&mut conn)
        .await?;
    Ok(rows.into_iter().map(Reply::from).collect())
}

/// Reply `id` of the campaign with its original's bytes, if it is one of its replies.
pub async fn original_of(
    conn: &mut AsyncPgConnection,
    campaign_id: Uuid,
    id: Uuid,
) -> QueryResult<Option<(Reply, Vec<u8>)>> {
    let found: Option<(Row, Vec<u8>)> = replies::table
        .filter(replies::campaign_id.eq(campaign_id))
        .filter(replies::id.eq(id))
        .select((Row::as_select(), replies::original))
        .first(conn)
        .await
        .optional()?;
    Ok(found.map(|(row, bytes)| (Reply::from(row), bytes)))
}

/// Reply `id` of the campaign, without its original.
pub async fn find(conn: &mut AsyncPgConnection, campaign_id: Uuid, id: Uuid) -> QueryResult<Option<Reply>> {
    let row: Option<Row> = replies::table
        .filter(replies::campaign_id.eq(campaign_id))
        .filter(replies::id.eq(id))
        .select(Row::as_select())
        .first(conn)
        .await
        .optional()?;
    Ok(row.map(Reply::from))
}
