//! The used form tokens (`embed_tokens_used`).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::token::{FormToken, TokenRefusal};
use crate::db::schema::embed_tokens_used;

/// Marks the token used; refuses it if it was used before. The row's primary key decides,
/// so of two requests racing with one token exactly one gets through.
pub async fn consume(
    conn: &mut AsyncPgConnection,
    token: FormToken,
) -> anyhow::Result<Result<(), TokenRefusal>> {
    let inserted = diesel::insert_into(embed_tokens_used::table)
        .values((embed_tokens_used::id.eq(token.id), embed_tokens_used::expires_at.eq(token.expires_at)))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(if inserted == 1 { Ok(()) } else { Err(TokenRefusal::Used) })
}

/// Forgets the tokens that have expired: they are refused for their time alone.
pub async fn purge_expired(conn: &mut AsyncPgConnection, now: DateTime<Utc>) -> anyhow::Result<usize> {
    Ok(diesel::delete(embed_tokens_used::table.filter(embed_tokens_used::expires_at.le(now)))
        .execute(conn)
        .await?)
}
