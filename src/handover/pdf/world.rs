//! typst used as a library: a small `World` that holds one template
//! (`templates/handover/pack.typ`), one data file (a piece of the pack) and the fonts, and
//! nothing else (no file system, no packages, no network).
//!
//! Supporters' words never become markup: the data travels as a JSON file the template
//! reads with `json(...)`, so a name such as `#import "x"` or `$x$` is set as the text it
//! is. Shaping of Arabic script and right-to-left layout are typst's, from the text's
//! language and direction the template sets.

use std::sync::OnceLock;

use chrono::NaiveDate;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Label, Selector};
use typst::layout::PagedDocument;
use typst::syntax::{FileId, Source, VirtualPath};
use typst::text::{Font, FontBook};
use typst::utils::{LazyHash, PicoStr};
use typst::{Library, LibraryExt, World};

const TEMPLATE: &str = include_str!("../../../templates/handover/pack.typ");
/// The label the template puts on each signer's entry, to find the page it landed on.
const SIGNER_LABEL: &str = "signer";
/// Where the template finds its data: the path it gives `json(...)`.
const DATA_PATH: &str = "/data.json";

/// Fonts shipped in the binary (OFL): Latin, Cyrillic and Greek from Noto Sans; Dari and
/// Pashto from Noto Sans Arabic.
const BUILT_IN_FONTS: [&[u8]; 4] = [
    include_bytes!("../../../assets/fonts/NotoSans-Regular.ttf"),
    include_bytes!("../../../assets/fonts/NotoSans-Bold.ttf"),
    include_bytes!("../../../assets/fonts/NotoSansArabic-Regular.ttf"),
    include_bytes!("../../../assets/fonts/NotoSansArabic-Bold.ttf"),
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

/// How a piece came out: its pages, and how many of its signers begin on the last one.
pub(super) struct Layout {
    pub(super) pages: usize,
    pub(super) signers_on_last_page: usize,
}

/// Lays out a piece (`data`, the JSON the template reads) without writing it.
pub(super) fn lay_out(data: Vec<u8>, today: NaiveDate) -> anyhow::Result<Layout> {
    let document = compile(data, today)?;
    let pages = document.pages.len();
    let label = Label::new(PicoStr::intern(SIGNER_LABEL)).expect("a label that is not empty");
    let signers_on_last_page = document
        .introspector
        .query(&Selector::Label(label))
        .iter()
        .filter_map(|entry| entry.location())
        .filter(|at| document.introspector.page(*at).get() == pages)
        .count();
    drop(document);
    forget();
    Ok(Layout { pages, signers_on_last_page })
}

/// Typesets a piece into PDF bytes and the number of its pages.
pub(super) fn typeset(data: Vec<u8>, today: NaiveDate) -> anyhow::Result<(Vec<u8>, usize)> {
    let document = compile(data, today)?;
    let pdf = typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
        .map_err(|errors| diagnostics(&errors))?;
    let pages = document.pages.len();
    drop(document);
    forget();
    Ok((pdf, pages))
}

/// `today` is the date the pack was made, for the document's metadata.
fn compile(data: Vec<u8>, today: NaiveDate) -> anyhow::Result<PagedDocument> {
    use chrono::Datelike;
    let world = PackWorld {
        library: LazyHash::new(Library::builder().build()),
        main: Source::new(FileId::new(None, VirtualPath::new("/pack.typ")), TEMPLATE.to_owned()),
        data_id: FileId::new(None, VirtualPath::new(DATA_PATH)),
        data: Bytes::new(data),
        today: Datetime::from_ymd(today.year(), today.month() as u8, today.day() as u8)
            .ok_or_else(|| anyhow::anyhow!("{today} is not a date typst can hold"))?,
    };
    typst::compile::<PagedDocument>(&world).output.map_err(|errors| diagnostics(&errors))
}

/// typst memoizes layout across compilations. The pieces of a pack share nothing worth
/// keeping (each holds other signers), and keeping them is what made memory grow with
/// the signers; a server, too, should not keep the last pack's pieces until the next.
fn forget() {
    typst::comemo::evict(0);
}

fn diagnostics(errors: &[typst::diag::SourceDiagnostic]) -> anyhow::Error {
    let messages: Vec<String> = errors.iter().map(|e| e.message.to_string()).collect();
    anyhow::anyhow!("typesetting the handover PDF failed: {}", messages.join("; "))
}
