//! Admin sessions, kept in PostgreSQL: the cookie carries a random id, the table its
//! SHA-256 and a CSRF token for the session's forms. Logout deletes the row.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::Organizer;
use crate::crypto::secret;
use crate::db::schema::{organizer_sessions, organizers};

/// Sessions end after a working day, however active; organizers sign in again.
pub const SESSION_LIFETIME: Duration = Duration::hours(12);

/// A signed-in organizer, as the admin handlers see them.
#[derive(Clone, Debug)]
pub struct Session {
    pub organizer: Organizer,
    pub csrf_token: String,
}

/// Opens a new session and returns its id, for the cookie. Always a new id: an id
/// planted in the browser before sign-in is never promoted (no session fixation).
pub async fn start_session(
    conn: &mut AsyncPgConnection,
    organizer: &Organizer,
    now: DateTime<Utc>,
) -> QueryResult<String> {
    let id = secret::generate();
    diesel::insert_into(organizer_sessions::table)
        .values((
            organizer_sessions::id_hash.eq(secret::digest(&id)),
            organizer_sessions::organizer_id.eq(organizer.id),
            organizer_sessions::csrf_token.eq(secret::generate()),
            organizer_sessions::created_at.eq(now),
            organizer_sessions::expires_at.eq(now + SESSION_LIFETIME),
        ))
        .execute(conn)
        .await?;
    // Expired rows of anyone are swept here, where sessions are made, so the table stays small.
    diesel::delete(organizer_sessions::table.filter(organizer_sessions::expires_at.le(now)))
        .execute(conn)
        .await?;
    Ok(id)
}

pub async fn find_session(
    conn: &mut AsyncPgConnection,
    id: &str,
    now: DateTime<Utc>,
) -> QueryResult<Option<Session>> {
    if !secret::is_well_formed(id) {
        return Ok(None);
    }
    let found = organizer_sessions::table
        .inner_join(organizers::table)
        .filter(organizer_sessions::id_hash.eq(secret::digest(id)))
        .filter(organizer_sessions::expires_at.gt(now))
        .filter(organizers::disabled_at.is_null())
        .select((Organizer::as_select(), organizer_sessions::csrf_token))
        .first::<(Organizer, String)>(conn)
        .await
        .optional()?;
    Ok(found.map(|(organizer, csrf_token)| Session { organizer, csrf_token }))
}

pub async fn end_session(conn: &mut AsyncPgConnection, id: &str) -> QueryResult<()> {
    if secret::is_well_formed(id) {
        diesel::delete(organizer_sessions::table.filter(organizer_sessions::id_hash.eq(secret::digest(id))))
            .execute(conn)
            .await?;
    }
    Ok(())
}
