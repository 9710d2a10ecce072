//! `GET/POST /c/{slug}/endorse`: an organisation endorses the call. The same gates as the
//! sign form, in the same order (closed campaign, form encoding, rate limit, honeypot,
//! CSRF, fields), and a 422 page naming each bad field. `/endorsement/{token}` is the
//! link in the confirmation email: a GET shows one button, the POST confirms.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::http::header::{LOCATION, RETRY_AFTER};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::AppState;
use super::body::Body;
use super::client_ip::client_key;
use super::errors::{WebError, message};
use super::form::{self, FormError};
use super::pages::{Chrome, Content, MessagePage, pick_lang, render};
use super::public::load_campaign;
use crate::campaigns::Campaign;
use crate::domain::{Country, FieldError, Lang, OrganisationName, SupporterEmail, Website};
use crate::endorsements::{self, ConfirmOutcome, EndorseMail, NewEndorsement};
use crate::i18n::Texts;

/// The form's values as typed, shown again after an error.
#[derive(Default)]
pub struct EndorseValues {
    pub organisation: String,
    pub website: String,
    pub country: String,
    pub email: String,
}

#[derive(Default)]
pub struct EndorseErrors {
    pub organisation: Option<String>,
    pub website: Option<String>,
    pub country: Option<String>,
    pub email: Option<String>,
}

impl EndorseErrors {
    /// For the summary above the form, in the form's order.
    pub fn summary(&self, texts: &Texts) -> Vec<(&'static str, String, &str)> {
        [
            ("organisation", "endorse-organisation", &self.organisation),
            ("website", "endorse-website", &self.website),
            ("country", "endorse-country", &self.country),
            ("email", "endorse-email", &self.email),
        ]
        .into_iter()
        .filter_map(|(field, label, error)| error.as_deref().map(|e| (field, texts.t(label), e)))
        .collect()
    }

    pub fn any(&self) -> bool {
        self.organisation.is_some()
            || self.website.is_some()
            || self.country.is_some()
            || self.email.is_some()
    }
}

#[derive(Template)]
#[template(path = "pages/endorse.html")]
pub struct EndorsePage<'a> {
    pub page: Chrome,
    pub slug: &'a str,
    pub content: Content<'a>,
    pub values: EndorseValues,
    pub errors: EndorseErrors,
    pub notice: Option<String>,
    pub csrf_token: String,
    pub countries: &'static [crate::i18n::cldr::CountryName],
}

fn page<'a>(
    state: &AppState,
    campaign: &'a Campaign,
    lang: Lang,
    values: EndorseValues,
    errors: EndorseErrors,
    notice: Option<String>,
    csrf_cookie: &str,
) -> EndorsePage<'a> {
    EndorsePage {
        page: Chrome::at(&format!("/c/{}/endorse", campaign.slug), lang),
        slug: &campaign.slug,
        content: Content::new(&campaign.file, lang),
        values,
        errors,
        notice,
        csrf_token: state.csrf.token_for(csrf_cookie),
        countries: crate::i18n::cldr::countries(lang),
    }
}

fn closed(campaign: &Campaign, lang: Lang) -> HttpResponse {
    let mut page = MessagePage::keyed(Chrome::plain(lang), "closed");
    page.title = campaign.file.text(lang).title.clone();
    page.body = page.page.t("closed-notice");
    render(StatusCode::GONE, &page)
}

pub async fn form(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let campaign = load_campaign(&state, &slug).await?;
    let lang = pick_lang(&req, campaign.file.default_lang());
    if !campaign.open_at(state.clock.now()) {
        return Ok(closed(&campaign, lang));
    }
    let (cookie_value, new_cookie) = state.csrf.cookie_value(&req);
    let page = page(
        &state,
        &campaign,
        lang,
        EndorseValues::default(),
        EndorseErrors::default(),
        None,
        &cookie_value,
    );
    let mut response = render(StatusCode::OK, &page);
    if let Some(cookie) = new_cookie {
        response.add_cookie(&cookie).ok();
    }
    Ok(response)
}

pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, WebError> {
    let campaign = load_campaign(&state, &slug).await?;
    let early_lang = pick_lang(&req, campaign.file.default_lang());
    if !campaign.open_at(state.clock.now()) {
        return Ok(closed(&campaign, early_lang));
    }
    let fields = match form::fields(&req, &body) {
        Ok(fields) => fields,
        Err(FormError::WrongType) => {
            return Ok(message(StatusCode::UNSUPPORTED_MEDIA_TYPE, early_lang, "unsupported"));
        }
        Err(FormError::NotUtf8) => return Ok(message(StatusCode::BAD_REQUEST, early_lang, "unreadable")),
    };
    // Shares the sign form's limit: one client, one budget for writing to us.
    if let Some(ip) = client_key(&req, &state.settings.trusted_proxies)
        && let Err(wait) = state.limiter.check(ip)
    {
        let mut response = message(StatusCode::TOO_MANY_REQUESTS, early_lang, "too-many");
        let seconds = wait.as_secs().max(1) + u64::from(wait.subsec_nanos() > 0);
        response.headers_mut().insert(RETRY_AFTER, seconds.into());
        return Ok(response);
    }
    let field = |name: &str| fields.get(name).map(String::as_str).unwrap_or("");
    let lang = Lang::from_tag(field("lang")).unwrap_or(early_lang);
    let sent = format!("/c/{}/endorse/sent?lang={}", campaign.slug, lang.code());
    // A filled honeypot is a robot: it gets the answer a person gets, and nothing is stored.
    if !field("nickname").is_empty() {
        return Ok(see_other(&sent));
    }
    let values = EndorseValues {
        organisation: field("organisation").to_owned(),
        website: field("website").to_owned(),
        country: field("country").to_owned(),
        email: field("email").to_owned(),
    };
    let (cookie_value, new_cookie) = state.csrf.cookie_value(&req);
    if !state.csrf.verify(&req, field("csrf_token")) {
        let notice = Some(Texts::new(lang).t("form-expired"));
        let page = page(&state, &campaign, lang, values, EndorseErrors::default(), notice, &cookie_value);
        let mut response = render(StatusCode::FORBIDDEN, &page);
        if let Some(cookie) = new_cookie {
            response.add_cookie(&cookie).ok();
        }
        return Ok(response);
    }
    let new = match parse(&fields, lang) {
        Ok(new) => new,
        Err(errors) => {
            let page = page(&state, &campaign, lang, values, errors, None, &cookie_value);
            return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    let mail = EndorseMail { from: state.mail.from.clone(), base_url: state.mail.base_url.clone() };
    let mut conn = state.pool.get().await?;
    endorsements::submit(&mut conn, &state.keys, &mail, &campaign, &new, state.clock.now()).await?;
    state.outbox_wake.notify_one();
    Ok(see_other(&sent))
}

/// Every field parsed, or every error at once.
fn parse(fields: &HashMap<String, String>, lang: Lang) -> Result<NewEndorsement, EndorseErrors> {
    let t = Texts::new(lang);
    let get = |name: &str| fields.get(name).map(String::as_str).unwrap_or("");
    match (
        OrganisationName::parse(get("organisation")),
        Website::parse(get("website")),
        Country::parse(get("country")),
        SupporterEmail::parse(get("email")),
    ) {
        (Ok(organisation), Ok(website), Ok(country), Ok(contact)) => {
            Ok(NewEndorsement { organisation, website, country, contact, lang })
        }
        (organisation, website, country, email) => Err(EndorseErrors {
            organisation: organisation.err().map(|e| t.field_error(e)),
            website: website.err().map(|e| t.field_error(e)),
            country: country.err().map(|e| match e {
                FieldError::Missing => t.field_error(FieldError::UnknownCountry),
                e => t.field_error(e),
            }),
            email: email.err().map(|e| t.field_error(e)),
        }),
    }
}

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((LOCATION, location)).finish()
}

/// After the form: look in your inbox.
pub async fn sent(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let campaign = load_campaign(&state, &slug).await?;
    let lang = pick_lang(&req, campaign.file.default_lang());
    let mut page = MessagePage::keyed(Chrome::new(&req, lang), "endorse-sent");
    page.link = Some((format!("/c/{}?lang={}", campaign.slug, lang.code()), page.page.t("back-to-campaign")));
    Ok(render(StatusCode::OK, &page))
}

/// A GET never confirms: mail scanners follow links. It shows one button.
pub async fn confirm_page(req: HttpRequest, token: web::Path<String>) -> HttpResponse {
    super::public::one_button_page(&req, "/endorsement", &token, "endorse-confirm", "endorse-confirm-button")
}

pub async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let mut conn = state.pool.get().await?;
    Ok(match endorsements::confirm(&mut conn, &token, state.clock.now()).await? {
        ConfirmOutcome::Confirmed { lang, .. } => {
            let lang = pick_lang(&req, lang);
            render(StatusCode::OK, &MessagePage::keyed(Chrome::plain(lang), "endorse-confirmed"))
        }
        ConfirmOutcome::Invalid => {
            let lang = pick_lang(&req, Lang::En);
            render(StatusCode::NOT_FOUND, &MessagePage::keyed(Chrome::new(&req, lang), "link-invalid"))
        }
    })
}
