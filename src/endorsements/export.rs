//! The endorsements' own CSV export: every endorsement of a campaign with its status, in the
//! signature export's dialect and through its formula guard, since organisations type these
//! names and they are opened in office software.

use super::list::Endorsement;
use crate::export::{csv_writer, guard_formula};

pub const HEADER: [&str; 9] = [
    "id",
    "organisation",
    "website",
    "country",
    "contact_email",
    "status",
    "asked_at",
    "confirmed_at",
    "decided_at",
];

pub fn to_csv(rows: &[Endorsement]) -> anyhow::Result<Vec<u8>> {
    let time = |t: Option<chrono::DateTime<chrono::Utc>>| t.map(|t| t.to_rfc3339()).unwrap_or_default();
    let mut csv = csv_writer(Vec::new());
    csv.write_record(HEADER)?;
    for e in rows {
        csv.write_record([
            e.id.to_string(),
            guard_formula(&e.organisation),
            guard_formula(&e.website),
            e.country.clone(),
            guard_formula(e.contact_email.as_deref().unwrap_or_default()),
            e.status.to_string(),
            e.created_at.to_rfc3339(),
            time(e.confirmed_at),
            time(e.decided_at),
        ])?;
    }
    csv.into_inner().map_err(|e| anyhow::anyhow!("writing the endorsements' CSV: {}", e.error()))
}
