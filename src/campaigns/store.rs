//! Stored campaigns: upsert by slug, list, look up.

use std::path::Path;

use anyhow::Context;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::CampaignFile;
use super::CampaignStatus;
use crate::db::schema::campaigns;

#[derive(Clone, Debug)]
pub struct Campaign {
    pub id: Uuid,
    pub slug: String,
    pub is_open: bool,
    pub goal: i32,
    pub file: CampaignFile,
}

impl Campaign {
    /// Whether it takes signatures at `now`: open, and before its `closes_at` if any.
    pub fn open_at(&self, now: DateTime<Utc>) -> bool {
        self.is_open && self.file.open_at(now)
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = campaigns)]
struct CampaignRow {
    id: Uuid,
    slug: String,
    status: CampaignStatus,
    goal: i32,
    definition: serde_json::Value,
}

impl TryFrom<CampaignRow> for Campaign {
    type Error = anyhow::Error;
    fn try_from(row: CampaignRow) -> anyhow::Result<Campaign> {
        let file: CampaignFile = serde_json::from_value(row.definition)
            .with_context(|| format!("stored campaign {} does not match this version", row.slug))?;
        Ok(Campaign {
            id: row.id,
            slug: row.slug,
            is_open: row.status == CampaignStatus::Open,
            goal: row.goal,
            file,
        })
    }
}

/// Creates the campaign or updates the one with the same slug; returns its id.
pub async fn upsert(
    conn: &mut AsyncPgConnection,
    file: &CampaignFile,
    now: DateTime<Utc>,
) -> anyhow::Result<Uuid> {
    let definition = serde_json::to_value(file)?;
    let id = diesel::insert_into(campaigns::table)
        .values((
            campaigns::id.eq(crate::ids::new_id()),
            campaigns::slug.eq(&file.slug),
            campaigns::status.eq(file.status),
            campaigns::goal.eq(file.goal),
            campaigns::definition.eq(&definition),
            campaigns::created_at.eq(now),
            campaigns::updated_at.eq(now),
        ))
        .on_conflict(campaigns::slug)
        .do_update()
        .set((
            campaigns::status.eq(file.status),
            campaigns::goal.eq(file.goal),
            campaigns::definition.eq(&definition),
            campaigns::updated_at.eq(now),
        ))
        .returning(campaigns::id)
        .get_result(conn)
        .await?;
    Ok(id)
}

pub async fn import_file(
    conn: &mut AsyncPgConnection,
    path: &Path,
    now: DateTime<Utc>,
) -> anyhow::Result<CampaignFile> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let file = CampaignFile::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    upsert(conn, &file, now).await?;
    Ok(file)
}

/// Imports every `*.toml` in `dir`; a missing directory imports nothing.
pub async fn import_dir(
    conn: &mut AsyncPgConnection,
    dir: &Path,
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<String>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        tracing::warn!(dir = %dir.display(), "no campaigns directory; nothing imported");
        return Ok(Vec::new());
    };
    let mut paths: Vec<_> =
        entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "toml")).collect();
    paths.sort();
    let mut slugs = Vec::new();
    for path in paths {
        slugs.push(import_file(conn, &path, now).await?.slug);
    }
    Ok(slugs)
}

pub async fn list(conn: &mut AsyncPgConnection) -> anyhow::Result<Vec<Campaign>> {
    campaigns::table
        .select(CampaignRow::as_select())
        .order(campaigns::slug)
        .load(conn)
        .await?
        .into_iter()
        .map(Campaign::try_from)
        .collect()
}

pub async fn find_by_slug(conn: &mut AsyncPgConnection, slug: &str) -> anyhow::Result<Option<Campaign>> {
    campaigns::table
        .filter(campaigns::slug.eq(slug))
        .select(CampaignRow::as_select())
        .first(conn)
        .await
        .optional()?
        .map(Campaign::try_from)
        .transpose()
}

pub async fn find_by_id(conn: &mut AsyncPgConnection, id: Uuid) -> anyhow::Result<Campaign> {
    campaigns::table.find(id).select(CampaignRow::as_select()).first(conn).await?.try_into()
}
