//! Signing in: throttle, check the password, open a new session, remember the browser.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};

use super::account::find_enabled_by_email;
use super::audit::{self, AuditAction, Entry, Who};
use super::device::Devices;
use super::session::start_session;
use super::throttle::{self, Keys};
use super::{Organizer, OrganizerEmail, password};

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("too many failed attempts")]
    Throttled(Duration),
    // One answer for an unknown account and a wrong password: no account enumeration.
    #[error("wrong email or password")]
    WrongCredentials,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// What the sign-in form sent, and from where.
pub struct Attempt<'a> {
    pub email: &'a str,
    pub password: String,
    pub client: Option<IpAddr>,
    /// The browser's device cookie, if it brought one (see `device`).
    pub device_cookie: Option<&'a str>,
}

pub struct SignedIn {
    pub organizer: Organizer,
    /// For the session cookie.
    pub session: String,
    /// A fresh device cookie for this browser.
    pub device_cookie: String,
}

#[tracing::instrument(skip_all)]
pub async fn log_in(
    conn: &mut AsyncPgConnection,
    devices: &Devices,
    attempt: Attempt<'_>,
    now: DateTime<Utc>,
) -> Result<SignedIn, LoginError> {
    let found = match OrganizerEmail::parse(attempt.email) {
        Ok(email) => find_enabled_by_email(conn, &email).await.map_err(anyhow::Error::from)?,
        Err(_) => None,
    };
    let known_device = found
        .as_ref()
        .zip(attempt.device_cookie)
        .and_then(|((organizer, hash), cookie)| devices.recognise(cookie, organizer.id, hash, now));
    let keys = match &known_device {
        Some(device) => Keys::for_device(device, attempt.client),
        None => Keys::new(attempt.email, attempt.client),
    };
    let password = attempt.password;
    // A failed sign-in is logged against an account that exists, and never the address typed.
    let account = found.as_ref().map(|(organizer, _)| Who::organizer(organizer));
    // One transaction: the throttle's rows stay locked while the password is checked, so
    // attempts for the same account or from the same client take turns (see `throttle`).
    let checked: Result<(Organizer, String), LoginError> = conn
        .transaction(async |conn| {
            if let Some(wait) = throttle::begin_attempt(conn, &keys, now).await? {
                tracing::warn!(known_browser = known_device.is_some(), "login throttled");
                return Ok(Err(LoginError::Throttled(wait)));
            }
            let stored = found.as_ref().map(|(_, hash)| hash.clone());
            let ok =
                tokio::task::spawn_blocking(move || password::verify(&password, stored.as_deref())).await?;
            match (ok, found) {
                (true, Some(found)) => {
                    throttle::succeeded(conn, &keys).await?;
                    Ok(Ok(found))
                }
                _ => {
                    throttle::failed(conn, &keys, now).await?;
                    if let Some(who) = &account {
                        let entry =
                            Entry { who, action: AuditAction::SignInFailed, subject: None, detail: "" };
                        audit::record(conn, entry, now).await?;
                    }
                    tracing::info!(known_browser = known_device.is_some(), "login failed");
                    Ok(Err(LoginError::WrongCredentials))
                }
            }
        })
        .await
        .map_err(|e: anyhow::Error| LoginError::Unexpected(e))?;
    let (organizer, hash) = checked?;
    let session = start_session(conn, &organizer, now).await.map_err(anyhow::Error::from)?;
    let entry =
        Entry { who: &Who::organizer(&organizer), action: AuditAction::SignIn, subject: None, detail: "" };
    audit::record(conn, entry, now).await.map_err(anyhow::Error::from)?;
    tracing::info!(organizer = %organizer.id, "organizer signed in");
    let device_cookie = devices.issue(organizer.id, &hash, now);
    Ok(SignedIn { organizer, session, device_cookie })
}
