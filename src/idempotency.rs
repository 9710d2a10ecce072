//! `Idempotency-Key` for API writes: a client that lost an answer (a timeout, a dropped
//! connection) sends the same request with the same key again and gets the first answer
//! back, instead of a second write. Keys are per API token and kept `KEPT_FOR` (24 hours);
//! housekeeping deletes expired ones (`purge_expired`). This module knows no feature: it
//! stores a status and a JSON body, and the handler decides what they are.
//!
//! A key is claimed before the write and answered after it. A claim whose answer never
//! came (the process died in between) is taken over after `ABANDONED_AFTER`; the write it
//! guarded must be safe to repeat by itself (signing is: one row per address).

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use sha2::{Digest, Sha256};

use crate::db::schema::api_idempotency_keys as keys;

/// How long a key is remembered.
pub const KEPT_FOR: Duration = Duration::hours(24);
/// A claim not answered within this is taken to be abandoned: far longer than any write takes.
const ABANDONED_AFTER: Duration = Duration::minutes(2);
/// The longest key accepted (Stripe's limit; UUIDs and ULIDs fit with room to spare).
pub const MAX_KEY_LEN: usize = 255;

/// An `Idempotency-Key` header's value: 1 to 255 visible ASCII characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        if raw.is_empty() || raw.len() > MAX_KEY_LEN || !raw.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID, for example)");
        }
        Ok(IdempotencyKey(raw.to_owned()))
    }
}

impl AsRef<str> for IdempotencyKey {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// The fingerprint of a request: the same key for another request is refused.
pub fn fingerprint(parts: &[&[u8]]) -> Vec<u8> {
    let mut hash = Sha256::new();
    for part in parts {
        // Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part);
    }
    hash.finalize().to_vec()
}

/// What a claim found.
#[derive(Debug, PartialEq)]
pub enum Claim {
    /// The key is this request's now: do the write, then `answer` (or `release` on failure).
    New,
    /// The same request was answered before: send this again.
    Answered { status: u16, body: serde_json::Value },
    /// The key was used for a different request.
    OtherRequest,
    /// The first request with this key is still being answered.
    InProgress,
}

/// One key of one token, as the handler holds it between claim and answer.
pub struct Slot<'a> {
    pub token_hash: &'a [u8],
    pub key: &'a IdempotencyKey,
}

#[derive(Queryable)]
struct Stored {
    request_sha256: Vec<u8>,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    response_status: Option<i16>,
    response_body: Option<serde_json::Value>,
}

/// Claims the key for the request with `request_sha256`, or says why not.
pub async fn claim(
    conn: &mut AsyncPgConnection,
    slot: &Slot<'_>,
    request_sha256: &[u8],
    now: DateTime<Utc>,
) -> QueryResult<Claim> {
    let (token_hash, key) = (slot.token_hash, slot.key.as_ref());
    conn.transaction(async move |conn| {
        let found: Option<Stored> = keys::table
            .find((token_hash, key))
            .select((
                keys::request_sha256,
                keys::created_at,
                keys::expires_at,
                keys::response_status,
                keys::response_body,
            ))
            .for_update()
            .first(conn)
            .await
            .optional()?;
        let claim_it = (
            keys::request_sha256.eq(request_sha256),
            keys::created_at.eq(now),
            keys::expires_at.eq(now + KEPT_FOR),
            keys::response_status.eq(None::<i16>),
            keys::response_body.eq(None::<serde_json::Value>),
        );
        let Some(stored) = found else {
            // A request with the same key racing this one waits here for its commit, then
            // inserts nothing: the key is the other request's.
            let inserted = diesel::insert_into(keys::table)
                .values((keys::token_hash.eq(token_hash), keys::key.eq(key), claim_it))
                .on_conflict_do_nothing()
                .execute(conn)
                .await?;
            return Ok(if inserted == 1 { Claim::New } else { Claim::InProgress });
        };
        let expired = stored.expires_at <= now;
        let abandoned = stored.response_status.is_none() && now - stored.created_at >= ABANDONED_AFTER;
        if expired || (abandoned && stored.request_sha256 == request_sha256) {
            diesel::update(keys::table.find((token_hash, key))).set(claim_it).execute(conn).await?;
            return Ok(Claim::New);
        }
        if stored.request_sha256 != request_sha256 {
            return Ok(Claim::OtherRequest);
        }
        Ok(match (stored.response_status, stored.response_body) {
            (Some(status), Some(body)) => Claim::Answered { status: status as u16, body },
            _ => Claim::InProgress,
        })
    })
    .await
}

/// Stores the answer to the request that claimed the key.
pub async fn answer(
    conn: &mut AsyncPgConnection,
    slot: &Slot<'_>,
    status: u16,
    body: &serde_json::Value,
) -> QueryResult<()> {
    diesel::update(keys::table.find((slot.token_hash, slot.key.as_ref())))
        .set((keys::response_status.eq(status as i16), keys::response_body.eq(body)))
        .execute(conn)
        .await?;
    Ok(())
}

/// Gives the key up after the write failed, so that the client's retry is tried afresh.
pub async fn release(conn: &mut AsyncPgConnection, slot: &Slot<'_>) -> QueryResult<()> {
    diesel::delete(
        keys::table.find((slot.token_hash, slot.key.as_ref())).filter(keys::response_status.is_null()),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets the keys older than `KEPT_FOR`; returns how many.
pub async fn purge_expired(conn: &mut AsyncPgConnection, now: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(keys::table.filter(keys::expires_at.le(now))).execute(conn).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_one_to_255_visible_ascii_characters() {
        assert!(IdempotencyKey::parse("0190f4a2-7c1e-7d4b-9a1c-2f3e4d5c6b7a").is_ok());
        assert!(IdempotencyKey::parse(&"k".repeat(255)).is_ok());
        for bad in ["", " ", "a b", "ключ", "a\tb", &"k".repeat(256)] {
            assert!(IdempotencyKey::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn fingerprints_tell_apart_parts_that_join_to_the_same_bytes() {
        assert_ne!(fingerprint(&[b"ab", b"c"]), fingerprint(&[b"a", b"bc"]));
        assert_eq!(fingerprint(&[b"a", b"b"]), fingerprint(&[b"a", b"b"]));
    }
}
