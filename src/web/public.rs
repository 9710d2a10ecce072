//! The public pages: the campaign list, a campaign with its form, and the confirm and
//! withdraw links from the emails.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::AppState;
use super::errors::WebError;
use super::pages::{
    CampaignPage, CampaignSummary, Chrome, Content, FormErrors, FormValues, IndexPage, MessagePage, Progress,
    Share, ThanksPage, countries, pick_lang, render,
};
use crate::campaigns::{self, Campaign};
use crate::domain::{Lang, Slug};
use crate::i18n::Texts;
use crate::signatures::{self, ConfirmOutcome, WithdrawOutcome};

pub async fn index(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, WebError> {
    let lang = pick_lang(&req, Lang::En);
    let mut conn = state.pool.get().await?;
    let mut summaries = Vec::new();
    for c in campaigns::list(&mut conn).await?.into_iter().filter(|c| c.is_open) {
        let count = state.counts.get(&mut conn, c.id).await?;
        let (text_lang, text) = c.file.text_for(lang);
        summaries.push(CampaignSummary {
            slug: c.slug.clone(),
            lang: text_lang.code(),
            dir: text_lang.dir(),
            title: text.title.clone(),
            summary: text.summary.clone(),
            progress: Progress::new(count, c.goal, &Texts::new(lang)),
        });
    }
    let page = IndexPage { page: Chrome::new(&req, lang), campaigns: summaries };
    Ok(render(StatusCode::OK, &page))
}

pub async fn load_campaign(state: &AppState, slug: &str) -> Result<Arc<Campaign>, WebError> {
    let slug = Slug::parse(slug).map_err(|_| WebError::NotFound)?;
    state.campaigns.get(&state.pool, slug.as_ref(), state.clock.now()).await?.ok_or(WebError::NotFound)
}

pub async fn campaign(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let campaign = load_campaign(&state, &slug).await?;
    let lang = pick_lang(&req, campaign.file.default_lang());
    let (cookie_value, new_cookie) = state.csrf.cookie_value(&req);
    let page = campaign_page(
        &state,
        &campaign,
        lang,
        FormValues::default(),
        FormErrors::default(),
        None,
        &cookie_value,
    )
    .await?;
    let mut response = render(StatusCode::OK, &page);
    if let Some(cookie) = new_cookie {
        response.add_cookie(&cookie).ok();
    }
    Ok(response)
}

/// The campaign page with the form, shared by the first view and every refused attempt.
pub async fn campaign_page<'a>(
    state: &AppState,
    campaign: &'a Campaign,
    lang: Lang,
    values: FormValues,
    errors: FormErrors,
    notice: Option<String>,
    csrf_cookie: &str,
) -> Result<CampaignPage<'a>, WebError> {
    let mut conn = state.pool.get().await?;
    let count = state.counts.get(&mut conn, campaign.id).await?;
    Ok(CampaignPage {
        // Also the answer to a refused POST to `/sign`, so the switch names the page.
        page: Chrome::at(&format!("/c/{}", campaign.slug), lang),
        slug: &campaign.slug,
        content: Content::new(&campaign.file, lang),
        progress: Progress::new(count, campaign.goal, &Texts::new(lang)),
        is_open: campaign.is_open,
        values,
        errors,
        notice,
        csrf_token: state.csrf.token_for(csrf_cookie),
        countries: countries(),
    })
}

pub async fn thanks(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let campaign = load_campaign(&state, &slug).await?;
    let lang = pick_lang(&req, campaign.file.default_lang());
    let page = ThanksPage {
        page: Chrome::new(&req, lang),
        slug: &campaign.slug,
        content: Content::new(&campaign.file, lang),
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(serde::Serialize)]
struct CountJson<'a> {
    slug: &'a str,
    confirmed: i64,
    goal: i32,
}

pub async fn count_json(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let campaign = load_campaign(&state, &slug).await?;
    let mut conn = state.pool.get().await?;
    let confirmed = state.counts.get(&mut conn, campaign.id).await?;
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "public, max-age=2")).json(CountJson {
        slug: &campaign.slug,
        confirmed,
        goal: campaign.goal,
    }))
}

/// A GET never confirms: mail scanners follow links. It shows one button.
pub async fn confirm_page(req: HttpRequest, token: web::Path<String>) -> HttpResponse {
    let action = format!("/confirm/{}", encode_segment(&token));
    let mut page = MessagePage::keyed(Chrome::new(&req, pick_lang(&req, Lang::En)), "confirm");
    page.button = Some((action, page.page.t("confirm-button")));
    render(StatusCode::OK, &page)
}

pub async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let mut conn = state.pool.get().await?;
    let outcome = signatures::confirm(
        &mut conn,
        &token,
        &signatures::SignContext { keys: &state.keys, mail: &state.mail },
        state.clock.now(),
    )
    .await?;
    Ok(match outcome {
        ConfirmOutcome::Confirmed { campaign_id, lang } => {
            state.outbox_wake.notify_one();
            let campaign = campaigns::find_by_id(&mut conn, campaign_id).await?;
            state.counts.invalidate(campaign.id);
            // The page speaks the language the supporter signed in, unless they chose
            // another on the way here.
            let lang = pick_lang(&req, lang);
            // The answer to a POST: a switch would lead back to the confirm button.
            let mut page = MessagePage::keyed(Chrome::plain(lang), "confirmed");
            let url = format!("{}/c/{}", state.settings.base_url, campaign.slug);
            page.link =
                Some((format!("/c/{}?lang={}", campaign.slug, lang.code()), page.page.t("back-to-campaign")));
            page.share = Some(Share { url, text: campaign.file.text(lang).share_text.clone() });
            render(StatusCode::OK, &page)
        }
        ConfirmOutcome::Invalid => invalid_link(&req),
    })
}

pub async fn withdraw_page(req: HttpRequest, token: web::Path<String>) -> HttpResponse {
    let action = format!("/withdraw/{}", encode_segment(&token));
    let mut page = MessagePage::keyed(Chrome::new(&req, pick_lang(&req, Lang::En)), "withdraw");
    page.button = Some((action, page.page.t("withdraw-button")));
    render(StatusCode::OK, &page)
}

pub async fn withdraw(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let mut conn = state.pool.get().await?;
    Ok(
        match signatures::withdraw(&mut conn, &token, &state.transport, &state.keys, state.clock.now())
            .await?
        {
            WithdrawOutcome::Withdrawn { campaign_id, lang } => {
                state.counts.invalidate(campaign_id);
                let lang = pick_lang(&req, lang);
                render(StatusCode::OK, &MessagePage::keyed(Chrome::plain(lang), "withdrawn"))
            }
            WithdrawOutcome::Invalid => invalid_link(&req),
        },
    )
}

fn invalid_link(req: &HttpRequest) -> HttpResponse {
    let lang = pick_lang(req, Lang::En);
    render(StatusCode::NOT_FOUND, &MessagePage::keyed(Chrome::new(req, lang), "link-invalid"))
}

fn encode_segment(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}
