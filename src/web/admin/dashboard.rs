//! The dashboards: all campaigns, and one campaign in detail.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::render;
use crate::bounces;
use crate::campaigns::{self, Campaign};
use crate::domain::Lang;
use crate::export::{ExportLogEntry, recent_exports};
use crate::letters::Scheduler;
use crate::organizers::{Access, Need, Session};
use crate::reports::{self, Chart, MailRow, ReferralCounts, StatusTotals, TargetLetters};
use crate::web::AppState;
use crate::web::errors::WebError;

pub struct CampaignLine {
    slug: String,
    title: String,
    open: bool,
    goal: i32,
    totals: StatusTotals,
}

#[derive(Template)]
#[template(path = "admin/index.html")]
struct IndexPage {
    who: String,
    csrf_token: String,
    campaigns: Vec<CampaignLine>,
    manages_organizers: bool,
}

#[tracing::instrument(skip_all)]
pub async fn index(
    state: web::Data<AppState>,
    session: web::ReqData<Session>,
    access: web::ReqData<Access>,
) -> Result<HttpResponse, WebError> {
    let mut conn = state.pool.get().await?;
    let mut campaigns = Vec::new();
    let now = state.clock.now();
    for c in campaigns::list(&mut conn).await?.into_iter().filter(|c| access.sees_campaign(c.id)) {
        campaigns.push(CampaignLine {
            title: c.file.text(c.file.default_lang()).title.clone(),
            totals: reports::status_totals(&mut conn, c.id, now).await?,
            // Closed once its closing time has passed, as the public page says.
            open: c.open_at(now),
            slug: c.slug,
            goal: c.goal,
        });
    }
    let page = IndexPage {
        who: session.organizer.email.clone(),
        csrf_token: session.csrf_token.clone(),
        campaigns,
        manages_organizers: access.manages_organizers(),
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "admin/campaign.html")]
struct CampaignPage {
    who: String,
    csrf_token: String,
    slug: String,
    title: String,
    goal: i32,
    totals: StatusTotals,
    chart: Option<Chart>,
    countries: Vec<(String, i64)>,
    conversion: Vec<reports::DayConversion>,
    letters: Vec<(String, TargetLetters)>,
    bounced_letters: Vec<BouncedLetter>,
    mail: Vec<MailRow>,
    next_dispatch: String,
    exports: Vec<ExportLogEntry>,
    can_export: bool,
    can_mail: bool,
    /// News mailings: the lead's managers, and a partner's organizer for their partner.
    can_send_news: bool,
    /// A partner organizer's partner, whose opted-in supporters are all their exports hold.
    partner: Option<String>,
    referrals: ReferralCounts,
    /// Partner ids and names, for the partner table.
    partner_names: Vec<(String, String)>,
    /// The `<iframe>` snippets: the lead's first, then one per partner.
    snippets: Vec<Snippet>,
    embed_origins: Vec<String>,
    /// Each target's id and name, for the handover pack's form.
    targets: Vec<(String, String)>,
}

/// One copy-and-paste `<iframe>`, for the lead organisation or one partner.
struct Snippet {
    /// Whose it is: "Lead organisation" or the partner's name.
    who: String,
    url: String,
    /// The campaign's title, written as the snippet's `title` attribute needs it.
    title_attribute: String,
}

impl CampaignPage {
    /// The partner's name as the campaign file gives it; "none" for no partner.
    fn partner_name(&self, id: &str) -> String {
        if id.is_empty() {
            return "none (the lead's own links)".into();
        }
        self.partner_names
            .iter()
            .find(|(p, _)| p == id)
            .map_or_else(|| id.to_owned(), |(_, name)| name.clone())
    }
}

/// A letter or digest to a target that came back, as the dashboard shows it.
struct BouncedLetter {
    target: String,
    when: String,
    hard: bool,
    reason: String,
}

/// The most bounced letters the dashboard lists.
const BOUNCED_LETTERS_SHOWN: i64 = 50;

#[tracing::instrument(skip_all, fields(slug = %slug))]
pub async fn campaign(
    state: web::Data<AppState>,
    session: web::ReqData<Session>,
    access: web::ReqData<Access>,
    slug: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let mut conn = state.pool.get().await?;
    let Some(c): Option<Campaign> = campaigns::find_by_slug(&mut conn, &slug).await? else {
        return Err(WebError::NotFound);
    };
    let counts = reports::signature_counts(&mut conn, c.id, state.clock.now()).await?;
    // A partner's organizer sees only their own partner's and sources' lines (and the totals).
    let referrals = reports::referral_counts(&mut conn, c.id, access.partner().map(|p| p.as_ref())).await?;
    let title = c.file.text(c.file.default_lang()).title.clone();
    let title_attribute = title.replace('&', "&amp;").replace('"', "&quot;");
    let base_url = &state.settings.base_url;
    let snippets = std::iter::once(Snippet {
        who: "Lead organisation".into(),
        url: crate::embed::embed_url(base_url, &c.slug, None),
        title_attribute: title_attribute.clone(),
    })
    .chain(c.file.partners.iter().map(|p| Snippet {
        who: p.name.clone(),
        url: crate::embed::embed_url(base_url, &c.slug, Some(p.id.as_ref())),
        title_attribute: title_attribute.clone(),
    }))
    .collect();
    let page = CampaignPage {
        who: session.organizer.email.clone(),
        csrf_token: session.csrf_token.clone(),
        title,
        goal: c.goal,
        totals: counts.totals,
        chart: Chart::new(&counts.by_day),
        // Organizers read English here; the code stays beside the name, as exports and
        // their filter know countries by it.
        countries: counts
            .by_country
            .into_iter()
            .map(|(code, n)| (format!("{} ({code})", crate::i18n::cldr::country_name(Lang::En, &code)), n))
            .collect(),
        conversion: counts.conversion,
        letters: reports::letters_by_target(&mut conn, c.id)
            .await?
            .into_iter()
            .map(|l| (target_name(&c, &l.target_id), l))
            .collect(),
        bounced_letters: bounces::bounced_letters(&mut conn, c.id, BOUNCED_LETTERS_SHOWN)
            .await?
            .into_iter()
            .map(|b| BouncedLetter {
                target: target_name(&c, b.target_id.as_deref().unwrap_or_default()),
                when: b.bounced_at.format("%Y-%m-%d %H:%M UTC").to_string(),
                hard: b.hard,
                reason: b.reason,
            })
            .collect(),
        mail: reports::supporter_mail(&mut conn, c.id).await?,
        next_dispatch: next_dispatch(&c, state.clock.now()),
        exports: recent_exports(&mut conn, c.id, 20).await?,
        can_export: access.allows(Need::Supporters, Some(c.id)).is_ok(),
        can_mail: access.allows(Need::Mailings, Some(c.id)).is_ok(),
        can_send_news: access.allows(Need::News, Some(c.id)).is_ok(),
        partner: access.partner().map(ToString::to_string),
        referrals,
        partner_names: c.file.partners.iter().map(|p| (p.id.to_string(), p.name.clone())).collect(),
        snippets,
        embed_origins: c.file.embed_origins.iter().map(|o| o.as_ref().to_owned()).collect(),
        targets: c.file.targets.iter().map(|t| (t.id.clone(), target_name(&c, &t.id))).collect(),
        slug: c.slug,
    };
    Ok(render(StatusCode::OK, &page))
}

/// The target's office as the campaign file names it; its id if it left the file.
fn target_name(c: &Campaign, id: &str) -> String {
    c.file
        .targets
        .iter()
        .find(|t| t.id == id)
        .map_or_else(|| id.to_owned(), |t| format!("{}, {}", t.office, t.organisation))
}

fn next_dispatch(c: &Campaign, now: chrono::DateTime<chrono::Utc>) -> String {
    match Scheduler::next_dispatch(c, now) {
        Some(at) => at.format("%Y-%m-%d %H:%M UTC").to_string(),
        None => "individual letters go out as signatures are confirmed, inside the sending window".into(),
    }
}
