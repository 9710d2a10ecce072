//! One signature as exports and the API read it. `SupporterRecord::from_row` is the only
//! place in exports and the API that reads supporters' personal fields (name, email,
//! postcode, comment): it decrypts them (see `crate::crypto`).

use std::borrow::Cow;

use chrono::{DateTime, SecondsFormat, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::crypto::{DataKeys, Field};
use crate::db::schema::signatures;
use crate::signatures::SignatureStatus;

pub const HEADER: [&str; 16] = [
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
    "anonymous",
    "partner",
    "source",
    "medium",
    "utm_campaign",
];

/// The stored columns, as they come from the database.
#[derive(Queryable, Selectable)]
#[diesel(table_name = signatures)]
pub struct SignatureRow {
    id: Uuid,
    status: SignatureStatus,
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
    anonymous: bool,
    partner_id: Option<String>,
    partner_opt_in: bool,
    utm_source: Option<String>,
    utm_medium: Option<String>,
    utm_campaign: Option<String>,
    referrer_host: Option<String>,
}

/// A signature with its personal fields readable. Withdrawn signatures have them erased,
/// hence the options.
#[derive(Debug)]
pub struct SupporterRecord {
    pub id: Uuid,
    pub status: SignatureStatus,
    pub signed_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub country: String,
    pub postcode: Option<String>,
    pub comment: Option<String>,
    pub updates_opt_in: bool,
    pub language: String,
    /// Counted, but never named to a target; organizers see it.
    pub anonymous: bool,
    /// The partner whose link brought the supporter.
    pub partner: Option<String>,
    pub partner_opt_in: bool,
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    /// The host of the page that linked to the campaign.
    pub referrer_host: Option<String>,
}

impl SupporterRecord {
    /// Decrypts the personal fields under the key the row names.
    pub fn from_row(keys: &DataKeys, row: SignatureRow) -> anyhow::Result<SupporterRecord> {
        let open = |column, blob: Option<Vec<u8>>| {
            keys.decrypt_text_owned(&row.key_id, Field { column, row: &row.id }, blob)
        };
        Ok(SupporterRecord {
            name: open("signatures.name", row.name)?,
            email: open("signatures.email", row.email)?,
            postcode: open("signatures.postcode", row.postcode)?,
            comment: open("signatures.comment", row.comment)?,
            id: row.id,
            status: row.status,
            signed_at: row.signed_at,
            confirmed_at: row.confirmed_at,
            country: row.country,
            updates_opt_in: row.updates_opt_in,
            language: row.language,
            anonymous: row.anonymous,
            partner: row.partner_id,
            partner_opt_in: row.partner_opt_in,
            utm_source: row.utm_source,
            utm_medium: row.utm_medium,
            utm_campaign: row.utm_campaign,
            referrer_host: row.referrer_host,
        })
    }

    /// The cells in `HEADER` order, as stored: each format makes them safe its own way.
    /// Borrows where it can: an export writes millions of these. `id` is the buffer the
    /// signature id is written into.
    pub fn cells<'a>(&'a self, id: &'a mut [u8; 45]) -> [Cow<'a, str>; 16] {
        let time = |t: &DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
        fn text(t: &Option<String>) -> Cow<'_, str> {
            Cow::Borrowed(t.as_deref().unwrap_or(""))
        }
        let flag = |b: bool| Cow::Borrowed(if b { "true" } else { "false" });
        [
            Cow::Borrowed(&*self.id.hyphenated().encode_lower(id)),
            Cow::Borrowed(self.status.as_str()),
            Cow::Owned(time(&self.signed_at)),
            Cow::Owned(self.confirmed_at.as_ref().map(time).unwrap_or_default()),
            text(&self.name),
            text(&self.email),
            Cow::Borrowed(&self.country),
            text(&self.postcode),
            text(&self.comment),
            flag(self.updates_opt_in),
            Cow::Borrowed(&self.language),
            flag(self.anonymous),
            text(&self.partner),
            text(&self.utm_source),
            text(&self.utm_medium),
            text(&self.utm_campaign),
        ]
    }

    /// Writes the CSV record with the formula guard applied to each cell.
    pub fn write_csv<W: std::io::Write>(&self, csv: &mut csv::Writer<W>) -> csv::Result<()> {
        let mut id = Uuid::encode_buffer();
        csv.write_record(self.cells(&mut id).map(guard_cow).iter().map(|cell| cell.as_bytes()))
    }
}

fn guard_cow(cell: Cow<'_, str>) -> Cow<'_, str> {
    if runs_as_formula(&cell) { Cow::Owned(format!("'{cell}")) } else { cell }
}

fn runs_as_formula(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// Spreadsheets run a cell that begins with one of these as a formula; a leading `'`
/// makes it text.
pub fn guard_formula(cell: &str) -> String {
    guard_cow(Cow::Borrowed(cell)).into_owned()
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
