//! News mailings in the dashboard: the list and the form to write one
//! (`/admin/c/{slug}/mailings`), one mailing with its preview per language, audience and
//! progress (`/admin/c/{slug}/mailings/{id}`), and what an organizer does to it
//! (`.../{id}/test`, `send`, `pause`, `resume`, `cancel`). Every POST carries the
//! session's CSRF token. The rules are the `mailings` module's; this file parses and shows.
//!
//! Whose mailings: the lead's managers (and owners) see every mailing with its sender and
//! write the lead's; a partner's organizer sees and writes only their partner's (`desk`),
//! and another sender's mailing answers `404` to them, as one that does not exist.

use std::collections::{BTreeMap, HashMap};

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{DateTime, NaiveDateTime, Utc};
use uuid::Uuid;

use super::login::csrf_matches;
use super::{form_refused, message, render};
use crate::bounces;
use crate::campaigns::{self, Campaign};
use crate::domain::Lang;
use crate::mailings::{
    self, Action, ActionError, Desk, Draft, Mailing, MailingStatus, MailingText, Progress,
};
use crate::organizers::{Access, Need, Role, Session};
use crate::suppressions::Sender;
use crate::web::AppState;
use crate::web::body::Body;
use crate::web::errors::WebError;
use crate::web::form;

/// One language's fields in the form, as entered.
pub struct LangFields {
    code: &'static str,
    name: &'static str,
    subject: String,
    text: String,
    chosen: bool,
}

pub struct MailingLine {
    id: Uuid,
    from: String,
    subject: String,
    status: MailingStatus,
    created: String,
    progress: Progress,
    bounced: i64,
}

#[derive(Template)]
#[template(path = "admin/mailings.html")]
struct ListPage {
    who: String,
    csrf_token: String,
    slug: String,
    title: String,
    default_lang: &'static str,
    /// Whom the mailings written here are from, and whom they reach.
    from: String,
    audience: String,
    error: Option<String>,
    langs: Vec<LangFields>,
    countries: String,
    mailings: Vec<MailingLine>,
}

fn minute(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// Whose mailings this organizer works with; the route's `Need::News` has already turned
/// everyone else away.
fn desk(access: &Access) -> Result<Desk, WebError> {
    match access.role() {
        Role::Partner => access.partner().cloned().map(Desk::Partner).ok_or(WebError::Forbidden),
        Role::Owner | Role::Manager => Ok(Desk::Lead),
        Role::Viewer => Err(WebError::Forbidden),
    }
}

/// A mailing's sender as organizers read it.
fn sender_name(c: &Campaign, sender: &Sender) -> String {
    match sender.partner() {
        Some(id) => c.file.partner(id).map_or_else(|| id.to_string(), |p| p.name.clone()),
        None => "Lead organisation".to_owned(),
    }
}

/// Whom a desk's mailings reach, in the words of the form.
fn audience_words(c: &Campaign, desk: &Desk) -> String {
    match desk {
        Desk::Lead => "confirmed supporters who asked for the campaign's news".to_owned(),
        Desk::Partner(_) => format!(
            "confirmed supporters who asked for news from {} when they signed",
            sender_name(c, &desk.sender())
        ),
    }
}

async fn campaign(state: &AppState, slug: &str) -> Result<Campaign, WebError> {
    let mut conn = state.pool.get().await?;
    campaigns::find_by_slug(&mut conn, slug).await?.ok_or(WebError::NotFound)
}

fn empty_fields() -> Vec<LangFields> {
    Lang::ALL
        .into_iter()
        .map(|l| LangFields {
            code: l.code(),
            name: l.native_name(),
            subject: String::new(),
            text: String::new(),
            chosen: false,
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn list_page(
    state: &AppState,
    session: &Session,
    desk: &Desk,
    c: &Campaign,
    status: StatusCode,
    error: Option<String>,
    langs: Vec<LangFields>,
    countries: String,
) -> Result<HttpResponse, WebError> {
    let mut conn = state.pool.get().await?;
    let mut lines = Vec::new();
    for m in mailings::list(&mut conn, c.id, desk).await? {
        lines.push(MailingLine {
            id: m.id,
            from: sender_name(c, &m.sender),
            subject: m.texts.get(&c.file.default_lang()).map(|t| t.subject.clone()).unwrap_or_default(),
            status: m.status,
            created: minute(m.created_at),
            progress: mailings::progress(&mut conn, m.id).await?,
            bounced: bounces::bounced_in_mailing(&mut conn, m.id).await?,
        });
    }
    let page = ListPage {
        who: session.organizer.email.clone(),
        csrf_token: session.csrf_token.clone(),
        slug: c.slug.clone(),
        title: c.file.text(c.file.default_lang()).title.clone(),
        default_lang: c.file.default_lang().native_name(),
        from: sender_name(c, &desk.sender()),
        audience: audience_words(c, desk),
        error,
        langs,
        countries,
        mailings: lines,
    };
    Ok(render(status, &page))
}

/// The list and the form; `?from_reply={id}` fills the form from a target's reply (its
/// summaries, see `replies::mailing_texts`) for the organizer to edit before saving it;
/// only for those who may read the replies page.
#[tracing::instrument(skip_all, fields(slug = %slug))]
pub async fn index(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: web::ReqData<Session>,
    access: web::ReqData<Access>,
    slug: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let desk = desk(&access)?;
    let c = campaign(&state, &slug).await?;
    let mut langs = empty_fields();
    let query = form::parse(req.query_string().as_bytes()).unwrap_or_default();
    if let Some(reply) = query.get("from_reply") {
        access.allows(Need::Mailings, Some(c.id)).map_err(|_| WebError::Forbidden)?;
        let id: Uuid = reply.parse().map_err(|_| WebError::NotFound)?;
        let mut conn = state.pool.get().await?;
        let reply = crate::replies::find(&mut conn, c.id, id).await?.ok_or(WebError::NotFound)?;
        let texts = crate::replies::mailing_texts(&c, &reply, &state.settings.base_url);
        for (lang, field) in Lang::ALL.into_iter().zip(&mut langs) {
            if let Some(text) = texts.get(&lang) {
                field.subject = text.subject.clone();
                field.text = text.markdown.clone();
            }
        }
    }
    list_page(&state, &session, &desk, &c, StatusCode::OK, None, langs, String::new()).await
}

fn expired_form() -> HttpResponse {
    message(StatusCode::FORBIDDEN, "Form expired", "Please go back, reload the page and try again.")
}

#[tracing::instrument(skip_all, fields(slug = %slug))]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: web::ReqData<Session>,
    access: web::ReqData<Access>,
    slug: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, WebError> {
    let desk = desk(&access)?;
    let fields = match form::fields(&req, &body) {
        Ok(fields) => fields,
        Err(e) => return Ok(form_refused(e)),
    };
    if !csrf_matches(&session, field(&fields, "csrf_token")) {
        return Ok(expired_form());
    }
    let c = campaign(&state, &slug).await?;
    let langs: Vec<LangFields> = Lang::ALL
        .into_iter()
        .map(|l| LangFields {
            code: l.code(),
            name: l.native_name(),
            subject: field(&fields, &format!("subject_{}", l.code())).to_owned(),
            text: field(&fields, &format!("text_{}", l.code())).to_owned(),
            chosen: field(&fields, &format!("lang_{}", l.code())) == "on",
        })
        .collect();
    let texts: BTreeMap<Lang, MailingText> = Lang::ALL
        .into_iter()
        .zip(&langs)
        .map(|(l, f)| (l, MailingText { subject: f.subject.clone(), markdown: f.text.clone() }))
        .collect();
    let chosen = Lang::ALL.into_iter().zip(&langs).filter(|(_, f)| f.chosen).map(|(l, _)| l).collect();
    let countries = field(&fields, "countries").to_owned();
    let refuse = async |error: String, langs: Vec<LangFields>, countries: String| {
        list_page(
            &state,
            &session,
            &desk,
            &c,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(error),
            langs,
            countries,
        )
        .await
    };
    let draft = match Draft::parse(texts, c.file.default_lang(), &countries, chosen) {
        Ok(draft) => draft,
        Err(e) => return refuse(e.to_string(), langs, countries).await,
    };
    let mut conn = state.pool.get().await?;
    let id =
        mailings::create(&mut conn, c.id, session.organizer.id, &desk, &draft, state.clock.now()).await?;
    tracing::info!(mailing = %id, "mailing written");
    Ok(HttpResponse::SeeOther()
        .insert_header(("Location", format!("/admin/c/{}/mailings/{id}", c.slug)))
        .finish())
}

fn field<'a>(fields: &'a HashMap<String, String>, name: &str) -> &'a str {
    fields.get(name).map_or("", String::as_str)
}

/// One language as supporters will get it, with a sample name for `{name}`.
pub struct Preview {
    name: &'static str,
    dir: &'static str,
    subject: String,
    html: String,
    text: String,
}

#[derive(Template)]
#[template(path = "admin/mailing.html")]
struct MailingPage {
    who: String,
    csrf_token: String,
    slug: String,
    id: Uuid,
    from: String,
    status: MailingStatus,
    created: String,
    send_at: Option<String>,
    all_queued: bool,
    filter: String,
    audience: i64,
    progress: Progress,
    bounced: i64,
    previews: Vec<Preview>,
    notice: Option<String>,
}

/// The name the preview shows for `{name}`.
const SAMPLE_NAME: &str = "Mina";

async fn mailing_page(
    state: &AppState,
    session: &Session,
    c: &Campaign,
    m: &Mailing,
    status: StatusCode,
    notice: Option<String>,
) -> Result<HttpResponse, WebError> {
    let mut conn = state.pool.get().await?;
    let previews = mailings::prepare(m)
        .into_values()
        .map(|p| Preview {
            name: p.lang.native_name(),
            dir: p.lang.dir(),
            subject: p.subject.replace("{name}", SAMPLE_NAME),
            html: p.html.replace("{name}", SAMPLE_NAME),
            text: p.text.replace("{name}", SAMPLE_NAME),
        })
        .collect();
    let filter = match (m.countries.is_empty(), m.languages.is_empty()) {
        (true, true) if m.sender == Sender::Lead => "everyone who asked for news".to_owned(),
        (true, true) => format!("everyone who asked for news from {}", sender_name(c, &m.sender)),
        _ => format!(
            "countries: {}; languages: {}",
            if m.countries.is_empty() { "all".to_owned() } else { m.countries.join(", ") },
            if m.languages.is_empty() { "all".to_owned() } else { m.languages.join(", ") },
        ),
    };
    let page = MailingPage {
        who: session.organizer.email.clone(),
        csrf_token: session.csrf_token.clone(),
        slug: c.slug.clone(),
        id: m.id,
        from: sender_name(c, &m.sender),
        status: m.status,
        created: minute(m.created_at),
        send_at: m.send_at.map(minute),
        all_queued: m.queued_all_at.is_some(),
        filter,
        audience: mailings::audience_count(&mut conn, m).await?,
        progress: mailings::progress(&mut conn, m.id).await?,
        bounced: bounces::bounced_in_mailing(&mut conn, m.id).await?,
        previews,
        notice,
    };
    Ok(render(status, &page))
}

/// The campaign and its mailing `id`, if `desk` may see it (else `404`).
async fn load(state: &AppState, desk: &Desk, slug: &str, id: &str) -> Result<(Campaign, Mailing), WebError> {
    let c = campaign(state, slug).await?;
    let id: Uuid = id.parse().map_err(|_| WebError::NotFound)?;
    let mut conn = state.pool.get().await?;
    let m = mailings::find(&mut conn, c.id, desk, id).await?.ok_or(WebError::NotFound)?;
    Ok((c, m))
}

#[tracing::instrument(skip_all)]
pub async fn show(
    state: web::Data<AppState>,
    session: web::ReqData<Session>,
    access: web::ReqData<Access>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, WebError> {
    let (c, m) = load(&state, &desk(&access)?, &path.0, &path.1).await?;
    mailing_page(&state, &session, &c, &m, StatusCode::OK, None).await
}

/// `POST .../{id}/{action}`: test, send, pause, resume or cancel.
#[tracing::instrument(skip_all, fields(action = %path.2))]
pub async fn act(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: web::ReqData<Session>,
    access: web::ReqData<Access>,
    path: web::Path<(String, String, String)>,
    body: Body,
) -> Result<HttpResponse, WebError> {
    // Another sender's mailing is not there for this organizer, whatever the form holds.
    let desk = desk(&access)?;
    let (c, m) = load(&state, &desk, &path.0, &path.1).await?;
    let fields = match form::fields(&req, &body) {
        Ok(fields) => fields,
        Err(e) => return Ok(form_refused(e)),
    };
    if !csrf_matches(&session, field(&fields, "csrf_token")) {
        return Ok(expired_form());
    }
    let now = state.clock.now();
    let refuse = async |notice: String| {
        mailing_page(&state, &session, &c, &m, StatusCode::UNPROCESSABLE_ENTITY, Some(notice)).await
    };
    let action = match path.2.as_str() {
        "test" => {
            let mut conn = state.pool.get().await?;
            let sent = mailings::send_test(&mut conn, &state.mailings, &c, &m, &session.organizer.email, now)
                .await?;
            state.outbox_wake.notify_one();
            let notice = format!("{sent} test message(s) queued to {}.", session.organizer.email);
            return mailing_page(&state, &session, &c, &m, StatusCode::OK, Some(notice)).await;
        }
        // The lead's managers may hold or stop a partner's mailing, but only the partner's
        // organizers decide to send words in its name.
        "send" if desk.sender() != m.sender => {
            return refuse(format!(
                "Only {}'s organizers send its mailings; you may pause or cancel it.",
                sender_name(&c, &m.sender)
            ))
            .await;
        }
        "send" => match parse_time(field(&fields, "at"), now) {
            Ok(at) => Action::Send { at },
            Err(e) => return refuse(e).await,
        },
        "pause" => Action::Pause,
        "resume" => Action::Resume,
        "cancel" => Action::Cancel,
        _ => return Err(WebError::NotFound),
    };
    let mut conn = state.pool.get().await?;
    match mailings::act(&mut conn, c.id, m.id, action, now).await {
        Ok(Some(status)) => {
            tracing::info!(mailing = %m.id, %status, "mailing status changed");
            state.outbox_wake.notify_one();
            Ok(HttpResponse::SeeOther()
                .insert_header(("Location", format!("/admin/c/{}/mailings/{}", c.slug, m.id)))
                .finish())
        }
        Ok(None) => Err(WebError::NotFound),
        Err(ActionError::Unexpected(e)) => Err(WebError::from(e)),
        Err(e) => refuse(e.to_string()).await,
    }
}

/// Empty: now. Otherwise a time in UTC, as a browser's `datetime-local` field sends it
/// (`2026-12-24T09:00`) or in RFC 3339.
fn parse_time(raw: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(now);
    }
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M").map(|t| t.and_utc()))
        .map_err(|_| "Give the time as YYYY-MM-DDTHH:MM in UTC, or leave it empty to send now.".to_owned())
}
