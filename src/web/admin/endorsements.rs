//! Endorsing organisations in the dashboard: the list with each one's status and the
//! buttons to approve, reject or withdraw it (`/admin/c/{slug}/endorsements`, POST
//! `.../{id}/{action}` with the session's CSRF token), and their CSV export. The rules are
//! the `endorsements` module's; this file parses and shows.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use uuid::Uuid;

use super::login::csrf_matches;
use super::{form_refused, message, render};
use crate::campaigns::{self, Campaign};
use crate::endorsements::{self, DecideError, Decision, EndorsementStatus};
use crate::organizers::Session;
use crate::web::AppState;
use crate::web::body::Body;
use crate::web::errors::WebError;
use crate::web::form;

pub struct Line {
    id: Uuid,
    created: String,
    organisation: String,
    website: String,
    country: String,
    contact: String,
    status: EndorsementStatus,
    actions: Vec<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "admin/endorsements.html")]
struct ListPage {
    who: String,
    csrf_token: String,
    slug: String,
    title: String,
    notice: Option<String>,
    rows: Vec<Line>,
}

async fn campaign(state: &AppState, slug: &str) -> Result<Campaign, WebError> {
    let mut conn = state.pool.get().await?;
    campaigns::find_by_slug(&mut conn, slug).await?.ok_or(WebError::NotFound)
}

/// What an organizer may do with an endorsement in this status.
fn actions(status: EndorsementStatus) -> Vec<(&'static str, &'static str)> {
    match status {
        EndorsementStatus::Pending => vec![("reject", "Reject")],
        EndorsementStatus::Confirmed => vec![("approve", "Approve"), ("reject", "Reject")],
        EndorsementStatus::Approved => vec![("withdraw", "Withdraw")],
        EndorsementStatus::Rejected | EndorsementStatus::Withdrawn => Vec::new(),
    }
}

async fn list_page(
    state: &AppState,
    session: &Session,
    c: &Campaign,
    status: StatusCode,
    notice: Option<String>,
) -> Result<HttpResponse, WebError> {
    let mut conn = state.pool.get().await?;
    let rows = endorsements::all_for_campaign(&mut conn, &state.keys, c.id)
        .await?
        .into_iter()
        .map(|e| Line {
            id: e.id,
            created: e.created_at.format("%Y-%m-%d %H:%M").to_string(),
            country: crate::domain::Country::parse(&e.country)
                .map_or(e.country.clone(), |c| c.name().to_owned()),
            organisation: e.organisation,
            website: e.website,
            contact: e.contact_email.unwrap_or_else(|| "(erased)".to_owned()),
            status: e.status,
            actions: actions(e.status),
        })
        .collect();
    let page = ListPage {
        who: session.organizer.email.clone(),
        csrf_token: session.csrf_token.clone(),
        slug: c.slug.clone(),
        title: c.file.text(c.file.default_lang()).title.clone(),
        notice,
        rows,
    };
    Ok(render(status, &page))
}

#[tracing::instrument(skip_all, fields(slug = %slug))]
pub async fn index(
    state: web::Data<AppState>,
    session: web::ReqData<Session>,
    slug: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let c = campaign(&state, &slug).await?;
    list_page(&state, &session, &c, StatusCode::OK, None).await
}

/// `POST .../endorsements/{id}/{action}`: approve, reject or withdraw.
#[tracing::instrument(skip_all, fields(action = %path.2))]
pub async fn decide(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: web::ReqData<Session>,
    path: web::Path<(String, String, String)>,
    body: Body,
) -> Result<HttpResponse, WebError> {
    let fields = match form::fields(&req, &body) {
        Ok(fields) => fields,
        Err(e) => return Ok(form_refused(e)),
    };
    if !csrf_matches(&session, fields.get("csrf_token").map_or("", String::as_str)) {
        return Ok(message(
            StatusCode::FORBIDDEN,
            "Form expired",
            "Please go back, reload the page and try again.",
        ));
    }
    let c = campaign(&state, &path.0).await?;
    let id: Uuid = path.1.parse().map_err(|_| WebError::NotFound)?;
    let decision = Decision::parse(&path.2).ok_or(WebError::NotFound)?;
    let mut conn = state.pool.get().await?;
    match endorsements::decide(&mut conn, &state.keys, &c, id, decision, state.clock.now()).await {
        Ok(_) => Ok(HttpResponse::SeeOther()
            .insert_header(("Location", format!("/admin/c/{}/endorsements", c.slug)))
            .finish()),
        Err(DecideError::NotFound) => Err(WebError::NotFound),
        Err(DecideError::Unexpected(e)) => Err(WebError::from(e)),
        Err(e) => list_page(&state, &session, &c, StatusCode::CONFLICT, Some(e.to_string())).await,
    }
}

/// `GET /admin/c/{slug}/endorsements.csv`: every endorsement with its status, formula-guarded.
#[tracing::instrument(skip_all, fields(slug = %slug))]
pub async fn csv(state: web::Data<AppState>, slug: web::Path<String>) -> Result<HttpResponse, WebError> {
    let c = campaign(&state, &slug).await?;
    let mut conn = state.pool.get().await?;
    let rows = endorsements::all_for_campaign(&mut conn, &state.keys, c.id).await?;
    let bytes = endorsements::to_csv(&rows)?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{}-endorsements.csv\"", c.slug),
        ))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(bytes))
}
