//! Webhook receivers in the dashboard, for owners only (the guard lets no one else in,
//! `Need::Receivers`): the list with what each has pending, delivered and failed
//! (`/admin/webhooks`); adding one (POST there), whose signing secret the answer shows
//! once; removing one (`.../{id}/remove`); a receiver's delivery log (`.../{id}`) and
//! sending a delivery again with its webhook-id (`.../{id}/again/{delivery}`). Every POST
//! carries the session's CSRF token. The rules are the `webhooks` module's; this file
//! parses and shows.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use uuid::Uuid;

use super::login::csrf_matches;
use super::{form_refused, message, render};
use crate::organizers::{Session, Who};
use crate::outbox::{self, Kind, OutboxStatus};
use crate::web::AppState;
use crate::web::body::Body;
use crate::web::errors::WebError;
use crate::web::form;
use crate::webhooks::{self, AddError, NewReceiver, ReceiverUrl, Whose};

/// Deliveries a receiver's log shows, newest first.
const LOG_LENGTH: i64 = 100;
const TIME: &str = "%Y-%m-%d %H:%M:%S UTC";

pub struct ReceiverRow {
    id: Uuid,
    whose: String,
    url: String,
    added: String,
    pending: i64,
    delivered: i64,
    failed: i64,
}

/// A secret just made, shown on the page that answers the adding and never again.
pub struct NewSecret {
    receiver: Uuid,
    secret: String,
}

#[derive(Template)]
#[template(path = "admin/webhooks.html")]
struct ReceiversPage {
    who: String,
    csrf_token: String,
    error: Option<String>,
    added: Option<NewSecret>,
    receivers: Vec<ReceiverRow>,
    send_again_days: i64,
}

/// Deliveries per receiver (by its id) and status.
type Counts = HashMap<(String, OutboxStatus), i64>;

async fn counts(conn: &mut diesel_async::AsyncPgConnection) -> Result<Counts, WebError> {
    let mut counts = Counts::new();
    for (target, status, n) in outbox::counts_by_target(conn, Kind::Webhook).await? {
        *counts.entry((target.unwrap_or_default(), status)).or_default() += n;
    }
    Ok(counts)
}

fn row(receiver: webhooks::Receiver, counts: &Counts) -> ReceiverRow {
    let count = |status| counts.get(&(receiver.id.to_string(), status)).copied().unwrap_or(0);
    ReceiverRow {
        whose: receiver.whose().to_string(),
        added: receiver.created_at.format(TIME).to_string(),
        pending: count(OutboxStatus::Pending),
        delivered: count(OutboxStatus::Sent),
        failed: count(OutboxStatus::Failed),
        id: receiver.id,
        url: receiver.url,
    }
}

async fn list_page(
    state: &AppState,
    session: &Session,
    status: StatusCode,
    error: Option<String>,
    added: Option<NewSecret>,
) -> Result<HttpResponse, WebError> {
    let mut conn = state.pool.get().await?;
    let counts = counts(&mut conn).await?;
    let receivers = webhooks::list(&mut conn).await?.into_iter().map(|r| row(r, &counts)).collect();
    let page = ReceiversPage {
        who: session.organizer.email.clone(),
        csrf_token: session.csrf_token.clone(),
        error,
        added,
        receivers,
        send_again_days: webhooks::SEND_AGAIN_FOR.num_days(),
    };
    Ok(render(status, &page))
}

#[tracing::instrument(skip_all)]
pub async fn index(
    state: web::Data<AppState>,
    session: web::ReqData<Session>,
) -> Result<HttpResponse, WebError> {
    list_page(&state, &session, StatusCode::OK, None, None).await
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
        return Err(Box::new(message(
            StatusCode::FORBIDDEN,
            "Form expired",
            "Please go back, reload the page and try again.",
        )));
    }
    Ok(fields)
}

/// Whose supporters the form says the receiver gets: it must say, as on the command line.
fn whose(fields: &HashMap<String, String>) -> Result<Whose, String> {
    match field(fields, "whose") {
        "lead" => Ok(Whose::Lead),
        "partner" => Whose::partner(field(fields, "partner")).map_err(|e| format!("{e}.")),
        _ => Err("Choose whose supporters it gets: the lead organisation's or a partner's.".into()),
    }
}

#[tracing::instrument(skip_all)]
pub async fn add(
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
        list_page(&state, &session, StatusCode::UNPROCESSABLE_ENTITY, Some(error), None).await
    };
    let whose = match whose(&fields) {
        Ok(whose) => whose,
        Err(error) => return invalid(error).await,
    };
    let url = match ReceiverUrl::parse(field(&fields, "url")) {
        Ok(url) => url,
        Err(error) => return invalid(format!("{error}.")).await,
    };
    let who = Who::organizer(&session.organizer);
    let new = NewReceiver { whose: &whose, url: &url };
    let mut conn = state.pool.get().await?;
    let policy = state.settings.webhook_addresses;
    match webhooks::add_by(&mut conn, &state.keys, &who, new, policy, state.clock.now()).await {
        Ok((receiver, secret)) => {
            tracing::info!(receiver = %receiver.id, "webhook receiver added");
            let added = NewSecret { receiver: receiver.id, secret: secret.to_whsec() };
            list_page(&state, &session, StatusCode::OK, None, Some(added)).await
        }
        Err(AddError::Refused(error)) => invalid(format!("{error}.")).await,
        Err(AddError::Unexpected(e)) => Err(e.into()),
    }
}

/// The receiver a `/admin/webhooks/{id}/...` path names.
fn receiver_id(raw: &str) -> Result<Uuid, WebError> {
    Uuid::try_parse(raw).map_err(|_| WebError::NotFound)
}

#[tracing::instrument(skip_all)]
pub async fn remove(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: web::ReqData<Session>,
    id: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, WebError> {
    if let Err(refusal) = posted(&req, &body, &session) {
        return Ok(*refusal);
    }
    let id = receiver_id(&id)?;
    let who = Who::organizer(&session.organizer);
    let mut conn = state.pool.get().await?;
    if !webhooks::remove_by(&mut conn, &who, id, state.clock.now()).await? {
        return Err(WebError::NotFound);
    }
    Ok(HttpResponse::SeeOther().insert_header(("Location", "/admin/webhooks")).finish())
}

pub struct DeliveryRow {
    id: Uuid,
    event: String,
    status: &'static str,
    attempts: i32,
    last_error: String,
    queued: String,
    /// When it was delivered, or when it is tried next.
    when: String,
    can_send_again: bool,
}

#[derive(Template)]
#[template(path = "admin/webhook.html")]
struct LogPage {
    who: String,
    csrf_token: String,
    receiver: ReceiverRow,
    deliveries: Vec<DeliveryRow>,
    notice: Option<String>,
    send_again_days: i64,
}

async fn log_page(
    state: &AppState,
    session: &Session,
    id: Uuid,
    status: StatusCode,
    notice: Option<String>,
) -> Result<HttpResponse, WebError> {
    let mut conn = state.pool.get().await?;
    let receiver = webhooks::find(&mut conn, id).await?.ok_or(WebError::NotFound)?;
    let deliveries: Vec<DeliveryRow> = webhooks::deliveries(&mut conn, id, LOG_LENGTH)
        .await?
        .into_iter()
        .map(|d| DeliveryRow {
            event: d.event.unwrap_or_else(|| "(not recorded)".into()),
            status: match d.status {
                OutboxStatus::Pending if d.attempts == 0 => "queued",
                OutboxStatus::Pending => "retrying",
                OutboxStatus::Sent => "delivered",
                OutboxStatus::Failed => "failed",
            },
            attempts: d.attempts,
            last_error: d.last_error.unwrap_or_default(),
            queued: d.queued_at.format(TIME).to_string(),
            when: match (d.status, d.delivered_at) {
                (_, Some(at)) => format!("delivered {}", at.format(TIME)),
                (OutboxStatus::Pending, None) => format!("next attempt {}", d.next_attempt_at.format(TIME)),
                _ => String::new(),
            },
            can_send_again: d.can_send_again,
            id: d.id,
        })
        .collect();
    let receiver = row(receiver, &counts(&mut conn).await?);
    let page = LogPage {
        who: session.organizer.email.clone(),
        csrf_token: session.csrf_token.clone(),
        receiver,
        deliveries,
        notice,
        send_again_days: webhooks::SEND_AGAIN_FOR.num_days(),
    };
    Ok(render(status, &page))
}

#[tracing::instrument(skip_all)]
pub async fn log(
    state: web::Data<AppState>,
    session: web::ReqData<Session>,
    id: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    log_page(&state, &session, receiver_id(&id)?, StatusCode::OK, None).await
}

#[tracing::instrument(skip_all)]
pub async fn send_again(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: web::ReqData<Session>,
    path: web::Path<(String, String)>,
    body: Body,
) -> Result<HttpResponse, WebError> {
    if let Err(refusal) = posted(&req, &body, &session) {
        return Ok(*refusal);
    }
    let (id, delivery) = path.into_inner();
    let (id, delivery) = (receiver_id(&id)?, Uuid::try_parse(&delivery).map_err(|_| WebError::NotFound)?);
    let who = Who::organizer(&session.organizer);
    let mut conn = state.pool.get().await?;
    if webhooks::send_again(&mut conn, &who, id, delivery, state.clock.now()).await? {
        tracing::info!(receiver = %id, %delivery, "webhook queued again");
        let notice = format!("Webhook {delivery} is queued again, with the same webhook-id.");
        return log_page(&state, &session, id, StatusCode::OK, Some(notice)).await;
    }
    let notice = format!(
        "Webhook {delivery} cannot be sent again: it is still queued, or its body was erased \
         (a week after it was done with, or when the supporter withdrew)."
    );
    log_page(&state, &session, id, StatusCode::CONFLICT, Some(notice)).await
}
