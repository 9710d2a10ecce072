//! The pack's PDF, typeset by typst used as a library: a small `World` that holds one
//! template (`templates/handover/pack.typ`), one data file and the fonts, and nothing
//! else (no file system, no packages, no network).
//!
//! Supporters' words never become markup: the data travels as a JSON file the template
//! reads with `json(...)`, so a name such as `#import "x"` or `$x$` is set as the text it
//! is. Shaping of Arabic script and right-to-left layout are typst's, from the text's
//! language and direction the template sets.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::layout::PagedDocument;
use typst::syntax::{FileId, Source, VirtualPath};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use super::pack::{Endorsement, SignerLine, Tally};
use crate::campaigns::{PageText, Target};
use crate::i18n::Texts;

const TEMPLATE: &str = include_str!("../../templates/handover/pack.typ");
/// Where the template finds its data: the path it gives `json(...)`.
const DATA_PATH: &str = "/data.json";

/// Fonts shipped in the binary (OFL): Latin, Cyrillic and Greek from Noto Sans; Dari and
/// Pashto from Noto Sans Arabic.
const BUILT_IN_FONTS: [&[u8]; 4] = [
    include_bytes!("../../assets/fonts/NotoSans-Regular.ttf"),
    include_bytes!("../../assets/fonts/NotoSans-Bold.ttf"),
    include_bytes!("../../assets/fonts/NotoSansArabic-Regular.ttf"),
    include_bytes!("../../assets/fonts/NotoSansArabic-Bold.ttf"),
];

/// Colour emoji, if the system has them (Debian's fonts-noto-color-emoji): names with
/// emoji then print with them rather than as empty boxes. Too large (10 MB) to ship inside
/// the binary for an optional nicety.
const EMOJI_FONTS: [&str; 1] = ["/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"];

struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

/// Parsed once per process: the fonts do not change while it runs.
fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        let built_in = BUILT_IN_FONTS.iter().map(|data| Bytes::new(*data));
        let system = EMOJI_FONTS.iter().filter_map(|path| std::fs::read(path).ok()).map(Bytes::new);
        let fonts: Vec<Font> = built_in.chain(system).flat_map(Font::iter).collect();
        Fonts { book: LazyHash::new(FontBook::from_fonts(&fonts)), fonts }
    })
}

struct PackWorld {
    library: LazyHash<Library>,
    main: Source,
    data_id: FileId,
    data: Bytes,
    today: Datetime,
}

impl World for PackWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &fonts().book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotFound(id.vpath().as_rootless_path().into()))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            Ok(self.data.clone())
        } else {
            Err(FileError::NotFound(id.vpath().as_rootless_path().into()))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        fonts().fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<i64>) -> Option<Datetime> {
        Some(self.today)
    }
}

/// Typesets the template over `data` (the JSON the template reads) into PDF bytes.
/// `today` is the date the pack was made, for the document's metadata.
pub fn render(data: Vec<u8>, today: chrono::NaiveDate) -> anyhow::Result<Vec<u8>> {
    use chrono::Datelike;
    let world = PackWorld {
        library: LazyHash::new(Library::builder().build()),
        main: Source::new(FileId::new(None, VirtualPath::new("/pack.typ")), TEMPLATE.to_owned()),
        data_id: FileId::new(None, VirtualPath::new(DATA_PATH)),
        data: Bytes::new(data),
        today: Datetime::from_ymd(today.year(), today.month() as u8, today.day() as u8)
            .ok_or_else(|| anyhow::anyhow!("{today} is not a date typst can hold"))?,
    };
    let document = typst::compile::<PagedDocument>(&world).output.map_err(|errors| diagnostics(&errors))?;
    let pdf = typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
        .map_err(|errors| diagnostics(&errors))?;
    // typst memoizes layout across compilations; a server makes a pack now and then, and
    // should not keep the last one's pieces in memory until the next.
    typst::comemo::evict(0);
    Ok(pdf)
}

fn diagnostics(errors: &[typst::diag::SourceDiagnostic]) -> anyhow::Error {
    let messages: Vec<String> = errors.iter().map(|e| e.message.to_string()).collect();
    anyhow::anyhow!("typesetting the handover PDF failed: {}", messages.join("; "))
}

/// `/data.json`, as `templates/handover/pack.typ` reads it: every word already in the
/// target's language.
#[derive(Serialize)]
pub(super) struct PdfData<'a> {
    lang: &'a str,
    rtl: bool,
    labels: Labels,
    title: &'a str,
    call_intro: &'a str,
    call: &'a [String],
    target: String,
    total_line: String,
    countries: Vec<CountryLine>,
    days: Vec<DayBar>,
    chart_caption: String,
    endorsements: Vec<Endorsement>,
    anonymous_line: String,
    footer: String,
    signers: &'a [SignerLine],
}

#[derive(Serialize)]
struct Labels {
    to: String,
    counts: String,
    country: String,
    signatures: String,
    per_day: String,
    no_signatures: String,
    endorsements: String,
    no_endorsements: String,
    signers: String,
}

#[derive(Serialize)]
struct CountryLine {
    name: String,
    count: String,
}

#[derive(Serialize)]
struct DayBar {
    count: u64,
}

impl<'a> PdfData<'a> {
    pub(super) fn new(
        texts: &Texts,
        target: &Target,
        page: &'a PageText,
        tally: &'a Tally,
        endorsements: &'a [Endorsement],
        made_at: DateTime<Utc>,
    ) -> PdfData<'a> {
        let lang = texts.lang();
        let number = |n: u64| texts.number(i64::try_from(n).unwrap_or(i64::MAX));
        let mut countries: Vec<(&String, &u64)> = tally.by_country.iter().collect();
        countries.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let (days, chart_caption) = days(texts, &tally.by_day);
        PdfData {
            lang: lang.langid().language.as_str(),
            rtl: lang.dir() == "rtl",
            labels: Labels {
                to: texts.t("handover-to"),
                counts: texts.t("handover-counts"),
                country: texts.t("handover-country"),
                signatures: texts.t("handover-signatures"),
                per_day: texts.t("handover-per-day"),
                no_signatures: texts.t("handover-no-signatures"),
                endorsements: texts.t("handover-endorsements"),
                no_endorsements: texts.t("handover-no-endorsements"),
                signers: texts.t("handover-signers"),
            },
            title: &page.title,
            call_intro: &page.call_intro,
            call: &page.call,
            target: format!("{}, {}", target.office, target.organisation),
            total_line: texts.t1("handover-total", "total", number(tally.named + tally.anonymous)),
            countries: countries
                .into_iter()
                .map(|(code, n)| CountryLine {
                    name: match crate::i18n::cldr::country_name(lang, code) {
                        name if name == code => code.clone(),
                        name => format!("{name} ({code})"),
                    },
                    count: number(*n),
                })
                .collect(),
            days,
            chart_caption,
            // Each organisation's country named in the target's language too.
            endorsements: endorsements
                .iter()
                .map(|e| Endorsement {
                    name: e.name.clone(),
                    country: crate::i18n::cldr::country_name(lang, &e.country).to_owned(),
                })
                .collect(),
            anonymous_line: texts.t1("handover-anonymous", "count", number(tally.anonymous)),
            footer: texts.t_args(
                "handover-footer",
                &[("campaign", page.title.clone()), ("date", made_at.format("%Y-%m-%d").to_string())],
            ),
            signers: &tally.signers,
        }
    }
}

/// One bar per day from the first signature to the last, empty days included, and the
/// caption that names the span and the highest bar.
fn days(texts: &Texts, by_day: &BTreeMap<NaiveDate, u64>) -> (Vec<DayBar>, String) {
    let (Some((&first, _)), Some((&last, _))) = (by_day.first_key_value(), by_day.last_key_value()) else {
        return (Vec::new(), String::new());
    };
    let bars: Vec<DayBar> = first
        .iter_days()
        .take_while(|d| *d <= last)
        .map(|d| DayBar { count: by_day.get(&d).copied().unwrap_or(0) })
        .collect();
    let max = by_day.values().copied().max().unwrap_or(0);
    let caption = texts.t_args(
        "handover-chart-caption",
        &[
            ("first", first.format("%Y-%m-%d").to_string()),
            ("last", last.format("%Y-%m-%d").to_string()),
            ("max", texts.number(i64::try_from(max).unwrap_or(i64::MAX))),
        ],
    );
    (bars, caption)
}
