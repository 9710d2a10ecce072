//! Writing the export as an `.xlsx` workbook, for organizers whose spreadsheet garbles a
//! UTF-8 CSV without a byte-order mark (LibreOffice's default import does, to Dari and
//! Pashto names). Same rows, same order, same columns as the CSV: both read through
//! `stream::each_chunk`.
//!
//! Every cell is a string cell, so nothing in it is ever run as a formula and no guard
//! quote is needed: a name that begins with `=` is kept as the supporter typed it.
//!
//! Memory: the worksheet is in rust_xlsxwriter's constant-memory mode, which writes each
//! finished row to a temporary file, so memory stays flat however many rows there are.
//! That file holds personal data: it is created without a name (`O_TMPFILE`, mode 0600)
//! inside a directory of our own (mode 0700) that is removed when the export ends. A zip
//! is only complete at its end, so the workbook leaves for `out` once every row is read;
//! the zip is streamed from the temporary file, never held whole in memory.

use std::borrow::Cow;
use std::io::Write;

use diesel::PgConnection;
use rust_xlsxwriter::{Workbook, Worksheet};
use uuid::Uuid;

use super::ExportFilter;
use super::record::{HEADER, SignatureRow, SupporterRecord};
use super::stream::each_chunk;
use crate::crypto::DataKeys;

/// A worksheet holds at most this many rows, the header included; the rows after it go on
/// to a next worksheet, which starts with the header again.
const SHEET_ROWS: u32 = 1_048_576;
/// Excel's limit for the text of one cell, in UTF-16 units.
const CELL_UNITS: usize = 32_767;

/// Writes the workbook with the header and every matching row to `out`; returns the
/// number of rows. `progress` is told the count now and then.
pub fn write_xlsx(
    conn: &mut PgConnection,
    keys: &DataKeys,
    campaign_id: Uuid,
    filter: &ExportFilter,
    out: impl Write + Send,
    progress: impl FnMut(u64),
) -> anyhow::Result<u64> {
    let private = tempfile::Builder::new().prefix("rallypost-export-").tempdir()?;
    let mut workbook = Workbook::new();
    workbook.set_tempdir(private.path())?;
    let mut sheets = Sheets { workbook, row: 0, count: 0 };
    // The header is there even when no row is.
    sheets.next_sheet()?;
    let rows =
        each_chunk(conn, keys, campaign_id, filter, decrypt, |records| sheets.write(&records), progress)?;
    // The zip comes in many small writes; each write to the web response is a message.
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, out);
    sheets.workbook.save_to_writer(&mut out)?;
    out.flush()?;
    Ok(rows)
}

fn decrypt(keys: &DataKeys, rows: Vec<SignatureRow>) -> anyhow::Result<Vec<SupporterRecord>> {
    rows.into_iter().map(|row| SupporterRecord::from_row(keys, row)).collect()
}

/// The workbook being written, and where the next row goes.
struct Sheets {
    workbook: Workbook,
    /// The next row in the current worksheet.
    row: u32,
    count: usize,
}

impl Sheets {
    fn write(&mut self, records: &[SupporterRecord]) -> anyhow::Result<()> {
        for record in records {
            if self.row == SHEET_ROWS {
                self.next_sheet()?;
            }
            let (row, mut id) = (self.row, Uuid::encode_buffer());
            write_row(self.current()?, row, record.cells(&mut id))?;
            self.row += 1;
        }
        Ok(())
    }

    fn next_sheet(&mut self) -> anyhow::Result<()> {
        self.count += 1;
        let name =
            if self.count == 1 { "signatures".to_owned() } else { format!("signatures {}", self.count) };
        self.workbook.add_worksheet_with_constant_memory()?.set_name(name)?;
        write_row(self.current()?, 0, HEADER.map(Cow::Borrowed))?;
        self.row = 1;
        Ok(())
    }

    fn current(&mut self) -> anyhow::Result<&mut Worksheet> {
        Ok(self.workbook.worksheet_from_index(self.count - 1)?)
    }
}

fn write_row(sheet: &mut Worksheet, row: u32, cells: [Cow<'_, str>; 16]) -> anyhow::Result<()> {
    for (col, cell) in (0u16..).zip(cells) {
        if !cell.is_empty() {
            sheet.write_string(row, col, fit(&cell))?;
        }
    }
    Ok(())
}

/// The cell's text cut to what a cell can hold. Fields are limited long before that, but
/// a comment of a thousand characters, each with many combining marks, could exceed it.
fn fit(cell: &str) -> &str {
    let mut units = 0;
    for (at, c) in cell.char_indices() {
        units += c.len_utf16();
        if units > CELL_UNITS {
            return &cell[..at];
        }
    }
    cell
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_longer_than_a_cell_holds_is_cut_at_a_character() {
        assert_eq!(fit("مینا"), "مینا");
        let long = "😀".repeat(20_000);
        let cut = fit(&long);
        assert_eq!(cut.encode_utf16().count(), 32_766);
        assert!(long.starts_with(cut));
    }
}
