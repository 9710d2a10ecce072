//! Reading endorsements: all of a campaign's for its organizers (with the contact address,
//! decrypted), and the approved ones for everyone (without it).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::status::EndorsementStatus;
use crate::crypto::{DataKeys, Field};
use crate::db::schema::endorsements;

/// An approved endorsement: what the organisation asked to have published.
#[derive(Clone, Debug, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = endorsements)]
pub struct Endorser {
    pub id: Uuid,
    pub organisation: String,
    pub website: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub decided_at: Option<DateTime<Utc>>,
}

impl Endorser {
    /// The country's name, or its code if it is not one we know.
    pub fn country_name(&self) -> &str {
        crate::domain::Country::parse(&self.country).map(|c| c.name()).unwrap_or(&self.country)
    }
}

/// A campaign's approved endorsements, in the order they were approved. A shared
/// reference, so that the campaign page can send it together with its other reads.
pub async fn approved(conn: &AsyncPgConnection, campaign_id: Uuid) -> QueryResult<Vec<Endorser>> {
    let mut conn = conn;
    endorsements::table
        .filter(endorsements::campaign_id.eq(campaign_id))
        .filter(endorsements::status.eq(EndorsementStatus::Approved))
        .order((endorsements::decided_at, endorsements::id))
        .select(Endorser::as_select())
        .load(&mut conn)
        .await
}

/// The names of a campaign's approved endorsers, for letters.
pub async fn approved_names(conn: &mut AsyncPgConnection, campaign_id: Uuid) -> QueryResult<Vec<String>> {
    Ok(approved(conn, campaign_id).await?.into_iter().map(|e| e.organisation).collect())
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = endorsements)]
struct Row {
    id: Uuid,
    status: EndorsementStatus,
    organisation: String,
    website: String,
    country: String,
    key_id: String,
    contact_email: Option<Vec<u8>>,
    language: String,
    created_at: DateTime<Utc>,
    confirmed_at: Option<DateTime<Utc>>,
    decided_at: Option<DateTime<Utc>>,
}

/// An endorsement as its campaign's organizers see it.
pub struct Endorsement {
    pub id: Uuid,
    pub status: EndorsementStatus,
    pub organisation: String,
    pub website: String,
    pub country: String,
    /// Erased once rejected or withdrawn.
    pub contact_email: Option<String>,
    pub language: String,
    pub created_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// Every endorsement of a campaign, oldest first.
pub async fn all_for_campaign(
    conn: &mut AsyncPgConnection,
    keys: &DataKeys,
    campaign_id: Uuid,
) -> anyhow::Result<Vec<Endorsement>> {
    let rows: Vec<Row> = endorsements::table
        .filter(endorsements::campaign_id.eq(campaign_id))
        .order(endorsements::id)
        .select(Row::as_select())
        .load(conn)
        .await?;
    rows.into_iter()
        .map(|r| {
            let contact_email = match &r.contact_email {
                Some(blob) => {
                    let field = Field { column: "endorsements.contact_email", row: &r.id };
                    Some(String::from_utf8(keys.decrypt(&r.key_id, field, blob)?)?)
                }
                None => None,
            };
            Ok(Endorsement {
                id: r.id,
                status: r.status,
                organisation: r.organisation,
                website: r.website,
                country: r.country,
                contact_email,
                language: r.language,
                created_at: r.created_at,
                confirmed_at: r.confirmed_at,
                decided_at: r.decided_at,
            })
        })
        .collect()
}
