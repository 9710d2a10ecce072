//! API tokens: printed once by `rallypost organizer token`, kept only as SHA-256.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::Organizer;
use crate::crypto::secret;
use crate::db::schema::{api_tokens, organizers};

/// Makes a new token for the organizer and returns it; it cannot be shown again.
pub async fn issue_token(
    conn: &mut AsyncPgConnection,
    organizer: &Organizer,
    now: DateTime<Utc>,
) -> QueryResult<String> {
    let token = secret::generate();
    diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::token_hash.eq(secret::digest(&token)),
            api_tokens::organizer_id.eq(organizer.id),
            api_tokens::created_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(token)
}

pub async fn find_by_token(conn: &mut AsyncPgConnection, token: &str) -> QueryResult<Option<Organizer>> {
    if !secret::is_well_formed(token) {
        return Ok(None);
    }
    api_tokens::table
        .inner_join(organizers::table)
        .filter(api_tokens::token_hash.eq(secret::digest(token)))
        .select(Organizer::as_select())
        .first(conn)
        .await
        .optional()
}
