//! `GET /admin/tokens`: the signed-in organizer's API tokens, when each was made, when it
//! expires and when it was last used, so that a forgotten or leaked one stands out. The
//! tokens themselves are never shown again; `rallypost organizer token revoke` ends them.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};

use super::render;
use crate::organizers::{self, Session};
use crate::web::AppState;
use crate::web::errors::WebError;

pub struct TokenLine {
    made: String,
    expires: String,
    expired: bool,
    last_used: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/tokens.html")]
struct TokensPage {
    who: String,
    csrf_token: String,
    tokens: Vec<TokenLine>,
}

fn minute(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

#[tracing::instrument(skip_all)]
pub async fn index(
    state: web::Data<AppState>,
    session: web::ReqData<Session>,
) -> Result<HttpResponse, WebError> {
    let mut conn = state.pool.get().await?;
    let now = state.clock.now();
    let tokens = organizers::tokens_of(&mut conn, session.organizer.id)
        .await?
        .into_iter()
        .map(|t| TokenLine {
            made: minute(t.created_at),
            expires: t.expires_at.format("%Y-%m-%d").to_string(),
            expired: t.expires_at <= now,
            last_used: t.last_used_at.map(minute),
        })
        .collect();
    let page =
        TokensPage { who: session.organizer.email.clone(), csrf_token: session.csrf_token.clone(), tokens };
    Ok(render(StatusCode::OK, &page))
}
