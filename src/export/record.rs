//! One signature as exports and the API read it. `SupporterRecord::from_row` is the only
//! place in exports and the API that reads supporters' personal fields (name, email,
//! postcode, comment): it decrypts them (see `crate::crypto`).

use chrono::{DateTime, SecondsFormat, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::crypto::{DataKeys, Field};
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
    name: Option<Vec<u8>>,
    email: Option<Vec<u8>>,
    country: String,
    postcode: Option<Vec<u8>>,
    comment: Option<Vec<u8>>,
    updates_opt_in: bool,
    language: String,
    key_id: String,
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
    /// Decrypts the personal fields under the key the row names.
    pub fn from_row(keys: &DataKeys, row: SignatureRow) -> anyhow::Result<SupporterRecord> {
        let open = |column, blob: &Option<Vec<u8>>| {
            keys.decrypt_text(&row.key_id, Field { column, row: &row.id }, blob.as_deref())
        };
        Ok(SupporterRecord {
            name: open("signatures.name", &row.name)?,
            email: open("signatures.email", &row.email)?,
            postcode: open("signatures.postcode", &row.postcode)?,
            comment: open("signatures.comment", &row.comment)?,
            id: row.id,
            status: row.status,
            signed_at: row.signed_at,
            confirmed_at: row.confirmed_at,
            country: row.country,
            updates_opt_in: row.updates_opt_in,
            language: row.language,
        })
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
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{cell}") } else { cell.to_owned() }
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
