//! `GET /invitation/{token}`: the form on which an invited organizer chooses a password,
//! in the language the invitation names; `POST` sets it and spends the link. The token in
//! the path is the credential (a 256-bit secret, sent only to the invited address), so the
//! form needs no cookie. The path is outside `/admin`: the invited person has no session.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::AppState;
use super::body::Body;
use super::errors::WebError;
use super::form;
use super::pages::{Chrome, MessagePage, pick_lang, render};
use crate::domain::Lang;
use crate::organizers::{self, InvitationError, Password, PasswordError};

#[derive(Template)]
#[template(path = "pages/invitation.html")]
struct InvitationPage {
    page: Chrome,
    action: String,
    email: String,
    error: Option<String>,
}

fn action(token: &str) -> String {
    format!(
        "/invitation/{}",
        percent_encoding::utf8_percent_encode(token, percent_encoding::NON_ALPHANUMERIC)
    )
}

pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let lang = pick_lang(&req, Lang::En);
    let mut conn = state.pool.get().await?;
    match organizers::open_invitation(&mut conn, &token, state.clock.now()).await {
        Ok(organizer) => {
            let page = InvitationPage {
                page: Chrome::new(&req, lang),
                action: action(&token),
                email: organizer.email,
                error: None,
            };
            Ok(render(StatusCode::OK, &page))
        }
        Err(InvitationError::Invalid) => Ok(invalid(lang)),
        Err(InvitationError::Unexpected(e)) => Err(e.into()),
    }
}

pub async fn accept(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, WebError> {
    let lang = pick_lang(&req, Lang::En);
    let fields = form::fields(&req, &body).map_err(|_| {
        WebError::BadRequest("Please send the form as application/x-www-form-urlencoded UTF-8 text.".into())
    })?;
    let field = |name: &str| fields.get(name).cloned().unwrap_or_default();
    let mut conn = state.pool.get().await?;
    let now = state.clock.now();
    let organizer = match organizers::open_invitation(&mut conn, &token, now).await {
        Ok(organizer) => organizer,
        Err(InvitationError::Invalid) => return Ok(invalid(lang)),
        Err(InvitationError::Unexpected(e)) => return Err(e.into()),
    };
    let chrome = Chrome::plain(lang);
    let error = if field("password") != field("password_again") {
        Err(chrome.t("invitation-err-mismatch"))
    } else {
        Password::parse(field("password")).map_err(|e| match e {
            PasswordError::TooShort(_) => chrome.t("invitation-err-short"),
            PasswordError::TooLong(_) => chrome.t("invitation-err-long"),
        })
    };
    let password = match error {
        Ok(password) => password,
        Err(error) => {
            let page = InvitationPage {
                page: chrome,
                action: action(&token),
                email: organizer.email,
                error: Some(error),
            };
            return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    match organizers::accept_invitation(&mut conn, &token, password, now).await {
        Ok(organizer) => {
            tracing::info!(organizer = %organizer.id, "invitation accepted");
            let mut page = MessagePage::keyed(Chrome::plain(lang), "invitation-done");
            page.link = Some(("/admin/login".into(), page.page.t("invitation-sign-in")));
            Ok(render(StatusCode::OK, &page))
        }
        Err(InvitationError::Invalid) => Ok(invalid(lang)),
        Err(InvitationError::Unexpected(e)) => Err(e.into()),
    }
}

fn invalid(lang: Lang) -> HttpResponse {
    render(StatusCode::NOT_FOUND, &MessagePage::keyed(Chrome::plain(lang), "invitation-invalid"))
}
