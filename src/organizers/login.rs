//! Signing in: throttle, check the password, open a new session.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};

use super::session::start_session;
use super::throttle::{self, Keys};
use super::{Organizer, OrganizerEmail, find_by_email, password};

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
    email: &str,
    password: String,
    client: Option<IpAddr>,
    now: DateTime<Utc>,
) -> Result<(Organizer, String), LoginError> {
    let keys = Keys::new(email, client);
    // One transaction: the throttle's rows stay locked while the password is checked, so
    // attempts for the same account or from the same client take turns (see `throttle`).
    let checked: Result<Organizer, LoginError> = conn
        .transaction(async |conn| {
            if let Some(wait) = throttle::begin_attempt(conn, &keys, now).await? {
                tracing::warn!("login throttled");
                return Ok(Err(LoginError::Throttled(wait)));
            }
            let found = match OrganizerEmail::parse(email) {
                Ok(email) => find_by_email(conn, &email).await?,
                Err(_) => None,
            };
            let stored = found.as_ref().map(|(_, hash)| hash.clone());
            let ok =
                tokio::task::spawn_blocking(move || password::verify(&password, stored.as_deref())).await?;
            match (ok, found) {
                (true, Some((organizer, _))) => {
                    throttle::succeeded(conn, &keys).await?;
                    Ok(Ok(organizer))
                }
                _ => {
                    throttle::failed(conn, &keys, now).await?;
                    tracing::info!("login failed");
                    Ok(Err(LoginError::WrongCredentials))
                }
            }
        })
        .await
        .map_err(|e: anyhow::Error| LoginError::Unexpected(e))?;
    let organizer = checked?;
    let session = start_session(conn, &organizer, now).await.map_err(anyhow::Error::from)?;
    tracing::info!(organizer = %organizer.id, "organizer signed in");
    Ok((organizer, session))
}
