//! The pack's PDF, typeset in pieces. typst lays out a whole document in memory before it
//! writes any of it: about half a megabyte a page, so 976 MB for 50,000 signers (bench/
//! README.md). Here the signers are typeset a piece at a time, the front matter (the call,
//! the counts, the chart, the endorsers) with the first, and each piece's PDF is added to
//! the file as it comes (`join`): memory stays that of one piece.
//!
//! The joined file should read as one document, so two passes. The first lays each piece
//! out and hands the signers that begin its last page on to the next piece: every piece
//! but the last ends with a full page, as in one long document; and it counts the pages.
//! The second typesets each piece with its first page number and the total, for the
//! footer ("12 / 1853"). Twice the layout for the same look; the time is in bench/README.md.

mod data;
mod join;
#[cfg(test)]
mod tests;
mod world;

use std::io::Write;
use std::ops::Range;

use chrono::NaiveDate;
use serde::Serialize;

pub(super) use data::PdfData;

use super::pack::SignerLine;

/// Signers a piece: about 60 pages, 40 MB while typst holds them (bench/handover.sh).
const PIECE: usize = 1_500;

/// `/data.json`, as `templates/handover/pack.typ` reads it.
#[derive(Serialize)]
struct Piece<'a> {
    doc: &'a PdfData<'a>,
    /// The call, counts, chart and endorsers come first, in the first piece only.
    front: bool,
    first_page: usize,
    /// 0 in the first pass, which counts them.
    total_pages: usize,
    signers: &'a [SignerLine],
}

/// Typesets the pack's PDF into `out`. `today` is the date the pack was made.
pub(super) fn write<W: Write>(
    doc: &PdfData<'_>,
    signers: &[SignerLine],
    today: NaiveDate,
    out: W,
) -> anyhow::Result<W> {
    write_in_pieces(doc, signers, today, PIECE, out)
}

fn write_in_pieces<W: Write>(
    doc: &PdfData<'_>,
    signers: &[SignerLine],
    today: NaiveDate,
    piece_size: usize,
    out: W,
) -> anyhow::Result<W> {
    let plan = plan(doc, signers, today, piece_size)?;
    let total_pages = plan.iter().map(|(_, pages)| pages).sum();
    let mut joined = join::Joiner::new(out);
    let mut first_page = 1;
    for (range, pages) in plan {
        let piece = Piece { doc, front: range.start == 0, first_page, total_pages, signers: &signers[range] };
        let (pdf, typeset) = world::typeset(serde_json::to_vec(&piece)?, today)?;
        // The footer is all that differs from the first pass, and it has room of its own.
        anyhow::ensure!(typeset == pages, "a piece of the PDF came out at {typeset} pages, not {pages}");
        joined.append(&pdf)?;
        first_page += pages;
    }
    joined.finish()
}

/// The first pass: each piece's signers and how many pages it fills.
fn plan(
    doc: &PdfData<'_>,
    signers: &[SignerLine],
    today: NaiveDate,
    piece_size: usize,
) -> anyhow::Result<Vec<(Range<usize>, usize)>> {
    let mut plan = Vec::new();
    let mut start: usize = 0;
    loop {
        let end = signers.len().min(start.saturating_add(piece_size));
        let piece =
            Piece { doc, front: start == 0, first_page: 1, total_pages: 0, signers: &signers[start..end] };
        let layout = world::lay_out(serde_json::to_vec(&piece)?, today)?;
        let carried = layout.signers_on_last_page;
        if end < signers.len() && layout.pages > 1 && (1..end - start).contains(&carried) {
            plan.push((start..end - carried, layout.pages - 1));
            start = end - carried;
        } else {
            // The last piece; or one page holds the whole piece, and the next begins a page.
            plan.push((start..end, layout.pages));
            if end == signers.len() {
                return Ok(plan);
            }
            start = end;
        }
    }
}
