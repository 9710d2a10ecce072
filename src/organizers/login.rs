//! Signing in: throttle, check the password, open a new session.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use diesel_async::AsyncPgConnection;

use super::session::start_session;
use super::{LoginThrottle, Organizer, OrganizerEmail, find_by_email, password};

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

/// Returns the organizer and the id of their new session.
#[tracing::instrument(skip_all)]
pub async fn log_in(
    conn: &mut AsyncPgConnection,
    throttle: &LoginThrottle,
    email: &str,
    password: String,
    client: Option<IpAddr>,
    now: DateTime<Utc>,
) -> Result<(Organizer, String), LoginError> {
    if let Some(wait) = throttle.wait(email, client, now) {
        tracing::warn!(client = ?client, "login throttled");
        return Err(LoginError::Throttled(wait));
    }
    let found = match OrganizerEmail::parse(email) {
        Ok(email) => find_by_email(conn, &email).await.map_err(anyhow::Error::from)?,
        Err(_) => None,
    };
    let stored = found.as_ref().map(|(_, hash)| hash.clone());
    let ok = tokio::task::spawn_blocking(move || password::verify(&password, stored.as_deref()))
        .await
        .map_err(anyhow::Error::from)?;
    let organizer = match (ok, found) {
        (true, Some((organizer, _))) => organizer,
        _ => {
            throttle.failed(email, client, now);
            tracing::info!(client = ?client, "login failed");
            return Err(LoginError::WrongCredentials);
        }
    };
    throttle.succeeded(email);
    let session = start_session(conn, &organizer, now).await.map_err(anyhow::Error::from)?;
    tracing::info!(organizer = %organizer.id, "organizer signed in");
    Ok((organizer, session))
}
