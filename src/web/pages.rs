//! Page templates and what every page shares: language, direction, the language switch.
//! The language is chosen in `lang_choice.rs`; the words come from `crate::i18n`.

use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_SECURITY_POLICY, HeaderValue, X_FRAME_OPTIONS};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use askama::Template;

use crate::campaigns::PageText;
use crate::domain::Lang;
use crate::i18n::Texts;
use crate::share::{Preview, ShareLinks};

pub use super::lang_choice::pick_lang;
pub use super::sign_form::{FormErrors, FormValues, PartnerOptin};

/// The frame around every page.
pub struct Chrome {
    pub lang: &'static str,
    pub dir: &'static str,
    pub texts: Texts,
    pub switch: Vec<LangLink>,
}

pub struct LangLink {
    pub code: &'static str,
    pub name: &'static str,
    pub dir: &'static str,
    pub href: String,
    pub current: bool,
}

impl Chrome {
    /// The frame of a page fetched with GET: the switch links back to the same path.
    pub fn new(req: &HttpRequest, lang: Lang) -> Chrome {
        Chrome::at(req.path(), lang)
    }

    /// The switch offers every listed language, and the current one even if unlisted.
    /// `path` is where the switch leads: a page answering a POST must name a GET page.
    pub fn at(path: &str, lang: Lang) -> Chrome {
        let switch = Lang::ALL
            .into_iter()
            .filter(|l| l.is_listed() || *l == lang)
            .map(|l| LangLink {
                code: l.code(),
                name: l.native_name(),
                dir: l.dir(),
                href: format!("{path}?lang={}", l.code()),
                current: l == lang,
            })
            .collect();
        Chrome { switch, ..Chrome::plain(lang) }
    }

    /// A frame without a language switch, for answers given outside a page's context.
    pub fn plain(lang: Lang) -> Chrome {
        Chrome { lang: lang.code(), dir: lang.dir(), texts: Texts::new(lang), switch: Vec::new() }
    }

    /// The words for `key` in the page's language; templates call `page.t("...")`.
    pub fn t(&self, key: &str) -> String {
        self.texts.t(key)
    }
}

/// The campaign's own words, and the language they are written in, which may differ
/// from the page's when the campaign has no text in the visitor's language.
pub struct Content<'a> {
    pub text: &'a PageText,
    pub lang: &'static str,
    pub dir: &'static str,
    /// Set when the text is not in the page's language: says so, in the page's language.
    pub note: Option<String>,
}

impl<'a> Content<'a> {
    pub fn new(file: &'a crate::campaigns::CampaignFile, lang: Lang) -> Content<'a> {
        let (text_lang, text) = file.text_for(lang);
        let note = (text_lang != lang)
            .then(|| Texts::new(lang).t1("content-language-note", "language", text_lang.native_name()));
        Content { text, lang: text_lang.code(), dir: text_lang.dir(), note }
    }
}

pub fn render(status: StatusCode, page: &impl Template) -> HttpResponse {
    let mut response = render_framed(status, page, "'none'");
    // For browsers older than `frame-ancestors`: our pages are never framed, but the embed.
    response.headers_mut().insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// A page only the pages of `frame_ancestors` (a CSP source list, see `crate::embed`)
/// may frame: the embed's.
pub fn render_framed(status: StatusCode, page: &impl Template, frame_ancestors: &str) -> HttpResponse {
    match page.render() {
        Ok(html) => HttpResponseBuilder::new(status)
            .content_type("text/html; charset=utf-8")
            .insert_header((CONTENT_SECURITY_POLICY, content_security_policy(frame_ancestors)))
            .insert_header(("X-Content-Type-Options", "nosniff"))
            .insert_header(("Referrer-Policy", "no-referrer"))
            // The language follows the cookie and Accept-Language: no cache may mix them up.
            .insert_header(("Vary", "Accept-Language, Cookie"))
            .body(html),
        Err(e) => {
            tracing::error!(error = %e, "rendering a page failed");
            HttpResponse::InternalServerError().body("Internal error")
        }
    }
}

/// Lets the pages of `frame_ancestors` frame a page `render` made: the embed's answers
/// that other code renders (a closed campaign, too many attempts) stay in the frame.
pub fn allow_framing(response: &mut HttpResponse, frame_ancestors: &str) {
    let headers = response.headers_mut();
    if headers.contains_key(CONTENT_SECURITY_POLICY)
        && let Ok(value) = HeaderValue::from_str(&content_security_policy(frame_ancestors))
    {
        headers.insert(CONTENT_SECURITY_POLICY, value);
        headers.remove(X_FRAME_OPTIONS);
    }
}

fn content_security_policy(frame_ancestors: &str) -> String {
    // Scripts only from this server (`/assets/count.js`); inline style attributes carry
    // the progress bar's width.
    format!(
        "default-src 'self'; style-src 'self' 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors {frame_ancestors}"
    )
}

pub struct Progress {
    pub count: i64,
    pub goal: i32,
    pub percent: i64,
    pub count_text: String,
    pub goal_text: String,
}

impl Progress {
    pub fn new(count: i64, goal: i32, texts: &Texts) -> Progress {
        let percent = (count * 100 / i64::from(goal.max(1))).clamp(0, 100);
        Progress {
            count,
            goal,
            percent,
            count_text: texts.number(count),
            goal_text: texts.number(goal.into()),
        }
    }

    /// The value for `aria-valuenow`, which must not pass the maximum.
    pub fn shown(&self) -> i64 {
        self.count.min(i64::from(self.goal))
    }
}

#[derive(Template)]
#[template(path = "pages/campaign.html")]
pub struct CampaignPage<'a> {
    pub page: Chrome,
    pub slug: &'a str,
    pub content: Content<'a>,
    pub progress: Progress,
    pub is_open: bool,
    /// When signing ends, in the page's language, while it has not.
    pub closes_on: Option<String>,
    pub values: FormValues,
    pub errors: FormErrors,
    pub notice: Option<String>,
    /// Where the form posts: `/c/{slug}/sign`.
    pub form_action: String,
    /// The hidden field that proves the form is ours: `csrf_token`.
    pub proof_field: &'static str,
    pub proof: String,
    /// Named and sorted in the page's language.
    pub countries: &'static [crate::i18n::cldr::CountryName],
    pub partner_optin: Option<PartnerOptin>,
    /// The Open Graph and Twitter card tags.
    pub preview: Preview,
    /// Approved endorsing organisations, and the heading that counts them.
    pub endorsers: Vec<crate::endorsements::Endorser>,
    pub endorsers_heading: String,
    /// Each target's reply or wait, once a letter has gone or a reply come.
    pub replies: Vec<ReplyLine>,
}

/// A target's status on the campaign page: "replied on ..." with the summary in the page's
/// language (or the campaign's default), or "awaiting a reply since ...".
pub struct ReplyLine {
    pub line: String,
    pub summary: Option<String>,
    pub lang: &'static str,
    pub dir: &'static str,
    /// Set when the summary is not in the page's language.
    pub note: Option<String>,
}

/// The form alone, with the count, for a partner's `<iframe>`.
#[derive(Template)]
#[template(path = "pages/embed.html")]
pub struct EmbedPage<'a> {
    pub page: Chrome,
    pub slug: &'a str,
    pub content: Content<'a>,
    pub progress: Progress,
    pub is_open: bool,
    pub closes_on: Option<String>,
    pub values: FormValues,
    pub errors: FormErrors,
    pub notice: Option<String>,
    /// `/c/{slug}/embed`.
    pub form_action: String,
    /// `form_token`: a cookie may not reach a framed page (see `crate::embed`).
    pub proof_field: &'static str,
    pub proof: String,
    pub countries: &'static [crate::i18n::cldr::CountryName],
    pub partner_optin: Option<PartnerOptin>,
    /// The campaign's own page, with the same partner and source, opened in a new tab.
    pub full_page: String,
}

#[derive(Template)]
#[template(path = "pages/embed_thanks.html")]
pub struct EmbedThanksPage {
    pub page: Chrome,
}

pub struct CampaignSummary {
    pub slug: String,
    /// The language the title and summary are written in.
    pub lang: &'static str,
    pub dir: &'static str,
    pub title: String,
    pub summary: String,
    pub progress: Progress,
}

#[derive(Template)]
#[template(path = "pages/index.html")]
pub struct IndexPage {
    pub page: Chrome,
    pub campaigns: Vec<CampaignSummary>,
}

#[derive(Template)]
#[template(path = "pages/thanks.html")]
pub struct ThanksPage<'a> {
    pub page: Chrome,
    pub slug: &'a str,
    pub content: Content<'a>,
    pub share: ShareLinks,
}

/// A page with a heading, a paragraph, and optionally one button or one link.
#[derive(Template)]
#[template(path = "pages/message.html")]
pub struct MessagePage {
    pub page: Chrome,
    pub title: String,
    pub body: String,
    pub button: Option<(String, String)>,
    pub link: Option<(String, String)>,
    pub share: Option<ShareLinks>,
}

impl MessagePage {
    /// A page whose heading and paragraph are the texts `{key}-title` and `{key}-body`.
    pub fn keyed(page: Chrome, key: &str) -> MessagePage {
        MessagePage {
            title: page.t(&format!("{key}-title")),
            body: page.t(&format!("{key}-body")),
            page,
            button: None,
            link: None,
            share: None,
        }
    }
}
