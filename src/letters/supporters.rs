//! The supporters a letter speaks for, read from `signatures` and decrypted right here,
//! next to the queries: confirmed signatures of people who agreed to be named to the
//! targets, and of each only the name, country and comment. No email address, no postcode.
//! Those who asked not to be named (`anonymous`) reach a letter only as a number per
//! country (`Unnamed`): their rows are never read here.

use chrono::{DateTime, Utc};
use diesel::dsl::{exists, not};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::campaigns::{Campaign, Target};
use crate::crypto::{DataKeys, Field};
use crate::db::schema::{outbox, signatures};
use crate::domain::Lang;
use crate::outbox::Kind;

/// What a letter may say about one supporter.
#[derive(Clone, Debug)]
pub struct Supporter {
    pub name: String,
    /// The ISO code; letters name it in the target's language.
    pub country: String,
    pub comment: Option<String>,
    /// The language they signed in, which a quoted comment is marked with.
    pub lang: Lang,
}

/// The columns a letter may read from a signature, still encrypted.
#[derive(Queryable, Selectable)]
#[diesel(table_name = signatures)]
struct SupporterRow {
    id: Uuid,
    key_id: String,
    name: Option<Vec<u8>>,
    country: String,
    comment: Option<Vec<u8>>,
    language: String,
}

impl SupporterRow {
    /// Decrypts the row; `None` for a withdrawn signature, whose name is gone.
    fn open(self, keys: &DataKeys) -> anyhow::Result<Option<(Uuid, Supporter)>> {
        let field = |column| Field { column, row: &self.id };
        let name = keys.decrypt_text(&self.key_id, field("signatures.name"), self.name.as_deref())?;
        let comment =
            keys.decrypt_text(&self.key_id, field("signatures.comment"), self.comment.as_deref())?;
        // A language no longer shipped marks the comment as English, the fallback.
        let lang = Lang::from_tag(&self.language).unwrap_or_default();
        Ok(name.map(|name| (self.id, Supporter { name, country: self.country, comment, lang })))
    }
}

fn open_all(keys: &DataKeys, rows: Vec<SupporterRow>) -> anyhow::Result<Vec<(Uuid, Supporter)>> {
    let mut supporters = Vec::with_capacity(rows.len());
    for row in rows {
        supporters.extend(row.open(keys)?);
    }
    Ok(supporters)
}

/// Up to `limit` signatures that should have a letter to `target` and do not yet, in the
/// order they were confirmed, with their signature ids.
pub async fn without_letter(
    conn: &mut AsyncPgConnection,
    keys: &DataKeys,
    campaign: &Campaign,
    target: &Target,
    limit: i64,
) -> anyhow::Result<Vec<(Uuid, Supporter)>> {
    let rows = signatures::table
        .filter(signatures::campaign_id.eq(campaign.id))
        .filter(signatures::status.eq("confirmed"))
        .filter(signatures::consent_to_targets.eq(true))
        .filter(signatures::anonymous.eq(false))
        .filter(not(exists(
            outbox::table
                .filter(outbox::signature_id.eq(signatures::id.nullable()))
                .filter(outbox::kind.eq(Kind::Letter))
                .filter(outbox::target_id.eq(&target.id)),
        )))
        .order((signatures::confirmed_at, signatures::id))
        .limit(limit)
        .select(SupporterRow::as_select())
        .load(conn)
        .await?;
    open_all(keys, rows)
}

/// The signatures confirmed in `(after, up_to]` (from the start when `after` is `None`),
/// in the order they were confirmed.
pub async fn confirmed_between(
    conn: &mut AsyncPgConnection,
    keys: &DataKeys,
    campaign: &Campaign,
    after: Option<DateTime<Utc>>,
    up_to: DateTime<Utc>,
) -> anyhow::Result<Vec<Supporter>> {
    let mut query = signatures::table
        .filter(signatures::campaign_id.eq(campaign.id))
        .filter(signatures::status.eq("confirmed"))
        .filter(signatures::consent_to_targets.eq(true))
        .filter(signatures::anonymous.eq(false))
        .filter(signatures::confirmed_at.le(up_to))
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(signatures::confirmed_at.gt(after));
    }
    let rows = query
        .order((signatures::confirmed_at, signatures::id))
        .select(SupporterRow::as_select())
        .load(conn)
        .await?;
    Ok(open_all(keys, rows)?.into_iter().map(|(_, supporter)| supporter).collect())
}

/// Confirmed signers who asked not to be named: how many, by country code, most first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Unnamed {
    pub by_country: Vec<(String, i64)>,
}

impl Unnamed {
    pub fn total(&self) -> i64 {
        self.by_country.iter().map(|(_, n)| n).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.total() == 0
    }
}

/// The signers confirmed in `(after, up_to]` (from the start when `after` is `None`) who
/// asked not to be named, counted by country.
pub async fn unnamed_between(
    conn: &mut AsyncPgConnection,
    campaign: &Campaign,
    after: Option<DateTime<Utc>>,
    up_to: DateTime<Utc>,
) -> anyhow::Result<Unnamed> {
    // No signature is confirmed before the epoch: "from the start" without a second query.
    let after = after.unwrap_or(DateTime::UNIX_EPOCH);
    let mut by_country: Vec<(String, i64)> = signatures::table
        .filter(signatures::campaign_id.eq(campaign.id))
        .filter(signatures::status.eq("confirmed"))
        .filter(signatures::anonymous.eq(true))
        .filter(signatures::confirmed_at.gt(after))
        .filter(signatures::confirmed_at.le(up_to))
        .group_by(signatures::country)
        .select((signatures::country, diesel::dsl::count_star()))
        .load(conn)
        .await?;
    by_country.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(Unnamed { by_country })
}
