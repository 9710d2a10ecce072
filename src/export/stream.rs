//! Writing the CSV: rows come one at a time from PostgreSQL (row-by-row mode on a
//! blocking connection) and leave through a small buffer, so memory stays flat however
//! many rows there are and the first bytes leave at once.

use std::io::Write;

use diesel::pg::PgRowByRowLoadingMode;
use diesel::prelude::*;
use uuid::Uuid;

use super::ExportFilter;
use super::record::{HEADER, SignatureRow, SupporterRecord};
use crate::crypto::DataKeys;
use crate::db::schema::signatures;

/// The export's CSV dialect: RFC 4180 quoting, CRLF line ends. Rows go in as
/// `SupporterRecord::csv_cells`, which guards cells a spreadsheet would run.
pub fn csv_writer<W: Write>(out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).buffer_capacity(64 * 1024).from_writer(out)
}

/// Writes the header and every matching row to `out`; returns the number of rows.
/// `progress` is told the count now and then.
pub fn write_csv(
    conn: &mut PgConnection,
    keys: &DataKeys,
    campaign_id: Uuid,
    filter: &ExportFilter,
    out: impl Write,
    mut progress: impl FnMut(u64),
) -> anyhow::Result<u64> {
    let mut csv = csv_writer(out);
    csv.write_record(HEADER)?;

    let mut query = signatures::table
        .filter(signatures::campaign_id.eq(campaign_id))
        .filter(signatures::status.eq_any(filter.statuses()))
        .select(SignatureRow::as_select())
        .order((signatures::signed_at, signatures::id))
        .into_boxed();
    if let Some(since) = filter.since {
        query = query.filter(signatures::signed_at.ge(since));
    }
    if let Some(until) = filter.until {
        query = query.filter(signatures::signed_at.lt(until));
    }
    if let Some(country) = filter.country {
        query = query.filter(signatures::country.eq(country.code()));
    }

    let mut rows = 0u64;
    for row in query.load_iter::<SignatureRow, PgRowByRowLoadingMode>(conn)? {
        csv.write_record(SupporterRecord::from_row(keys, row?)?.csv_cells())?;
        rows += 1;
        if rows.is_multiple_of(50_000) {
            progress(rows);
        }
    }
    csv.flush()?;
    progress(rows);
    Ok(rows)
}
