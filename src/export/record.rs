//! One signature as exports and the API read it. `SupporterRecord::from_row` is the only
//! place that reads supporters' personal fields (name, email, postcode, comment): when they
//! are encrypted at rest, decryption goes there and nowhere else.

use chrono::{DateTime, SecondsFormat, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::signatures;

pub const HEADER: [&str; 11] = [
    "signature_id",
    "status",
    "signed_at",
    "confirmed_at",
    "name",
    "email",
    "country",
    "postcode",
    "comment",
    "updates_opt_in",
    "language",
];

/// The stored columns, as they come from the database.
#[derive(Queryable, Selectable)]
#[diesel(table_name = signatures)]
pub struct SignatureRow {
    id: Uuid,
    status: String,
    signed_at: DateTime<Utc>,
    confirmed_at: Option<DateTime<Utc>>,
    name: Option<String>,
    email: Option<String>,
    country: String,
    postcode: Option<String>,
    comment: Option<String>,
    updates_opt_in: bool,
    language: String,
}

/// A signature with its personal fields readable. Withdrawn signatures have them erased,
/// hence the options.
#[derive(Debug)]
pub struct SupporterRecord {
    pub id: Uuid,
    pub status: String,
    pub signed_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub country: String,
    pub postcode: Option<String>,
    pub comment: Option<String>,
    pub updates_opt_in: bool,
    pub language: String,
}

impl SupporterRecord {
    pub fn from_row(row: SignatureRow) -> SupporterRecord {
        SupporterRecord {
            id: row.id,
            status: row.status,
            signed_at: row.signed_at,
            confirmed_at: row.confirmed_at,
            name: row.name,
            email: row.email,
            country: row.country,
            postcode: row.postcode,
            comment: row.comment,
            updates_opt_in: row.updates_opt_in,
            language: row.language,
        }
    }

    /// The CSV cells, in `HEADER` order, with the formula guard applied to each.
    pub fn csv_cells(&self) -> [String; 11] {
        let time = |t: &DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
        let text = |t: &Option<String>| guard_formula(t.as_deref().unwrap_or(""));
        [
            self.id.to_string(),
            guard_formula(&self.status),
            time(&self.signed_at),
            self.confirmed_at.as_ref().map(time).unwrap_or_default(),
            text(&self.name),
            text(&self.email),
            guard_formula(&self.country),
            text(&self.postcode),
            text(&self.comment),
            self.updates_opt_in.to_string(),
            guard_formula(&self.language),
        ]
    }
}

/// Spreadsheets run a cell that begins with one of these as a formula; a leading `'`
/// makes it text.
pub fn guard_formula(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_spreadsheets_would_run_become_text() {
        for cell in ["=1+1", "+49", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(guard_formula(cell), format!("'{cell}"));
        }
        for cell in ["Mina", "", "a=b", " =x", "مینا"] {
            assert_eq!(guard_formula(cell), cell);
        }
    }
}
