//! The pieces joined: one document to whoever reads it, page numbers through, the
//! structure tree whole. Read back with poppler's `pdftotext` and `pdfinfo`, and lopdf.

use std::io::Write;
use std::process::Command;

use chrono::{NaiveDate, TimeZone, Utc};

use super::{PdfData, write_in_pieces};
use crate::campaigns::{PageText, Target};
use crate::domain::Lang;
use crate::handover::pack::{SignerLine, Tally};
use crate::i18n::Texts;

const SIGNERS: usize = 150;

fn tally() -> Tally {
    let mut tally = Tally::default();
    let day = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
    for i in 0..SIGNERS {
        // A comment for every other signer, some in Dari: entries of different heights.
        let comment = match i % 4 {
            0 => "Stop the deportations now. Protection, not return.".to_owned(),
            2 => "اخراج اجباری را متوقف کنید".to_owned(),
            _ => String::new(),
        };
        tally.signers.push(SignerLine::new(format!("Signer {i:03}"), "AF".into(), day, comment));
        tally.named += 1;
    }
    tally.by_country.insert("AF".into(), SIGNERS as u64);
    tally.by_day.insert(day, SIGNERS as u64);
    tally
}

fn page_text() -> PageText {
    PageText {
        title: "Stop forced returns".into(),
        summary: String::new(),
        body: Vec::new(),
        call_intro: "We call on you to".into(),
        call: vec!["stop forced returns to Afghanistan".into()],
        consent: String::new(),
        updates: String::new(),
        share_text: String::new(),
    }
}

fn target() -> Target {
    Target {
        id: "de-bmi".into(),
        office: "Minister".into(),
        organisation: "Ministry of the Interior".into(),
        email: "minister@example.org".parse().unwrap(),
        lang: Lang::En,
        salutation: None,
    }
}

/// The PDF, typeset with `piece_size` signers a piece.
fn pdf(piece_size: usize) -> Vec<u8> {
    let (tally, page, target, texts) = (tally(), page_text(), target(), Texts::new(Lang::En));
    let made_at = Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap();
    let data = PdfData::new(&texts, &target, &page, &tally, &[], made_at);
    write_in_pieces(&data, &tally.signers, made_at.date_naive(), piece_size, Vec::new()).unwrap()
}

/// Runs a poppler tool over the PDF and returns what it printed.
fn poppler(tool: &str, pdf: &[u8]) -> String {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(pdf).unwrap();
    let mut command = Command::new(tool);
    if tool == "pdftotext" {
        command.args(["-enc", "UTF-8"]);
    }
    command.arg(file.path());
    if tool == "pdftotext" {
        command.arg("-");
    }
    let output = command.output().unwrap_or_else(|e| panic!("{tool}: {e}"));
    assert!(output.status.success(), "{tool}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

fn pages(pdf: &[u8]) -> usize {
    let info = poppler("pdfinfo", pdf);
    let line = info.lines().find(|l| l.starts_with("Pages:")).expect("a page count");
    line["Pages:".len()..].trim().parse().unwrap()
}

#[test]
fn a_pack_typeset_in_pieces_reads_as_one_document_with_its_pages_numbered_through() {
    let whole = pdf(usize::MAX);
    let pieced = pdf(40);

    // As many pages as one document: every piece but the last ends with a full page.
    let total = pages(&pieced);
    assert_eq!(total, pages(&whole));
    assert!(total >= 4, "only {total} pages: the test needs several pieces");
    // Each page says where it is in the whole.
    let text = poppler("pdftotext", &pieced);
    let page_texts: Vec<&str> = text.split('\u{c}').filter(|p| !p.trim().is_empty()).collect();
    assert_eq!(page_texts.len(), total);
    for (i, page) in page_texts.iter().enumerate() {
        // pdftotext reads the footer's "3 / 7" as "3/7" or "3 / 7", depending on its spacing.
        let footer = page.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or_default().replace(' ', "");
        assert_eq!(footer, format!("{}/{total}", i + 1), "page {}:\n{page}", i + 1);
    }
    // The call once, then every signer once, in order.
    assert_eq!(text.matches("stop forced returns to Afghanistan").count(), 1);
    let mut last = 0;
    for i in 0..SIGNERS {
        let name = format!("Signer {i:03}");
        assert_eq!(text.matches(&name).count(), 1, "{name}");
        let at = text.find(&name).unwrap();
        assert!(at > last, "{name} out of order");
        last = at;
    }
}

#[test]
fn the_joined_pdf_has_one_page_tree_and_one_structure_tree_for_screen_readers() {
    let doc = lopdf::Document::load_mem(&pdf(40)).unwrap();
    let catalog = doc.catalog().unwrap();
    let root_pages = catalog.get(b"Pages").unwrap().as_reference().unwrap();
    let pages: Vec<_> = doc.page_iter().collect();
    assert_eq!(
        doc.get_dictionary(root_pages).unwrap().get(b"Count").unwrap().as_i64().unwrap(),
        pages.len() as i64
    );

    let tree_root = catalog.get(b"StructTreeRoot").unwrap().as_reference().unwrap();
    let tree_root = doc.get_dictionary(tree_root).unwrap();
    let nums =
        tree_root.get(b"ParentTree").unwrap().as_dict().unwrap().get(b"Nums").unwrap().as_array().unwrap();
    let keys: Vec<i64> = nums.iter().step_by(2).map(|k| k.as_i64().unwrap()).collect();
    assert!(keys.windows(2).all(|k| k[0] < k[1]), "parent tree keys not unique and rising: {keys:?}");
    let next_key = tree_root.get(b"ParentTreeNextKey").unwrap().as_i64().unwrap();
    assert!(keys.iter().all(|k| *k < next_key));
    // Every page finds its structure elements, each marked in one structure tree.
    for page in pages {
        let page = doc.get_dictionary(page).unwrap();
        assert_eq!(page.get(b"Parent").unwrap().as_reference().unwrap(), root_pages);
        let key = page.get(b"StructParents").unwrap().as_i64().unwrap();
        assert!(keys.contains(&key), "page's StructParents {key} not in the parent tree");
    }
    // One document element holds the structure of every piece, each element's parent.
    let document_id = match tree_root.get(b"K").unwrap() {
        lopdf::Object::Array(kids) => kids[0].as_reference().unwrap(),
        kid => kid.as_reference().unwrap(),
    };
    let kids = doc.get_dictionary(document_id).unwrap().get(b"K").unwrap().as_array().unwrap();
    assert!(kids.len() > 1);
    for kid in kids {
        let kid = doc.get_dictionary(kid.as_reference().unwrap()).unwrap();
        assert_eq!(kid.get(b"P").unwrap().as_reference().unwrap(), document_id);
    }
}
