//! API tokens: printed once by `rallypost organizer token`, kept only as SHA-256. Each
//! expires (90 days unless `--expires` says otherwise), ends with its organizer (removal,
//! a new password) or with `organizer token revoke`, and records its last use for the
//! admin page.
//!
//! The last use is written at most once a minute per token: an API client paging through
//! signatures makes many requests a minute, and a write for each would turn every read of
//! the API into a row update (and a dead tuple) on `api_tokens`.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::Organizer;
use crate::crypto::secret;
use crate::db::schema::{api_tokens, organizers};

/// How long a token lasts when `--expires` is not given.
pub const DEFAULT_TOKEN_DAYS: u32 = 90;
/// The longest `--expires` accepts: ten years.
pub const MAX_TOKEN_DAYS: u32 = 3650;
/// A token's last use is written again only when the stored one is older than this.
const LAST_USE_GRANULARITY: Duration = Duration::minutes(1);

/// Makes a new token for the organizer, valid for `DEFAULT_TOKEN_DAYS`, and returns it; it
/// cannot be shown again.
pub async fn issue_token(
    conn: &mut AsyncPgConnection,
    organizer: &Organizer,
    now: DateTime<Utc>,
) -> QueryResult<String> {
    issue_token_for_days(conn, organizer, DEFAULT_TOKEN_DAYS, now).await
}

/// Makes a new token valid for `days` (at most `MAX_TOKEN_DAYS`) and returns it.
pub async fn issue_token_for_days(
    conn: &mut AsyncPgConnection,
    organizer: &Organizer,
    days: u32,
    now: DateTime<Utc>,
) -> QueryResult<String> {
    let days = days.min(MAX_TOKEN_DAYS);
    let token = secret::generate();
    diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::token_hash.eq(secret::digest(&token)),
            api_tokens::organizer_id.eq(organizer.id),
            api_tokens::created_at.eq(now),
            api_tokens::expires_at.eq(now + Duration::days(days.into())),
        ))
        .execute(conn)
        .await?;
    Ok(token)
}

/// The organizer holding this token, if it exists and has not expired; records the use.
pub async fn find_by_token(
    conn: &mut AsyncPgConnection,
    token: &str,
    now: DateTime<Utc>,
) -> QueryResult<Option<Organizer>> {
    if !secret::is_well_formed(token) {
        return Ok(None);
    }
    let hash = secret::digest(token);
    let found: Option<(Organizer, Option<DateTime<Utc>>)> = api_tokens::table
        .inner_join(organizers::table)
        .filter(api_tokens::token_hash.eq(&hash))
        .filter(api_tokens::expires_at.gt(now))
        .filter(organizers::disabled_at.is_null())
        .select((Organizer::as_select(), api_tokens::last_used_at))
        .first(conn)
        .await
        .optional()?;
    let Some((organizer, last_used)) = found else {
        return Ok(None);
    };
    if last_used.is_none_or(|at| now - at >= LAST_USE_GRANULARITY) {
        diesel::update(api_tokens::table.find(&hash))
            .set(api_tokens::last_used_at.eq(now))
            .execute(conn)
            .await?;
    }
    Ok(Some(organizer))
}

/// Ends every token of the organizer; returns how many there were.
pub async fn revoke_tokens(conn: &mut AsyncPgConnection, organizer_id: Uuid) -> QueryResult<usize> {
    diesel::delete(api_tokens::table.filter(api_tokens::organizer_id.eq(organizer_id))).execute(conn).await
}

/// A token as its organizer sees it on the admin page: never the token itself.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
pub struct TokenInfo {
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// The organizer's tokens, newest first, expired ones included (until they are revoked).
pub async fn tokens_of(conn: &mut AsyncPgConnection, organizer_id: Uuid) -> QueryResult<Vec<TokenInfo>> {
    api_tokens::table
        .filter(api_tokens::organizer_id.eq(organizer_id))
        .order(api_tokens::created_at.desc())
        .select(TokenInfo::as_select())
        .load(conn)
        .await
}
