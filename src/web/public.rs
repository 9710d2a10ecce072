//! The public pages: the campaign list, a campaign with its form, and the confirm and
//! withdraw links from the emails.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::AppState;
use super::errors::WebError;
use super::form;
use super::lang_choice::suggested_country;
use super::pages::{
    CampaignPage, CampaignSummary, Chrome, Content, FormErrors, FormValues, IndexPage, MessagePage,
    PartnerOptin, Progress, ReplyLine, ThanksPage, pick_lang, render,
};
use crate::campaigns::{self, Campaign};
use crate::domain::{Lang, Slug};
use crate::i18n::Texts;
use crate::partners::{HostName, PartnerId, Referral};
use crate::share::{Preview, ShareLinks};
use crate::signatures::{self, ConfirmOutcome, WithdrawOutcome};

pub async fn index(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, WebError> {
    let lang = pick_lang(&req, Lang::En);
    let mut conn = state.pool.get().await?;
    let mut summaries = Vec::new();
    let now = state.clock.now();
    for c in campaigns::list(&mut conn).await?.into_iter().filter(|c| c.open_at(now)) {
        let count = state.counts.get(&mut conn, c.id, state.clock.now()).await?;
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
    let values = FormValues {
        referral: referral(&req, &state, &campaign),
        // The country the browser's language names (de-AT, fa-AF), chosen in advance;
        // the supporter sees it and may change it.
        country: suggested_country(&req).map(|c| c.code().to_owned()).unwrap_or_default(),
        ..FormValues::default()
    };
    let page =
        campaign_page(&state, &campaign, lang, values, FormErrors::default(), None, &cookie_value).await?;
    let mut response = render(StatusCode::OK, &page);
    if let Some(cookie) = new_cookie {
        response.add_cookie(&cookie).ok();
    }
    Ok(response)
}

/// What a query value must escape: all but RFC 3986's unreserved characters.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Where the visitor came from: the partner link's `via` and utm parameters, and the host
/// of the page that linked here (`Referer`; a link within this site is no referrer). What
/// does not parse is left out (see `crate::partners`).
pub fn referral(req: &HttpRequest, state: &AppState, campaign: &Campaign) -> Referral {
    let query = form::parse(req.query_string().as_bytes()).unwrap_or_default();
    let mut referral =
        Referral::read(|name| query.get(name).map(String::as_str), |id| campaign.file.partner(id).is_some());
    let own =
        url::Url::parse(&state.settings.base_url).ok().and_then(|u| u.host_str().and_then(HostName::parse));
    // Our own pages send no `Referer`: after the language switch, the host it carried.
    let from_header = req
        .headers()
        .get(actix_web::http::header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(HostName::of_url);
    referral.referrer_host = from_header.or(referral.referrer_host).filter(|host| own.as_ref() != Some(host));
    referral
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
    let parts = FormParts::new(state, campaign, lang, &values).await?;
    let conn = state.pool.get().await?;
    // Sent together on the one connection (pipelined): one round trip of waiting, not three.
    let (endorsers, replies) = futures_util::try_join!(
        async { crate::endorsements::approved(&conn, campaign.id).await.map_err(WebError::from) },
        reply_lines(&conn, campaign, lang),
    )?;
    let texts = Texts::new(lang);
    let endorsers_heading = texts.t_count("endorsers-heading", endorsers.len() as i64, &[]);
    Ok(CampaignPage {
        // Also the answer to a refused POST to `/sign`, so the switch names the page.
        page: chrome_carrying(&format!("/c/{}", campaign.slug), lang, &values.referral),
        slug: &campaign.slug,
        content: Content::new(&campaign.file, lang),
        progress: parts.progress,
        is_open: parts.is_open,
        closes_on: parts.closes_on,
        values,
        errors,
        notice,
        form_action: format!("/c/{}/sign", campaign.slug),
        proof_field: "csrf_token",
        proof: state.csrf.token_for(csrf_cookie),
        countries: crate::i18n::cldr::countries(lang),
        partner_optin: parts.partner_optin,
        preview: Preview::new(&state.settings.base_url, &campaign.slug, &campaign.file, lang),
        endorsers,
        endorsers_heading,
        replies,
    })
}

/// What a page with the form shows besides the form's values: the count, whether and
/// until when it is open, and the partner's opt-in.
pub struct FormParts {
    pub progress: Progress,
    pub is_open: bool,
    pub closes_on: Option<String>,
    pub partner_optin: Option<PartnerOptin>,
}

impl FormParts {
    pub async fn new(
        state: &AppState,
        campaign: &Campaign,
        lang: Lang,
        values: &FormValues,
    ) -> Result<FormParts, WebError> {
        let mut conn = state.pool.get().await?;
        let count = state.counts.get(&mut conn, campaign.id, state.clock.now()).await?;
        let partner_optin =
            values.referral.partner.as_ref().and_then(|id| campaign.file.partner(id)).map(|p| {
                let (text_lang, text) = p.optin(lang, campaign.file.default_lang());
                PartnerOptin {
                    field: p.id.optin_field(),
                    text: text.to_owned(),
                    lang: text_lang.code(),
                    dir: text_lang.dir(),
                }
            });
        // Asked now, not at import: a campaign closes by itself when its time comes.
        let is_open = campaign.open_at(state.clock.now());
        let closes_on = campaign
            .file
            .closes_at
            .filter(|_| is_open)
            .map(|at| Texts::new(lang).closes_on(at, campaign.file.dispatch.timezone));
        Ok(FormParts {
            progress: Progress::new(count, campaign.goal, &Texts::new(lang)),
            is_open,
            closes_on,
            partner_optin,
        })
    }
}

/// The frame of a page with the form at `path`. Its language switch keeps the partner
/// and source, or a supporter who changes language would lose them.
pub fn chrome_carrying(path: &str, lang: Lang, referral: &Referral) -> Chrome {
    let mut page = Chrome::at(path, lang);
    let carried = query_of(referral);
    for link in &mut page.switch {
        link.href.push_str(&carried);
    }
    page
}

/// `&via=...&utm_source=...`: the referral as query parameters.
pub fn query_of(referral: &Referral) -> String {
    referral
        .hidden_fields()
        .into_iter()
        .map(|(name, value)| format!("&{name}={}", utf8_percent_encode(value, QUERY_VALUE)))
        .collect()
}

/// The targets' statuses, or none at all before any letter went or reply came.
async fn reply_lines(
    conn: &diesel_async::AsyncPgConnection,
    campaign: &Campaign,
    lang: Lang,
) -> Result<Vec<ReplyLine>, WebError> {
    let statuses = crate::replies::statuses(conn, campaign).await?;
    if statuses.iter().all(|s| s.latest.is_none() && s.awaiting_since.is_none()) {
        return Ok(Vec::new());
    }
    let texts = Texts::new(lang);
    Ok(statuses
        .into_iter()
        .map(|s| {
            let target = ("target", s.target_name.clone());
            match &s.latest {
                Some(reply) => {
                    let summary = reply.summary(lang, campaign.file.default_lang());
                    let written_in = summary.map_or(lang, |(l, _)| l);
                    ReplyLine {
                        line: texts
                            .t_args("reply-replied-on", &[target, ("date", reply.replied_on.to_string())]),
                        summary: summary.map(|(_, s)| s.to_owned()),
                        lang: written_in.code(),
                        dir: written_in.dir(),
                        note: (written_in != lang).then(|| texts.t("reply-summary-language-note")),
                    }
                }
                None => {
                    let line = match s.awaiting_since {
                        Some(since) => texts.t_args("reply-awaiting", &[target, ("date", since.to_string())]),
                        None => texts.t_args("reply-no-letter-yet", &[target]),
                    };
                    ReplyLine { line, summary: None, lang: lang.code(), dir: lang.dir(), note: None }
                }
            }
        })
        .collect())
}

pub async fn thanks(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let campaign = load_campaign(&state, &slug).await?;
    let lang = pick_lang(&req, campaign.file.default_lang());
    // The sign form's redirect names the partner who brought the supporter; only a
    // partner this campaign lists is passed on.
    let via = form::parse(req.query_string().as_bytes())
        .ok()
        .and_then(|query| query.get("via").and_then(|id| PartnerId::parse(id).ok()))
        .filter(|id| campaign.file.partner(id).is_some());
    let page = ThanksPage {
        page: Chrome::new(&req, lang),
        slug: &campaign.slug,
        content: Content::new(&campaign.file, lang),
        share: share_links(&state, &campaign, lang, via),
    };
    Ok(render(StatusCode::OK, &page))
}

fn share_links(state: &AppState, campaign: &Campaign, lang: Lang, via: Option<PartnerId>) -> ShareLinks {
    let text = campaign.file.text(lang).share_text.clone();
    ShareLinks::new(&state.settings.base_url, &campaign.slug, lang, text, via)
}

#[derive(serde::Serialize)]
struct CountJson<'a> {
    slug: &'a str,
    confirmed: i64,
    goal: i32,
    /// With `?lang=`: both numbers as that language writes them (۱۲٬۳۴۵), for the page's
    /// script and partner sites, which need no number formatting of their own then.
    #[serde(skip_serializing_if = "Option::is_none")]
    confirmed_text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    goal_text: Option<String>,
}

/// Partner sites show the count with their own script, so any origin may read it: it is
/// public, the same for everyone, and the request carries no cookies that could matter.
/// The language comes from the query alone, so the answer depends on the URL only.
pub async fn count_json(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let campaign = load_campaign(&state, &slug).await?;
    let lang = form::parse(req.query_string().as_bytes())
        .ok()
        .and_then(|query| query.get("lang").and_then(|tag| Lang::from_tag(tag)));
    let mut conn = state.pool.get().await?;
    let confirmed = state.counts.get(&mut conn, campaign.id, state.clock.now()).await?;
    let texts = lang.map(Texts::new);
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=2"))
        .insert_header(("Access-Control-Allow-Origin", "*"))
        .json(CountJson {
            slug: &campaign.slug,
            confirmed,
            goal: campaign.goal,
            confirmed_text: texts.map(|t| t.number(confirmed)),
            goal_text: texts.map(|t| t.number(campaign.goal.into())),
        }))
}

/// A GET never confirms: mail scanners follow links. It shows one button.
pub async fn confirm_page(req: HttpRequest, token: web::Path<String>) -> HttpResponse {
    one_button_page(&req, "/confirm", &token, "confirm", "confirm-button")
}

/// The page an emailed link opens: the message `key` and one button that POSTs the token
/// back to `path`, so that only a person's click acts, never a scanner's GET.
pub fn one_button_page(req: &HttpRequest, path: &str, token: &str, key: &str, button: &str) -> HttpResponse {
    let action = format!("{path}/{}", encode_segment(token));
    let mut page = MessagePage::keyed(Chrome::new(req, pick_lang(req, Lang::En)), key);
    page.button = Some((action, page.page.t(button)));
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
        ConfirmOutcome::Confirmed { campaign_id, lang, via } => {
            state.outbox_wake.notify_one();
            let campaign = campaigns::find_by_id(&mut conn, campaign_id).await?;
            state.counts.invalidate(campaign.id);
            // The page speaks the language the supporter signed in, unless they chose
            // another on the way here.
            let lang = pick_lang(&req, lang);
            // The answer to a POST: a switch would lead back to the confirm button.
            let mut page = MessagePage::keyed(Chrome::plain(lang), "confirmed");
            page.link =
                Some((format!("/c/{}?lang={}", campaign.slug, lang.code()), page.page.t("back-to-campaign")));
            let via = via.filter(|id| campaign.file.partner(id).is_some());
            page.share = Some(share_links(&state, &campaign, lang, via));
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
