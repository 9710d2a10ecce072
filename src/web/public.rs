//! The public pages: the campaign list, a campaign with its form, and the confirm and
//! withdraw links from the emails.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::AppState;
use super::errors::PageError;
use super::pages::{
    CampaignPage, CampaignSummary, Chrome, FormErrors, FormValues, IndexPage, MessagePage, Progress, Share,
    ThanksPage, countries, pick_lang, render,
};
use crate::campaigns::{self, Campaign};
use crate::domain::{Lang, Slug};
use crate::signatures::{self, ConfirmOutcome, WithdrawOutcome};

pub async fn index(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let lang = pick_lang(&req, &Lang::ALL, Lang::En);
    let mut conn = state.pool.get().await?;
    let mut summaries = Vec::new();
    for c in campaigns::list(&mut conn).await?.into_iter().filter(|c| c.is_open) {
        let count = state.counts.get(&mut conn, c.id).await?;
        let text = c.file.text(lang);
        summaries.push(CampaignSummary {
            slug: c.slug.clone(),
            title: text.title.clone(),
            summary: text.summary.clone(),
            progress: Progress::new(count, c.goal),
        });
    }
    let page = IndexPage { page: Chrome::new(&req, lang, &Lang::ALL), campaigns: summaries };
    Ok(render(StatusCode::OK, &page))
}

pub async fn load_campaign(state: &AppState, slug: &str) -> Result<Campaign, PageError> {
    let slug = Slug::parse(slug).map_err(|_| PageError::NotFound)?;
    let mut conn = state.pool.get().await?;
    campaigns::find_by_slug(&mut conn, slug.as_ref()).await?.ok_or(PageError::NotFound)
}

pub async fn campaign(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let campaign = load_campaign(&state, &slug).await?;
    let lang = pick_lang(&req, &campaign.file.languages(), campaign.file.default_lang());
    let (cookie_value, new_cookie) = state.csrf.cookie_value(&req);
    let page = campaign_page(
        &req,
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
#[allow(clippy::too_many_arguments)]
pub async fn campaign_page<'a>(
    req: &HttpRequest,
    state: &AppState,
    campaign: &'a Campaign,
    lang: Lang,
    values: FormValues,
    errors: FormErrors,
    notice: Option<&'static str>,
    csrf_cookie: &str,
) -> Result<CampaignPage<'a>, PageError> {
    let mut conn = state.pool.get().await?;
    let count = state.counts.get(&mut conn, campaign.id).await?;
    Ok(CampaignPage {
        page: Chrome::new(req, lang, &campaign.file.languages()),
        slug: &campaign.slug,
        text: campaign.file.text(lang),
        progress: Progress::new(count, campaign.goal),
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
) -> Result<HttpResponse, PageError> {
    let campaign = load_campaign(&state, &slug).await?;
    let lang = pick_lang(&req, &campaign.file.languages(), campaign.file.default_lang());
    let page = ThanksPage {
        page: Chrome::new(&req, lang, &campaign.file.languages()),
        slug: &campaign.slug,
        title: &campaign.file.text(lang).title,
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
) -> Result<HttpResponse, PageError> {
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
    let lang = pick_lang(&req, &Lang::ALL, Lang::En);
    let t = crate::i18n::Texts::get(lang);
    let action = format!("/confirm/{}", encode_segment(&token));
    render(
        StatusCode::OK,
        &MessagePage {
            page: Chrome::new(&req, lang, &Lang::ALL),
            title: t.confirm_title,
            body: t.confirm_body,
            button: Some((action, t.confirm_button)),
            link: None,
            share: None,
        },
    )
}

pub async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, PageError> {
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
            let lang = pick_lang(&req, &campaign.file.languages(), lang);
            let t = crate::i18n::Texts::get(lang);
            let url = format!("{}/c/{}", state.settings.base_url, campaign.slug);
            render(
                StatusCode::OK,
                &MessagePage {
                    page: Chrome::new(&req, lang, &campaign.file.languages()),
                    title: t.confirmed_title,
                    body: t.confirmed_body,
                    button: None,
                    link: Some((format!("/c/{}", campaign.slug), t.back_to_campaign)),
                    share: Some(Share { url, text: campaign.file.text(lang).share_text.clone() }),
                },
            )
        }
        ConfirmOutcome::Invalid => invalid_link(&req),
    })
}

pub async fn withdraw_page(req: HttpRequest, token: web::Path<String>) -> HttpResponse {
    let lang = pick_lang(&req, &Lang::ALL, Lang::En);
    let t = crate::i18n::Texts::get(lang);
    let action = format!("/withdraw/{}", encode_segment(&token));
    render(
        StatusCode::OK,
        &MessagePage {
            page: Chrome::new(&req, lang, &Lang::ALL),
            title: t.withdraw_title,
            body: t.withdraw_body,
            button: Some((action, t.withdraw_button)),
            link: None,
            share: None,
        },
    )
}

pub async fn withdraw(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let mut conn = state.pool.get().await?;
    Ok(match signatures::withdraw(&mut conn, &token, state.clock.now()).await? {
        WithdrawOutcome::Withdrawn { campaign_id, lang } => {
            let lang = pick_lang(&req, &Lang::ALL, lang);
            let t = crate::i18n::Texts::get(lang);
            state.counts.invalidate(campaign_id);
            render(
                StatusCode::OK,
                &MessagePage {
                    page: Chrome::new(&req, lang, &Lang::ALL),
                    title: t.withdrawn_title,
                    body: t.withdrawn_body,
                    button: None,
                    link: None,
                    share: None,
                },
            )
        }
        WithdrawOutcome::Invalid => invalid_link(&req),
    })
}

fn invalid_link(req: &HttpRequest) -> HttpResponse {
    let lang = pick_lang(req, &Lang::ALL, Lang::En);
    let t = crate::i18n::Texts::get(lang);
    render(
        StatusCode::NOT_FOUND,
        &MessagePage {
            page: Chrome::new(req, lang, &Lang::ALL),
            title: t.link_invalid_title,
            body: t.link_invalid_body,
            button: None,
            link: None,
            share: None,
        },
    )
}

fn encode_segment(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}
