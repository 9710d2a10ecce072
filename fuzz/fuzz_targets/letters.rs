//! Letter rendering with arbitrary supporters: names, comments and countries of any text.
//! Individual letters and digests render in every target's language; supporter text is
//! escaped in HTML, present in the plain text, never in a header; the digest's CSV
//! attachment reads back, with the csv crate, as the signers' names and countries (but
//! for the formula guard); and the full message is one that a mail parser reads.
#![no_main]

use std::sync::{Arc, OnceLock};

use arbitrary::Arbitrary;
use chrono::{DateTime, Utc};
use libfuzzer_sys::fuzz_target;
use rallypost::campaigns::{Campaign, CampaignFile};
use rallypost::crypto::DataKeys;
use rallypost::domain::Country;
use rallypost::letters::render::{self, DigestContent};
use rallypost::letters::{LetterContext, Supporter, Unnamed};

#[derive(Arbitrary, Debug)]
struct Input {
    target: u8,
    individual: bool,
    signers: Vec<Signer>,
    period_start: Option<u32>,
    period_end: u32,
    total: i64,
    sender: String,
    salutation: Option<String>,
}

#[derive(Arbitrary, Debug)]
struct Signer {
    name: String,
    country: CountryIn,
    comment: Option<String>,
}

#[derive(Arbitrary, Debug)]
enum CountryIn {
    Known(u16),
    Raw(String),
}

/// Tags that no template contains: in HTML they may appear only escaped.
const MARK: &str = "<x-fuzz>";

fn campaign() -> &'static Campaign {
    static CAMPAIGN: OnceLock<Campaign> = OnceLock::new();
    CAMPAIGN.get_or_init(|| {
        let file = CampaignFile::parse(include_str!("../../campaigns/end-forced-returns.toml")).unwrap();
        Campaign { id: uuid::Uuid::nil(), slug: file.slug.clone(), is_open: true, goal: file.goal, file }
    })
}

fn context() -> &'static LetterContext {
    static CONTEXT: OnceLock<LetterContext> = OnceLock::new();
    CONTEXT.get_or_init(|| LetterContext {
        from: "Campaign <campaign@rallypost.example>".parse().unwrap(),
        keys: Arc::new(DataKeys::disabled()),
        dkim: None,
    })
}

fn time(secs: u32) -> DateTime<Utc> {
    DateTime::from_timestamp(i64::from(secs), 0).unwrap()
}

fn guarded(written: &str, original: &str) -> bool {
    written == original
        || (written.strip_prefix('\'') == Some(original)
            && original.starts_with(['=', '+', '-', '@', '\t', '\r']))
}

fuzz_target!(|input: Input| {
    let campaign = campaign();
    let countries = Country::all();
    let mut target = campaign.file.targets[usize::from(input.target) % campaign.file.targets.len()].clone();
    if input.salutation.is_some() {
        target.salutation = input.salutation;
    }
    let signers: Vec<Supporter> = input
        .signers
        .into_iter()
        .map(|s| Supporter {
            name: format!("{}{MARK}", s.name),
            country: match s.country {
                CountryIn::Known(i) => countries[usize::from(i) % countries.len()].code().to_owned(),
                CountryIn::Raw(raw) => raw,
            },
            comment: s.comment.map(|c| format!("{MARK}{c}")),
            lang: rallypost::domain::Lang::En,
        })
        .collect();

    let rendered = if input.individual {
        let Some(supporter) = signers.first() else { return };
        let rendered = render::individual(campaign, &target, supporter, &Unnamed::default(), &[]).unwrap();
        // Names and comments are isolated (FSI...PDI, a pair per line): read past the isolates.
        let bare = |s: &str| s.replace(['\u{2068}', '\u{2069}'], "");
        let text = bare(&rendered.text);
        assert!(text.contains(&bare(&supporter.name)));
        if let Some(comment) = &supporter.comment {
            assert!(text.contains(&bare(comment)));
        }
        rendered
    } else {
        let content = DigestContent {
            period_start: input.period_start.map(time),
            period_end: time(input.period_end),
            new: signers.clone(),
            unnamed: Unnamed::default(),
            total: input.total,
        };
        let rendered = render::digest(campaign, &target, &content, &input.sender, &[]).unwrap();
        let csv = &rendered.attachment.as_ref().unwrap().bytes;
        let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(csv.as_slice());
        assert_eq!(reader.headers().unwrap(), &csv::StringRecord::from(vec!["name", "country"]));
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), signers.len());
        for (row, signer) in rows.iter().zip(&signers) {
            assert_eq!(row.len(), 2, "{row:?}");
            assert!(guarded(&row[0], &signer.name), "{:?} from {:?}", &row[0], signer.name);
            // Named in the target's language, as the letter names it.
            let country = rallypost::i18n::cldr::country_name(target.lang, &signer.country);
            assert!(guarded(&row[1], country), "{:?} from {:?}", &row[1], country);
        }
        rendered
    };
    assert!(!rendered.html.contains(MARK), "supporter text unescaped in HTML");

    let subject = rendered.subject.clone();
    let text = rendered.text.clone();
    let id = uuid::Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001);
    let bytes = context().message(&target, id, rendered).unwrap();
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n").expect("a header section");
    let headers = String::from_utf8_lossy(&bytes[..end]);
    assert!(!headers.contains("x-fuzz"), "supporter text in a header");
    let parsed = mail_parser::MessageParser::default().parse(&bytes).expect("a parsable message");
    assert_eq!(parsed.subject(), Some(subject.as_str()));
    let body = parsed.body_text(0).expect("a text part");
    assert_eq!(body.replace("\r\n", "\n").trim_end(), text.replace("\r\n", "\n").trim_end());
});
