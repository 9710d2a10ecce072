//! Organizer accounts: one row per organizer, found by email.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::Password;
use crate::db::schema::{organizer_sessions, organizers};

/// An organizer's address, trimmed and lower-cased so that sign-in ignores case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrganizerEmail(String);

impl OrganizerEmail {
    pub fn parse(raw: &str) -> Result<OrganizerEmail, String> {
        let email = raw.trim().to_lowercase();
        if email.len() > 254 || lettre::Address::from_str(&email).is_err() {
            return Err("not a valid email address".into());
        }
        Ok(OrganizerEmail(email))
    }
}

impl AsRef<str> for OrganizerEmail {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Who is signed in or holds a token. The email is shown to the organizer and written
/// into the export log; it is staff data, not a supporter's.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = organizers)]
pub struct Organizer {
    pub id: Uuid,
    pub email: String,
}

/// Creates the organizer, or sets a new password for an existing one. Returns true
/// when the account is new.
///
/// A new password ends every session and API token the organizer had: a password is
/// usually changed because the old one may be known to someone else, who may also have
/// opened a session or made a token with it. (Their known browsers' device cookies end
/// too, since those are bound to the password hash: see `device`.)
pub async fn add_or_update(
    conn: &mut AsyncPgConnection,
    email: &OrganizerEmail,
    password: Password,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let hash = tokio::task::spawn_blocking(move || password.hash()).await??;
    let created = conn
        .transaction(async |conn| match find_by_email(conn, email).await? {
            Some((organizer, _)) => {
                diesel::update(organizers::table.find(organizer.id))
                    .set(organizers::password_hash.eq(&hash))
                    .execute(conn)
                    .await?;
                end_access(conn, organizer.id).await?;
                QueryResult::Ok(false)
            }
            None => {
                diesel::insert_into(organizers::table)
                    .values((
                        organizers::id.eq(crate::ids::new_id()),
                        organizers::email.eq(email.as_ref()),
                        organizers::password_hash.eq(&hash),
                        organizers::created_at.eq(now),
                    ))
                    .execute(conn)
                    .await?;
                Ok(true)
            }
        })
        .await?;
    Ok(created)
}

/// Removes the organizer; their sessions and tokens go with them (`on delete cascade`),
/// and the export log keeps who they were by name. False when there was no such organizer.
pub async fn remove(conn: &mut AsyncPgConnection, email: &OrganizerEmail) -> QueryResult<bool> {
    let removed =
        diesel::delete(organizers::table.filter(organizers::email.eq(email.as_ref()))).execute(conn).await?;
    Ok(removed > 0)
}

/// Ends every session and API token of the organizer.
async fn end_access(conn: &mut AsyncPgConnection, organizer_id: Uuid) -> QueryResult<()> {
    diesel::delete(organizer_sessions::table.filter(organizer_sessions::organizer_id.eq(organizer_id)))
        .execute(conn)
        .await?;
    super::token::revoke_tokens(conn, organizer_id).await?;
    Ok(())
}

/// The organizer and their password hash.
pub async fn find_by_email(
    conn: &mut AsyncPgConnection,
    email: &OrganizerEmail,
) -> QueryResult<Option<(Organizer, String)>> {
    organizers::table
        .filter(organizers::email.eq(email.as_ref()))
        .select((Organizer::as_select(), organizers::password_hash))
        .first(conn)
        .await
        .optional()
}
