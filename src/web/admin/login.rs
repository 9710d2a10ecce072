//! Signing in and out. The sign-in form is protected by the public form's signed
//! double-submit cookie (there is no session yet); logout by the session's own token.
//! A successful sign-in also leaves a device cookie, which spares this browser the
//! account's lockout next time (`organizers::Devices`); logout keeps it.

use actix_web::cookie::{Cookie, SameSite, time};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use subtle::ConstantTimeEq;

use super::{form_refused, render};
use crate::organizers::{self, LoginError, SESSION_LIFETIME, Session};
use crate::web::AppState;
use crate::web::body::Body;
use crate::web::client_ip::client_key;
use crate::web::errors::WebError;
use crate::web::form;

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

pub struct LoginForm {
    email: String,
    password: String,
    csrf_token: String,
}

#[tracing::instrument(skip_all)]
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Body,
) -> Result<HttpResponse, WebError> {
    let mut fields = match form::fields(&req, &body) {
        Ok(fields) => fields,
        Err(e) => return Ok(form_refused(e)),
    };
    let mut take = |name: &str| fields.remove(name).unwrap_or_default();
    let form = LoginForm { email: take("email"), password: take("password"), csrf_token: take("csrf_token") };
    if !state.csrf.verify(&req, &form.csrf_token) {
        let msg = "This form expired. Please sign in again.";
        return Ok(login_page(&req, &state, StatusCode::FORBIDDEN, &form.email, Some(msg)));
    }
    let device_cookie = req.cookie(state.cookie_names().device);
    let attempt = organizers::Attempt {
        email: &form.email,
        password: form.password,
        client: client_key(&req, &state.settings.trusted_proxies),
        device_cookie: device_cookie.as_ref().map(|c| c.value()),
    };
    let mut conn = state.pool.get().await?;
    let result = organizers::log_in(&mut conn, &state.devices, attempt, state.clock.now()).await;
    let signed_in = match result {
        Ok(signed_in) => signed_in,
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
    if let Some(old) = req.cookie(state.cookie_names().session) {
        organizers::end_session(&mut conn, old.value()).await?;
    }
    Ok(HttpResponse::SeeOther()
        .insert_header(("Location", "/admin"))
        .cookie(session_cookie(&state, signed_in.session))
        .cookie(device_cookie_for(&state, signed_in.device_cookie))
        .finish())
}

/// Only the sign-in form needs it; `Strict`, since the form posts from this site.
fn device_cookie_for(state: &AppState, value: String) -> Cookie<'static> {
    let names = state.cookie_names();
    Cookie::build(names.device, value)
        .path(names.device_path())
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.settings.secure_cookies())
        .max_age(time::Duration::seconds(organizers::DEVICE_LIFETIME.num_seconds()))
        .finish()
}

fn session_cookie(state: &AppState, value: String) -> Cookie<'static> {
    let names = state.cookie_names();
    Cookie::build(names.session, value)
        .path(names.session_path())
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.settings.secure_cookies())
        .max_age(time::Duration::seconds(SESSION_LIFETIME.num_seconds()))
        .finish()
}

/// True when `given` is the session's CSRF token; compared in constant time.
pub fn csrf_matches(session: &Session, given: &str) -> bool {
    bool::from(session.csrf_token.as_bytes().ct_eq(given.as_bytes()))
}

pub async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: web::ReqData<Session>,
    body: Body,
) -> Result<HttpResponse, WebError> {
    let fields = match form::fields(&req, &body) {
        Ok(fields) => fields,
        Err(e) => return Ok(form_refused(e)),
    };
    if !csrf_matches(&session, fields.get("csrf_token").map_or("", String::as_str)) {
        return Ok(super::message(
            StatusCode::FORBIDDEN,
            "Form expired",
            "Please go back, reload the page and try again.",
        ));
    }
    if let Some(cookie) = req.cookie(state.cookie_names().session) {
        let mut conn = state.pool.get().await?;
        organizers::end_session(&mut conn, cookie.value()).await?;
    }
    let mut gone = session_cookie(&state, String::new());
    gone.make_removal();
    Ok(HttpResponse::SeeOther().insert_header(("Location", "/admin/login")).cookie(gone).finish())
}
