//! The export's CSV writer on arbitrary records: read back with the csv crate, every row
//! has the header's 16 cells, each equal to what was written but for the formula guard,
//! and no text cell starts with a character that makes a spreadsheet run it.
#![no_main]

use arbitrary::Arbitrary;
use chrono::{DateTime, Utc};
use libfuzzer_sys::fuzz_target;
use rallypost::export::{HEADER, SupporterRecord, csv_writer};
use rallypost::signatures::SignatureStatus;

#[derive(Arbitrary, Debug)]
struct Row {
    id: u128,
    status: u8,
    signed_at: u32,
    confirmed_at: Option<u32>,
    name: Option<String>,
    email: Option<String>,
    country: String,
    postcode: Option<String>,
    comment: Option<String>,
    updates_opt_in: bool,
    language: String,
    anonymous: bool,
    partner: Option<String>,
    utm_source: Option<String>,
    utm_medium: Option<String>,
    utm_campaign: Option<String>,
}

fn time(secs: u32) -> DateTime<Utc> {
    DateTime::from_timestamp(i64::from(secs), 0).expect("a u32 of seconds is a valid time")
}

/// `written` is `original`, or `'` + `original` when the original would run as a formula.
fn unguarded(written: &str, original: &str) -> bool {
    written == original
        || (written.strip_prefix('\'') == Some(original)
            && original.starts_with(['=', '+', '-', '@', '\t', '\r']))
}

fuzz_target!(|rows: Vec<Row>| {
    let records: Vec<SupporterRecord> = rows
        .into_iter()
        .map(|r| SupporterRecord {
            id: uuid::Uuid::from_u128(r.id),
            status: SignatureStatus::ALL[usize::from(r.status) % SignatureStatus::ALL.len()],
            signed_at: time(r.signed_at),
            confirmed_at: r.confirmed_at.map(time),
            name: r.name,
            email: r.email,
            country: r.country,
            postcode: r.postcode,
            comment: r.comment,
            updates_opt_in: r.updates_opt_in,
            language: r.language,
            anonymous: r.anonymous,
            partner: r.partner,
            partner_opt_in: false,
            utm_source: r.utm_source,
            utm_medium: r.utm_medium,
            utm_campaign: r.utm_campaign,
            referrer_host: None,
        })
        .collect();
    let mut out = Vec::new();
    {
        let mut csv = csv_writer(&mut out);
        csv.write_record(HEADER).unwrap();
        for record in &records {
            record.write_csv(&mut csv).unwrap();
        }
        csv.flush().unwrap();
    }
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(out.as_slice());
    assert_eq!(reader.headers().unwrap(), &csv::StringRecord::from(HEADER.to_vec()));
    let read: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(read.len(), records.len());
    for (row, record) in read.iter().zip(&records) {
        let cells: Vec<&str> = row.iter().collect();
        assert_eq!(cells.len(), HEADER.len());
        let time = |t: &DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        assert_eq!(cells[2], time(&record.signed_at));
        assert_eq!(cells[3], record.confirmed_at.as_ref().map(time).unwrap_or_default());
        assert_eq!(cells[9], if record.updates_opt_in { "true" } else { "false" });
        assert_eq!(cells[11], if record.anonymous { "true" } else { "false" });
        let text = |o: &Option<String>| o.clone().unwrap_or_default();
        let originals = [
            (4, text(&record.name)),
            (5, text(&record.email)),
            (6, record.country.clone()),
            (7, text(&record.postcode)),
            (8, text(&record.comment)),
            (1, record.status.to_string()),
            (10, record.language.clone()),
            (12, text(&record.partner)),
            (13, text(&record.utm_source)),
            (14, text(&record.utm_medium)),
            (15, text(&record.utm_campaign)),
        ];
        for (i, original) in originals {
            assert!(unguarded(cells[i], &original), "cell {i}: {:?} from {original:?}", cells[i]);
        }
        for cell in &cells {
            assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{cell:?}");
        }
        assert_eq!(cells[0], record.id.to_string());
    }
});
