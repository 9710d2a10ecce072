//! Signing in and out. The sign-in form is protected by the public form's signed
//! double-submit cookie (there is no session yet); logout by the session's own token.

use actix_web::cookie::{Cookie, SameSite, time};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use subtle::ConstantTimeEq;

use super::{SESSION_COOKIE, render};
use crate::organizers::{self, LoginError, SESSION_LIFETIME, Session};
use crate::web::AppState;
use crate::web::client_ip::client_ip;
use crate::web::errors::WebError;

#[derive(Template)]
#[template(path = "admin/login.html")]
struct LoginPage<'a> {
    csrf_token: &'a str,
    email: &'a str,
    error: Option<&'a str>,
}

fn login_page(
    req: &HttpRequest,
    state: &AppState,
    status: StatusCode,
    email: &str,
    error: Option<&str>,
) -> HttpResponse {
    let (value, cookie) = state.csrf.cookie_value(req);
    let token = state.csrf.token_for(&value);
    let mut response = render(status, &LoginPage { csrf_token: &token, email, error });
    if let Some(cookie) = cookie {
        let _ = response.add_cookie(&cookie);
    }
    response
}

pub async fn form(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    login_page(&req, &state, StatusCode::OK, "", None)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf_token: String,
}

#[tracing::instrument(skip_all)]
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    if !state.csrf.verify(&req, &form.csrf_token) {
        let msg = "This form expired. Please sign in again.";
        return Ok(login_page(&req, &state, StatusCode::FORBIDDEN, &form.email, Some(msg)));
    }
    let client = client_ip(&req, &state.settings.trusted_proxies);
    let mut conn = state.pool.get().await?;
    let result = organizers::log_in(&mut conn, &form.email, form.password, client, state.clock.now()).await;
    let session_id = match result {
        Ok((_, session_id)) => session_id,
        Err(LoginError::WrongCredentials) => {
            let msg = "Wrong email or password.";
            return Ok(login_page(&req, &state, StatusCode::UNAUTHORIZED, &form.email, Some(msg)));
        }
        Err(LoginError::Throttled(wait)) => {
            let msg = "Too many failed attempts. Please wait a little and try again.";
            let mut response =
                login_page(&req, &state, StatusCode::TOO_MANY_REQUESTS, &form.email, Some(msg));
            response
                .headers_mut()
                .insert(actix_web::http::header::RETRY_AFTER, wait.num_seconds().max(1).into());
            return Ok(response);
        }
        Err(LoginError::Unexpected(e)) => return Err(e.into()),
    };
    // Whatever session id the browser brought is dropped, not promoted.
    if let Some(old) = req.cookie(SESSION_COOKIE) {
        organizers::end_session(&mut conn, old.value()).await?;
    }
    Ok(HttpResponse::SeeOther()
        .insert_header(("Location", "/admin"))
        .cookie(session_cookie(&state, session_id))
        .finish())
}

fn session_cookie(state: &AppState, value: String) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, value)
        .path("/admin")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.settings.secure_cookies())
        .max_age(time::Duration::seconds(SESSION_LIFETIME.num_seconds()))
        .finish()
}

#[derive(Deserialize)]
pub struct LogoutForm {
    #[serde(default)]
    csrf_token: String,
}

/// True when `given` is the session's CSRF token; compared in constant time.
pub fn csrf_matches(session: &Session, given: &str) -> bool {
    bool::from(session.csrf_token.as_bytes().ct_eq(given.as_bytes()))
}

pub async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: web::ReqData<Session>,
    form: web::Form<LogoutForm>,
) -> Result<HttpResponse, WebError> {
    if !csrf_matches(&session, &form.csrf_token) {
        return Ok(super::message(
            StatusCode::FORBIDDEN,
            "Form expired",
            "Please go back, reload the page and try again.",
        ));
    }
    if let Some(cookie) = req.cookie(SESSION_COOKIE) {
        let mut conn = state.pool.get().await?;
        organizers::end_session(&mut conn, cookie.value()).await?;
    }
    let mut gone = session_cookie(&state, String::new());
    gone.make_removal();
    Ok(HttpResponse::SeeOther().insert_header(("Location", "/admin/login")).cookie(gone).finish())
}
