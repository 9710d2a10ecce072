//! `/c/{slug}/embed`: the form alone, with the count, for an `<iframe>` on the partner
//! sites the campaign lists in `embed_origins`. Every answer here, the refused ones too,
//! may be framed by exactly those origins; every other page of ours by none.
//!
//! A framed page may get no cookies (browsers block third-party ones), so the form carries
//! a signed, single-use form token instead of the CSRF cookie's proof (`crate::embed`), and
//! nothing here needs a cookie: the language comes from `?lang=` (carried by the form and
//! the thanks link) or the browser; the `lang` cookie `remember_lang` leaves after a
//! `?lang=` helps where the browser keeps it and is not missed where it does not.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::AppState;
use super::body::Body;
use super::errors::WebError;
use super::pages::{
    Chrome, Content, EmbedPage, EmbedThanksPage, FormErrors, FormValues, allow_framing, pick_lang,
    render_framed,
};
use super::public::{FormParts, chrome_carrying, load_campaign, query_of, referral};
use super::sign::{Frame, sign_form};
use crate::campaigns::Campaign;
use crate::domain::Lang;

pub async fn form(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let campaign = load_campaign(&state, &slug).await?;
    let lang = pick_lang(&req, campaign.file.default_lang());
    let values = FormValues { referral: referral(&req, &state, &campaign), ..FormValues::default() };
    form_again(&state, &campaign, lang, values, FormErrors::default(), None, StatusCode::OK).await
}

pub async fn sign(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, WebError> {
    let campaign = load_campaign(&state, &slug).await?;
    let mut response = sign_form(req, &state, &campaign, body, Frame::Embed).await?;
    allow_framing(&mut response, &ancestors(&campaign));
    Ok(response)
}

pub async fn thanks(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let campaign = load_campaign(&state, &slug).await?;
    let lang = pick_lang(&req, campaign.file.default_lang());
    let page = EmbedThanksPage { page: Chrome::plain(lang) };
    Ok(render_framed(StatusCode::OK, &page, &ancestors(&campaign)))
}

/// The embed's form, filled in with `values`, with a fresh form token.
pub async fn form_again(
    state: &AppState,
    campaign: &Campaign,
    lang: Lang,
    values: FormValues,
    errors: FormErrors,
    notice: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let parts = FormParts::new(state, campaign, lang, &values).await?;
    let carried = query_of(&values.referral);
    let page = EmbedPage {
        page: chrome_carrying(&format!("/c/{}/embed", campaign.slug), lang, &values.referral),
        slug: &campaign.slug,
        content: Content::new(&campaign.file, lang),
        progress: parts.progress,
        is_open: parts.is_open,
        closes_on: parts.closes_on,
        full_page: format!("/c/{}?lang={}{carried}", campaign.slug, lang.code()),
        values,
        errors,
        notice,
        form_action: format!("/c/{}/embed", campaign.slug),
        proof_field: "form_token",
        proof: state.form_tokens.issue(campaign.id, state.clock.now()),
        countries: crate::i18n::cldr::countries(lang),
        partner_optin: parts.partner_optin,
    };
    Ok(render_framed(status, &page, &ancestors(campaign)))
}

fn ancestors(campaign: &Campaign) -> String {
    crate::embed::frame_ancestors(&campaign.file.embed_origins)
}
