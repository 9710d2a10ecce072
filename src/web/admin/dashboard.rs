//! The dashboards: all campaigns, and one campaign in detail.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::render;
use crate::campaigns::{self, Campaign};
use crate::export::{ExportLogEntry, recent_exports};
use crate::letters::Scheduler;
use crate::organizers::Session;
use crate::reports::{self, Chart, MailRow, StatusTotals, TargetLetters};
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
}

#[tracing::instrument(skip_all)]
pub async fn index(
    state: web::Data<AppState>,
    session: web::ReqData<Session>,
) -> Result<HttpResponse, WebError> {
    let mut conn = state.pool.get().await?;
    let mut campaigns = Vec::new();
    let now = state.clock.now();
    for c in campaigns::list(&mut conn).await? {
        campaigns.push(CampaignLine {
            title: c.file.text(c.file.default_lang()).title.clone(),
            totals: reports::status_totals(&mut conn, c.id, now).await?,
            // Closed once its closing time has passed, as the public page says.
            open: c.open_at(now),
            slug: c.slug,
            goal: c.goal,
        });
    }
    let page =
        IndexPage { who: session.organizer.email.clone(), csrf_token: session.csrf_token.clone(), campaigns };
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
    mail: Vec<MailRow>,
    next_dispatch: String,
    exports: Vec<ExportLogEntry>,
    /// Each target's id and name, for the handover pack's form.
    targets: Vec<(String, String)>,
}

#[tracing::instrument(skip_all, fields(slug = %slug))]
pub async fn campaign(
    state: web::Data<AppState>,
    session: web::ReqData<Session>,
    slug: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let mut conn = state.pool.get().await?;
    let Some(c): Option<Campaign> = campaigns::find_by_slug(&mut conn, &slug).await? else {
        return Err(WebError::NotFound);
    };
    let counts = reports::signature_counts(&mut conn, c.id, state.clock.now()).await?;
    let page = CampaignPage {
        who: session.organizer.email.clone(),
        csrf_token: session.csrf_token.clone(),
        title: c.file.text(c.file.default_lang()).title.clone(),
        goal: c.goal,
        totals: counts.totals,
        chart: Chart::new(&counts.by_day),
        countries: counts.by_country,
        conversion: counts.conversion,
        letters: reports::letters_by_target(&mut conn, c.id)
            .await?
            .into_iter()
            .map(|l| (target_name(&c, &l.target_id), l))
            .collect(),
        mail: reports::supporter_mail(&mut conn, c.id).await?,
        next_dispatch: next_dispatch(&c, state.clock.now()),
        exports: recent_exports(&mut conn, c.id, 20).await?,
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
