//! Organizers managed on the web, by owners only (the guard lets no one else in): the
//! accounts with their roles (`/admin/organizers`), an invitation by email (POST there),
//! a new role and scope (`.../{id}/role`), disabling and enabling (`.../{id}/disable`,
//! `.../{id}/enable`), and the audit log (`/admin/audit`). Every POST carries the
//! session's CSRF token. The rules are the `organizers` module's; this file parses and shows.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use uuid::Uuid;

use super::login::csrf_matches;
use super::{form_refused, message, render};
use crate::campaigns::{self, Campaign};
use crate::domain::Lang;
use crate::organizers::{
    self, AuditEntry, Grant, InvitationMail, ManageError, OrganizerEmail, Role, Session, Who,
};
use crate::web::AppState;
use crate::web::body::Body;
use crate::web::errors::WebError;
use crate::web::form;

pub struct AccountRow {
    id: Uuid,
    email: String,
    role: Role,
    partner: String,
    campaigns: String,
    disabled: bool,
    invited: bool,
    yourself: bool,
}

pub struct LangOption {
    code: &'static str,
    name: &'static str,
}

#[derive(Template)]
#[template(path = "admin/organizers.html")]
struct OrganizersPage {
    who: String,
    csrf_token: String,
    error: Option<String>,
    notice: Option<String>,
    accounts: Vec<AccountRow>,
    roles: &'static [Role],
    langs: Vec<LangOption>,
}

async fn page(
    state: &AppState,
    session: &Session,
    status: StatusCode,
    error: Option<String>,
    notice: Option<String>,
) -> Result<HttpResponse, WebError> {
    let mut conn = state.pool.get().await?;
    let slugs: HashMap<Uuid, String> =
        campaigns::list(&mut conn).await?.into_iter().map(|c| (c.id, c.slug)).collect();
    let accounts = organizers::accounts(&mut conn)
        .await?
        .into_iter()
        .map(|a| AccountRow {
            yourself: a.id == session.organizer.id,
            campaigns: a
                .campaigns
                .iter()
                .filter_map(|c| slugs.get(c).cloned())
                .collect::<Vec<_>>()
                .join(", "),
            partner: a.partner.unwrap_or_default(),
            id: a.id,
            email: a.email,
            role: a.role,
            disabled: a.disabled,
            invited: a.invited,
        })
        .collect();
    let langs = Lang::ALL.into_iter().map(|l| LangOption { code: l.code(), name: l.native_name() }).collect();
    let page = OrganizersPage {
        who: session.organizer.email.clone(),
        csrf_token: session.csrf_token.clone(),
        error,
        notice,
        accounts,
        roles: Role::ALL,
        langs,
    };
    Ok(render(status, &page))
}

#[tracing::instrument(skip_all)]
pub async fn index(
    state: web::Data<AppState>,
    session: web::ReqData<Session>,
) -> Result<HttpResponse, WebError> {
    page(&state, &session, StatusCode::OK, None, None).await
}

fn expired_form() -> HttpResponse {
    message(StatusCode::FORBIDDEN, "Form expired", "Please go back, reload the page and try again.")
}

fn field<'a>(fields: &'a HashMap<String, String>, name: &str) -> &'a str {
    fields.get(name).map_or("", String::as_str)
}

/// The posted form's fields, once its type and CSRF token are right.
fn posted(
    req: &HttpRequest,
    body: &Body,
    session: &Session,
) -> Result<HashMap<String, String>, Box<HttpResponse>> {
    let fields = form::fields(req, body).map_err(|e| Box::new(form_refused(e)))?;
    if !csrf_matches(session, field(&fields, "csrf_token")) {
        return Err(Box::new(expired_form()));
    }
    Ok(fields)
}

/// The role, campaigns (a comma list of slugs) and partner of a form, as a `Grant`.
async fn grant_from(
    state: &AppState,
    fields: &HashMap<String, String>,
) -> Result<Result<Grant, String>, WebError> {
    let Ok(role) = field(fields, "role").parse::<Role>() else {
        return Ok(Err("Choose a role: owner, manager, partner or viewer.".into()));
    };
    let mut conn = state.pool.get().await?;
    let mut chosen: Vec<Campaign> = Vec::new();
    for slug in field(fields, "campaigns").split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match campaigns::find_by_slug(&mut conn, slug).await? {
            Some(c) if !chosen.iter().any(|k| k.id == c.id) => chosen.push(c),
            Some(_) => {}
            None => return Ok(Err(format!("There is no campaign {slug:?}."))),
        }
    }
    Ok(Grant::parse(role, &chosen, Some(field(fields, "partner"))).map_err(|e| format!("{e}.")))
}

fn refused(e: ManageError) -> Result<String, WebError> {
    match e {
        ManageError::Unexpected(e) => Err(WebError::from(e)),
        ManageError::NotFound => Err(WebError::NotFound),
        e => Ok(format!("{e}.")),
    }
}

fn back() -> HttpResponse {
    HttpResponse::SeeOther().insert_header(("Location", "/admin/organizers")).finish()
}

#[tracing::instrument(skip_all)]
pub async fn invite(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: web::ReqData<Session>,
    body: Body,
) -> Result<HttpResponse, WebError> {
    let fields = match posted(&req, &body, &session) {
        Ok(fields) => fields,
        Err(refusal) => return Ok(*refusal),
    };
    let invalid = async |error: String| {
        page(&state, &session, StatusCode::UNPROCESSABLE_ENTITY, Some(error), None).await
    };
    let Ok(email) = OrganizerEmail::parse(field(&fields, "email")) else {
        return invalid("Enter the address to invite.".into()).await;
    };
    let grant = match grant_from(&state, &fields).await? {
        Ok(grant) => grant,
        Err(error) => return invalid(error).await,
    };
    let lang = Lang::from_tag(field(&fields, "lang")).unwrap_or(Lang::En);
    let mail = InvitationMail {
        from: &state.mail.from,
        base_url: &state.settings.base_url,
        lang,
        keys: &state.keys,
    };
    let who = Who::organizer(&session.organizer);
    let mut conn = state.pool.get().await?;
    match organizers::invite(&mut conn, &who, &email, &grant, &mail, state.clock.now()).await {
        Ok(id) => {
            state.outbox_wake.notify_one();
            tracing::info!(organizer = %id, "organizer invited");
            Ok(back())
        }
        Err(e) => invalid(refused(e)?).await,
    }
}

/// The account a `/admin/organizers/{id}/...` path names.
fn account_id(raw: &str) -> Result<Uuid, WebError> {
    Uuid::try_parse(raw).map_err(|_| WebError::NotFound)
}

#[tracing::instrument(skip_all)]
pub async fn change_role(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: web::ReqData<Session>,
    id: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, WebError> {
    let id = account_id(&id)?;
    let fields = match posted(&req, &body, &session) {
        Ok(fields) => fields,
        Err(refusal) => return Ok(*refusal),
    };
    let invalid = async |error: String| {
        page(&state, &session, StatusCode::UNPROCESSABLE_ENTITY, Some(error), None).await
    };
    let grant = match grant_from(&state, &fields).await? {
        Ok(grant) => grant,
        Err(error) => return invalid(error).await,
    };
    let who = Who::organizer(&session.organizer);
    let mut conn = state.pool.get().await?;
    match organizers::change_grant(&mut conn, &who, id, &grant, state.clock.now()).await {
        Ok(()) => Ok(back()),
        Err(e) => invalid(refused(e)?).await,
    }
}

#[tracing::instrument(skip_all)]
pub async fn disable(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: web::ReqData<Session>,
    id: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, WebError> {
    set_disabled(req, state, session, id, body, true).await
}

#[tracing::instrument(skip_all)]
pub async fn enable(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: web::ReqData<Session>,
    id: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, WebError> {
    set_disabled(req, state, session, id, body, false).await
}

async fn set_disabled(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: web::ReqData<Session>,
    id: web::Path<String>,
    body: Body,
    disabled: bool,
) -> Result<HttpResponse, WebError> {
    let id = account_id(&id)?;
    if let Err(refusal) = posted(&req, &body, &session) {
        return Ok(*refusal);
    }
    let who = Who::organizer(&session.organizer);
    let mut conn = state.pool.get().await?;
    match organizers::set_disabled(&mut conn, &who, id, disabled, state.clock.now()).await {
        Ok(()) => Ok(back()),
        Err(e) => page(&state, &session, StatusCode::UNPROCESSABLE_ENTITY, Some(refused(e)?), None).await,
    }
}

pub struct AuditRow {
    at: String,
    actor: String,
    action: &'static str,
    subject: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    who: String,
    csrf_token: String,
    entries: Vec<AuditRow>,
}

/// How many entries the audit page shows, newest first.
const AUDIT_PAGE: i64 = 500;

#[tracing::instrument(skip_all)]
pub async fn audit(
    state: web::Data<AppState>,
    session: web::ReqData<Session>,
) -> Result<HttpResponse, WebError> {
    let mut conn = state.pool.get().await?;
    // Exports name their campaign by id; the page shows its slug.
    let slugs: HashMap<String, String> =
        campaigns::list(&mut conn).await?.into_iter().map(|c| (c.id.to_string(), c.slug)).collect();
    let entries = organizers::recent_audit(&mut conn, AUDIT_PAGE)
        .await?
        .into_iter()
        .map(|e: AuditEntry| AuditRow {
            at: e.at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            actor: e.actor,
            action: e.action.as_str(),
            subject: e.subject.map(|s| slugs.get(&s).cloned().unwrap_or(s)).unwrap_or_default(),
            detail: e.detail,
        })
        .collect();
    let page =
        AuditPage { who: session.organizer.email.clone(), csrf_token: session.csrf_token.clone(), entries };
    Ok(render(StatusCode::OK, &page))
}
