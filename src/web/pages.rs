//! Page templates and what every page shares: language, direction, the language switch.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use askama::Template;

use crate::campaigns::PageText;
use crate::domain::{Country, Lang};
use crate::i18n::Texts;

/// The frame around every page.
pub struct Chrome {
    pub lang: &'static str,
    pub dir: &'static str,
    pub t: &'static Texts,
    pub switch: Vec<LangLink>,
}

pub struct LangLink {
    pub code: &'static str,
    pub name: &'static str,
    pub href: String,
    pub current: bool,
}

impl Chrome {
    pub fn new(req: &HttpRequest, lang: Lang, offered: &[Lang]) -> Chrome {
        let switch = offered
            .iter()
            .map(|l| LangLink {
                code: l.code(),
                name: l.native_name(),
                href: format!("{}?lang={}", req.path(), l.code()),
                current: *l == lang,
            })
            .collect();
        Chrome { lang: lang.code(), dir: lang.dir(), t: Texts::get(lang), switch }
    }
}

/// `?lang=`, then `Accept-Language`, then the fallback; only languages on offer.
pub fn pick_lang(req: &HttpRequest, offered: &[Lang], fallback: Lang) -> Lang {
    let from_query =
        req.query_string().split('&').find_map(|pair| pair.strip_prefix("lang=")).and_then(Lang::from_tag);
    let from_header = || {
        req.headers()
            .get(actix_web::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Lang::from_accept_language)
    };
    from_query
        .filter(|l| offered.contains(l))
        .or_else(|| from_header().filter(|l| offered.contains(l)))
        .unwrap_or(fallback)
}

pub fn render(status: StatusCode, page: &impl Template) -> HttpResponse {
    match page.render() {
        Ok(html) => HttpResponseBuilder::new(status)
            .content_type("text/html; charset=utf-8")
            .insert_header((
                "Content-Security-Policy",
                "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
            ))
            .insert_header(("X-Content-Type-Options", "nosniff"))
            .insert_header(("Referrer-Policy", "no-referrer"))
            .body(html),
        Err(e) => {
            tracing::error!(error = %e, "rendering a page failed");
            HttpResponse::InternalServerError().body("Internal error")
        }
    }
}

/// The form's values as the supporter typed them, shown again after an error.
#[derive(Default)]
pub struct FormValues {
    pub name: String,
    pub email: String,
    pub country: String,
    pub postcode: String,
    pub comment: String,
    pub consent: bool,
    pub updates: bool,
}

#[derive(Default)]
pub struct FormErrors {
    pub name: Option<String>,
    pub email: Option<String>,
    pub country: Option<String>,
    pub postcode: Option<String>,
    pub comment: Option<String>,
    pub consent: Option<String>,
}

impl FormErrors {
    pub fn any(&self) -> bool {
        self.name.is_some()
            || self.email.is_some()
            || self.country.is_some()
            || self.postcode.is_some()
            || self.comment.is_some()
            || self.consent.is_some()
    }
}

pub struct CountryOption {
    pub code: &'static str,
    pub name: &'static str,
}

pub fn countries() -> &'static [CountryOption] {
    static ALL: std::sync::OnceLock<Vec<CountryOption>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        Country::all().into_iter().map(|c| CountryOption { code: c.code(), name: c.name() }).collect()
    })
}

pub struct Progress {
    pub count: i64,
    pub goal: i32,
    pub percent: i64,
}

impl Progress {
    pub fn new(count: i64, goal: i32) -> Progress {
        let percent = (count * 100 / i64::from(goal.max(1))).clamp(0, 100);
        Progress { count, goal, percent }
    }
}

#[derive(Template)]
#[template(path = "pages/campaign.html")]
pub struct CampaignPage<'a> {
    pub page: Chrome,
    pub slug: &'a str,
    pub text: &'a PageText,
    pub progress: Progress,
    pub is_open: bool,
    pub values: FormValues,
    pub errors: FormErrors,
    pub notice: Option<&'static str>,
    pub csrf_token: String,
    pub countries: &'static [CountryOption],
}

pub struct CampaignSummary {
    pub slug: String,
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
    pub title: &'a str,
}

/// A page with a heading, a paragraph, and optionally one button or one link.
#[derive(Template)]
#[template(path = "pages/message.html")]
pub struct MessagePage<'a> {
    pub page: Chrome,
    pub title: &'a str,
    pub body: &'a str,
    pub button: Option<(String, &'a str)>,
    pub link: Option<(String, &'a str)>,
    pub share: Option<Share>,
}

pub struct Share {
    pub url: String,
    pub text: String,
}

impl Share {
    pub fn email_href(&self) -> String {
        format!("mailto:?subject={}&body={}", enc(&self.text), enc(&format!("{} {}", self.text, self.url)))
    }
    pub fn whatsapp_href(&self) -> String {
        format!("https://wa.me/?text={}", enc(&format!("{} {}", self.text, self.url)))
    }
    pub fn telegram_href(&self) -> String {
        format!("https://t.me/share/url?url={}&text={}", enc(&self.url), enc(&self.text))
    }
}

fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}
