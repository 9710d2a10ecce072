//! The share image: the SVG template filled with a campaign's title and count, drawn to a
//! PNG by resvg with the fonts compiled into the binary.

use std::sync::{Arc, LazyLock};

use askama::Template;
use resvg::tiny_skia::{Pixmap, Transform};
use resvg::usvg::{self, fontdb};
use unicode_segmentation::UnicodeSegmentation;

use super::{HEIGHT, WIDTH};
use crate::domain::Lang;
use crate::i18n::Texts;

/// The only fonts the image may use: Latin from Noto Sans, Dari and Pashto from Noto Sans
/// Arabic (resvg falls back to it for characters Noto Sans lacks, and the other way round).
static FONTS: LazyLock<Arc<fontdb::Database>> = LazyLock::new(|| {
    let mut db = fontdb::Database::new();
    for font in [
        &include_bytes!("../../assets/fonts/NotoSans-Regular.ttf")[..],
        &include_bytes!("../../assets/fonts/NotoSans-Bold.ttf")[..],
        &include_bytes!("../../assets/fonts/NotoSansArabic-Regular.ttf")[..],
        &include_bytes!("../../assets/fonts/NotoSansArabic-Bold.ttf")[..],
    ] {
        db.load_font_source(fontdb::Source::Binary(Arc::new(font)));
    }
    Arc::new(db)
});

/// The left (or, right to left, the right) margin, and the line box of the title.
const MARGIN: u32 = 80;
const TITLE_LINES: usize = 3;
const TITLE_FIRST_BASELINE: u32 = 230;
const TITLE_LINE_HEIGHT: u32 = 88;
/// How many characters fit on a 1040 px title line at 68 px: measured on the shipped
/// titles, Noto Sans Bold takes about 39 px a character, Noto Sans Arabic Bold about 32.
fn title_budget(dir: &str) -> usize {
    if dir == "rtl" { 30 } else { 26 }
}

/// What one share image shows.
pub struct Card<'a> {
    /// The campaign's title, written in `title_lang`.
    pub title: &'a str,
    pub title_lang: Lang,
    /// The language of the words around the title and of the digits.
    pub lang: Lang,
    pub count: i64,
    pub goal: i32,
    /// The site's host name, shown above the title.
    pub site: &'a str,
}

#[derive(Debug, thiserror::Error)]
pub enum CardError {
    #[error("filling the share image template")]
    Template(#[from] askama::Error),
    #[error("reading the share image's SVG")]
    Svg(#[from] usvg::Error),
    #[error("encoding the share image as PNG: {0}")]
    Png(String),
}

struct Line {
    y: u32,
    text: String,
}

#[derive(Template)]
#[template(path = "share/card.svg", escape = "html")]
struct CardSvg<'a> {
    lang: &'a str,
    title_lang: &'a str,
    /// Where lines start, and which end of a line that is: the right edge, right to left.
    x: u32,
    anchor: &'a str,
    title_x: u32,
    title_anchor: &'a str,
    font: &'a str,
    title_font: &'a str,
    site: String,
    title: Vec<Line>,
    count: String,
    goal: String,
    bar_x: u32,
    bar_width: u32,
    bar_fill_x: u32,
    bar_fill_width: u32,
}

impl Card<'_> {
    /// The PNG, 1200x630. Slow (tens of milliseconds): call it off the async threads.
    pub fn render_png(&self) -> Result<Vec<u8>, CardError> {
        let svg = self.svg()?;
        let options = usvg::Options {
            font_family: "Noto Sans".to_owned(),
            languages: vec![self.title_lang.code().to_owned()],
            fontdb: FONTS.clone(),
            ..usvg::Options::default()
        };
        let tree = usvg::Tree::from_str(&svg, &options)?;
        let mut pixmap = Pixmap::new(WIDTH, HEIGHT).ok_or_else(|| CardError::Png("no pixmap".into()))?;
        resvg::render(&tree, Transform::default(), &mut pixmap.as_mut());
        pixmap.encode_png().map_err(|e| CardError::Png(e.to_string()))
    }

    /// The filled-in SVG template.
    pub fn svg(&self) -> Result<String, CardError> {
        let texts = Texts::new(self.lang);
        let (dir, title_dir) = (self.lang.dir(), self.title_lang.dir());
        let edge = |dir: &str| if dir == "rtl" { (WIDTH - MARGIN, "end") } else { (MARGIN, "start") };
        let font = |lang: Lang| if lang.dir() == "rtl" { "Noto Sans Arabic" } else { "Noto Sans" };
        let (x, anchor) = edge(dir);
        let (title_x, title_anchor) = edge(title_dir);
        let title = wrap(&plain(self.title), title_budget(title_dir), TITLE_LINES)
            .into_iter()
            .zip(0u32..)
            .map(|(text, i)| Line {
                y: TITLE_FIRST_BASELINE + i * TITLE_LINE_HEIGHT,
                text: embed(&text, title_dir),
            })
            .collect();
        // The one place the image writes a number: the page's own digits helper.
        let count = format!("{} {}", texts.number(self.count), texts.t("signatures"));
        let goal = format!("{}: {}", texts.t("goal"), texts.number(self.goal.into()));
        let bar_width = WIDTH - 2 * MARGIN;
        let share = (self.count.max(0) as f64 / f64::from(self.goal.max(1))).min(1.0);
        let bar_fill_width = (f64::from(bar_width) * share).round() as u32;
        let bar_fill_x = if dir == "rtl" { MARGIN + bar_width - bar_fill_width } else { MARGIN };
        let svg = CardSvg {
            lang: self.lang.code(),
            title_lang: self.title_lang.code(),
            x,
            anchor,
            title_x,
            title_anchor,
            font: font(self.lang),
            title_font: font(self.title_lang),
            site: plain(self.site),
            title,
            count: embed(&count, dir),
            goal: embed(&goal, dir),
            bar_x: MARGIN,
            bar_width,
            bar_fill_x,
            bar_fill_width,
        };
        Ok(svg.render()?)
    }
}

/// resvg lays every line out as a left-to-right paragraph; a right-to-left embedding makes
/// "۱۲۳ امضا" read from the right, the number first, as it does on the page.
fn embed(text: &str, dir: &str) -> String {
    if dir == "rtl" { format!("\u{202B}{text}\u{202C}") } else { text.to_owned() }
}

/// Without control characters, which XML refuses and a title has no use for.
fn plain(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
}

/// Greedy word wrap to at most `max_lines` lines of about `budget` characters; a longer
/// text ends its last line with an ellipsis, a word longer than a line is cut.
fn wrap(text: &str, budget: usize, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut truncated = false;
    for word in text.split_whitespace() {
        let word: String = if word.graphemes(true).count() > budget {
            word.graphemes(true).take(budget).collect()
        } else {
            word.to_owned()
        };
        let needed =
            current.graphemes(true).count() + usize::from(!current.is_empty()) + word.graphemes(true).count();
        if !current.is_empty() && needed > budget {
            if lines.len() + 1 == max_lines {
                truncated = true;
                break;
            }
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(&word);
    }
    if truncated {
        current.push('…');
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_wraps_at_word_boundaries_into_at_most_three_lines() {
        assert_eq!(
            wrap("End forced returns to Afghanistan", 28, 3),
            ["End forced returns to", "Afghanistan"]
        );
        let long = "one two three four five six seven eight nine ten eleven twelve";
        let lines = wrap(long, 10, 3);
        assert_eq!(lines.len(), 3);
        assert!(lines[2].ends_with('…'), "{lines:?}");
        assert_eq!(wrap(&"x".repeat(40), 28, 3), ["x".repeat(28)]);
    }

    #[test]
    fn the_title_is_escaped_into_the_svg() {
        let card = Card {
            title: "<script>&\u{7}",
            title_lang: Lang::En,
            lang: Lang::En,
            count: 1,
            goal: 10,
            site: "example.org",
        };
        let svg = card.svg().unwrap();
        assert!(svg.contains("&#60;script&#62;&#38;") || svg.contains("&lt;script&gt;&amp;"), "{svg}");
        assert!(!svg.contains('\u{7}'));
    }

    /// Shaped, the letters of a Dari word join; a zero-width non-joiner between them keeps
    /// them apart and invisible. Unshaped text would draw both the same.
    #[test]
    fn dari_letters_are_joined() {
        let card =
            |title| Card { title, title_lang: Lang::FaAf, lang: Lang::FaAf, count: 0, goal: 1, site: "" };
        let joined = card("افغانستان").render_png().unwrap();
        let apart = card("ا\u{200C}ف\u{200C}غ\u{200C}ا\u{200C}ن\u{200C}س\u{200C}ت\u{200C}ا\u{200C}ن")
            .render_png()
            .unwrap();
        assert_ne!(joined, apart);
    }

    #[test]
    fn the_image_is_a_1200_by_630_png_and_the_same_every_time() {
        let card = Card {
            title: "اخراج اجباری به افغانستان را متوقف کنید",
            title_lang: Lang::FaAf,
            lang: Lang::FaAf,
            count: 1234,
            goal: 50_000,
            site: "example.org",
        };
        let png = card.render_png().unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), WIDTH);
        assert_eq!(u32::from_be_bytes(png[20..24].try_into().unwrap()), HEIGHT);
        assert_eq!(png, card.render_png().unwrap());
    }
}
