//! The targets' replies in the dashboard: the list with each original to download, the form
//! that records one (`POST /admin/c/{slug}/replies`, `multipart/form-data` with the session's
//! CSRF token, the one admin route the body gate allows 5 MiB: `body::MAX_REPLY_BODY`), and
//! the original itself (`.../replies/{id}/original`). The rules are the `replies` module's;
//! this file parses and shows.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use uuid::Uuid;

use super::login::csrf_matches;
use super::{message, render};
use crate::campaigns::{self, Campaign};
use crate::domain::Lang;
use crate::organizers::Session;
use crate::replies::{self, NewReply, Original, ReplyError};
use crate::web::AppState;
use crate::web::body::Body;
use crate::web::errors::WebError;
use crate::web::form;
use crate::web::multipart::{self, MultipartError};

pub struct Line {
    id: Uuid,
    replied_on: String,
    target: String,
    summary: String,
    file_name: String,
}

/// The form as entered, shown again after an error.
#[derive(Default)]
pub struct Values {
    target: String,
    date: String,
    /// Language code, its name, the summary.
    summaries: Vec<(&'static str, &'static str, String)>,
}

#[derive(Template)]
#[template(path = "admin/replies.html")]
struct ListPage {
    who: String,
    csrf_token: String,
    slug: String,
    title: String,
    default_lang: &'static str,
    targets: Vec<(String, String)>,
    rows: Vec<Line>,
    errors: Vec<String>,
    values: Values,
}

async fn campaign(state: &AppState, slug: &str) -> Result<Campaign, WebError> {
    let mut conn = state.pool.get().await?;
    campaigns::find_by_slug(&mut conn, slug).await?.ok_or(WebError::NotFound)
}

fn empty_values() -> Values {
    Values {
        summaries: Lang::ALL.into_iter().map(|l| (l.code(), l.native_name(), String::new())).collect(),
        ..Values::default()
    }
}

async fn list_page(
    state: &AppState,
    session: &Session,
    c: &Campaign,
    status: StatusCode,
    errors: Vec<String>,
    values: Values,
) -> Result<HttpResponse, WebError> {
    let conn = state.pool.get().await?;
    let default = c.file.default_lang();
    let name_of = |id: &str| {
        c.file.targets.iter().find(|t| t.id == id).map_or(id.to_owned(), |t| t.organisation.clone())
    };
    let rows = replies::for_campaign(&conn, c.id)
        .await?
        .into_iter()
        .map(|r| Line {
            id: r.id,
            replied_on: r.replied_on.to_string(),
            target: name_of(&r.target_id),
            summary: r.summary(default, default).map(|(_, s)| s.to_owned()).unwrap_or_default(),
            file_name: r.file_name,
        })
        .collect();
    let page = ListPage {
        who: session.organizer.email.clone(),
        csrf_token: session.csrf_token.clone(),
        slug: c.slug.clone(),
        title: c.file.text(default).title.clone(),
        default_lang: default.native_name(),
        targets: c.file.targets.iter().map(|t| (t.id.clone(), t.organisation.clone())).collect(),
        rows,
        errors,
        values,
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
    list_page(&state, &session, &c, StatusCode::OK, Vec::new(), empty_values()).await
}

#[tracing::instrument(skip_all, fields(slug = %slug))]
pub async fn record(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: web::ReqData<Session>,
    slug: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, WebError> {
    let mut form = match multipart::read(&req, &body) {
        Ok(form) => form,
        // Another encoding: refused for it only when it carried the session's token, so
        // that a form from elsewhere learns nothing but that it was refused.
        Err(MultipartError::WrongType)
            if !form::fields(&req, &body)
                .is_ok_and(|f| csrf_matches(&session, f.get("csrf_token").map_or("", String::as_str))) =>
        {
            return Ok(expired_form());
        }
        Err(MultipartError::WrongType) => {
            return Ok(message(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Unsupported form",
                "Please send the form as multipart/form-data, as the page does.",
            ));
        }
        Err(MultipartError::Malformed | MultipartError::NotUtf8) => {
            return Ok(message(
                StatusCode::BAD_REQUEST,
                "Unreadable form",
                "The form data could not be read. Please go back and try again.",
            ));
        }
    };
    let field = |name: &str| form.fields.get(name).cloned().unwrap_or_default();
    if !csrf_matches(&session, &field("csrf_token")) {
        return Ok(message(
            StatusCode::FORBIDDEN,
            "Form expired",
            "Please go back, reload the page and try again.",
        ));
    }
    let c = campaign(&state, &slug).await?;
    let summaries: BTreeMap<Lang, String> =
        Lang::ALL.into_iter().map(|l| (l, field(&format!("summary_{}", l.code())))).collect();
    let values = Values {
        target: field("target"),
        date: field("date"),
        summaries: summaries.iter().map(|(l, s)| (l.code(), l.native_name(), s.clone())).collect(),
    };
    let original = match form.files.remove("original") {
        Some(file) if !file.bytes.is_empty() => Original::parse(&file.file_name, file.bytes),
        _ => Err(ReplyError::OriginalMissing),
    };
    let now = state.clock.now();
    let parsed = NewReply::parse(&c, &values.target, &values.date, summaries, original, now.date_naive());
    let new = match parsed {
        Ok(new) => new,
        Err(errors) => {
            let errors = errors.iter().map(ToString::to_string).collect();
            return list_page(&state, &session, &c, StatusCode::UNPROCESSABLE_ENTITY, errors, values).await;
        }
    };
    let mut conn = state.pool.get().await?;
    replies::record(&mut conn, &state.keys, &c, session.organizer.id, &new, now).await?;
    Ok(HttpResponse::SeeOther().insert_header(("Location", format!("/admin/c/{}/replies", c.slug))).finish())
}

fn expired_form() -> HttpResponse {
    message(StatusCode::FORBIDDEN, "Form expired", "Please go back, reload the page and try again.")
}

/// The original as uploaded, as a download: never shown inline, never sniffed.
#[tracing::instrument(skip_all)]
pub async fn original(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, WebError> {
    let c = campaign(&state, &path.0).await?;
    let id: Uuid = path.1.parse().map_err(|_| WebError::NotFound)?;
    let mut conn = state.pool.get().await?;
    let (reply, bytes) = replies::original_of(&mut conn, c.id, id).await?.ok_or(WebError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type(reply.content_type)
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{}\"", reply.file_name)))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Content-Security-Policy", "default-src 'none'; sandbox"))
        .body(bytes))
}
