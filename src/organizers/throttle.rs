//! Slowing down password guessing: after a few failures, each further attempt for the same
//! account or from the same client must wait, twice as long each time (up to 15 minutes).
//! A browser that signed in to the account before (`device`) is counted by itself instead
//! of by the account, so that a stranger's failures cannot lock the organizer out.
//!
//! The failures live in PostgreSQL (`login_failures`), not in process memory, so that
//! several `serve` processes behind one address share them and a restart forgets nothing:
//! an in-memory count would give a guesser a fresh allowance on every process. One small
//! row per account and per client, keyed by a SHA-256 so the table holds no addresses; a
//! failure more than an hour after the previous one starts the count again (the window),
//! and idle rows are deleted by the server's housekeeping.
//!
//! An attempt locks its two rows for the length of the password check (`FOR UPDATE SKIP
//! LOCKED`): attempts for one account or from one client take turns, so a burst of parallel
//! guesses cannot all pass the check before the first failure is counted. A concurrent
//! attempt does not wait for the lock (it would hold a pooled connection while it waited);
//! it is told to retry in a second.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use diesel::QueryableByName;
use diesel::result::QueryResult;
use diesel::sql_types::{Array, Integer, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use sha2::{Digest, Sha256};

use super::device::KnownDevice;

const FREE_PER_ACCOUNT: i32 = 5;
const FREE_PER_DEVICE: i32 = 5;
const FREE_PER_CLIENT: i32 = 20;
const LONGEST_WAIT: Duration = Duration::minutes(15);
/// Failures further apart than this do not add up.
const WINDOW: Duration = Duration::hours(1);

/// The rows one attempt counts against: its account's (or, from a browser the account
/// knows, that browser's), and its client's when known.
pub struct Keys {
    subject: String,
    subject_free: i32,
    client: Option<String>,
}

fn digest(kind: &str, value: &str) -> String {
    format!("{kind}:{}", hex::encode(Sha256::digest(format!("{kind}:{value}").as_bytes())))
}

impl Keys {
    pub fn new(account: &str, client: Option<IpAddr>) -> Keys {
        Keys {
            subject: digest("account", &account.trim().to_lowercase()),
            subject_free: FREE_PER_ACCOUNT,
            client: client.map(|ip| digest("client", &ip.to_string())),
        }
    }

    /// An attempt from a browser that signed in to the account before: the account's
    /// failures do not stop it, its own do.
    pub fn for_device(device: &KnownDevice, client: Option<IpAddr>) -> Keys {
        Keys {
            subject: digest("device", device.id()),
            subject_free: FREE_PER_DEVICE,
            client: client.map(|ip| digest("client", &ip.to_string())),
        }
    }

    fn all(&self) -> Vec<String> {
        let mut all = vec![self.subject.clone()];
        all.extend(self.client.clone());
        all
    }
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = Integer)]
    failures: i32,
    #[diesel(sql_type = Timestamptz)]
    last_failure: DateTime<Utc>,
}

/// How long an attempt must still wait after `failures` failures, the last at `last`.
fn wait_after(failures: i32, free: i32, last: DateTime<Utc>, now: DateTime<Utc>) -> Option<Duration> {
    if now - last >= WINDOW {
        return None;
    }
    let over = failures.checked_sub(free).filter(|over| *over >= 0)?;
    let delay = Duration::seconds(1i64 << over.min(20)).min(LONGEST_WAIT);
    let left = last + delay - now;
    (left > Duration::zero()).then_some(left)
}

/// Starts an attempt inside the caller's transaction: locks the attempt's rows and says
/// how long it must wait first, if at all (then it must not check the password).
pub async fn begin_attempt(
    conn: &mut AsyncPgConnection,
    keys: &Keys,
    now: DateTime<Utc>,
) -> QueryResult<Option<Duration>> {
    let all = keys.all();
    diesel::sql_query(
        "insert into login_failures (key, failures, last_failure) \
         select unnest($1::text[]), 0, $2 on conflict (key) do nothing",
    )
    .bind::<Array<Text>, _>(&all)
    .bind::<Timestamptz, _>(now)
    .execute(conn)
    .await?;
    let rows: Vec<Row> = diesel::sql_query(
        "select key, failures, last_failure from login_failures where key = any($1) \
         order by key for update skip locked",
    )
    .bind::<Array<Text>, _>(&all)
    .load(conn)
    .await?;
    if rows.len() < all.len() {
        // Another attempt for this account or from this client is being checked.
        return Ok(Some(Duration::seconds(1)));
    }
    Ok(rows
        .iter()
        .filter_map(|row| {
            let free = if row.key == keys.subject { keys.subject_free } else { FREE_PER_CLIENT };
            wait_after(row.failures, free, row.last_failure, now)
        })
        .max())
}

pub async fn failed(conn: &mut AsyncPgConnection, keys: &Keys, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::sql_query(
        "update login_failures set \
           failures = case when last_failure <= $2 - $3 * interval '1 second' then 1 else failures + 1 end, \
           last_failure = $2 \
         where key = any($1)",
    )
    .bind::<Array<Text>, _>(keys.all())
    .bind::<Timestamptz, _>(now)
    .bind::<Integer, _>(WINDOW.num_seconds() as i32)
    .execute(conn)
    .await?;
    Ok(())
}

/// A correct password clears the account's (or the known browser's) failures, not the
/// client's: one valid account must not buy a client fresh guesses at the others.
pub async fn succeeded(conn: &mut AsyncPgConnection, keys: &Keys) -> QueryResult<()> {
    diesel::sql_query("delete from login_failures where key = $1")
        .bind::<Text, _>(&keys.subject)
        .execute(conn)
        .await?;
    Ok(())
}

/// Deletes rows whose failures no longer count, to keep the table small.
pub async fn forget_idle(conn: &mut AsyncPgConnection, now: DateTime<Utc>) -> QueryResult<usize> {
    diesel::sql_query("delete from login_failures where last_failure < $1")
        .bind::<Timestamptz, _>(now - WINDOW)
        .execute(conn)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_failure_past_the_free_ones_doubles_the_wait_up_to_fifteen_minutes() {
        let now = Utc::now();
        assert_eq!(wait_after(4, 5, now, now), None);
        assert_eq!(wait_after(5, 5, now, now), Some(Duration::seconds(1)));
        assert_eq!(wait_after(6, 5, now, now), Some(Duration::seconds(2)));
        assert_eq!(wait_after(7, 5, now, now + Duration::seconds(1)), Some(Duration::seconds(3)));
        assert_eq!(wait_after(6, 5, now, now + Duration::seconds(2)), None);
        assert_eq!(wait_after(40, 5, now, now), Some(LONGEST_WAIT));
        assert_eq!(wait_after(40, 5, now, now + WINDOW), None);
    }

    #[test]
    fn keys_hold_no_address_and_ignore_case_and_spaces() {
        let a = Keys::new(" A@Example.org ", Some("192.0.2.7".parse().unwrap()));
        let b = Keys::new("a@example.org", None);
        assert_eq!(a.subject, b.subject);
        assert!(!a.subject.contains("example"));
        assert!(!a.client.as_deref().unwrap().contains("192.0.2.7"));
        assert_eq!(a.all().len(), 2);
        assert_eq!(b.all().len(), 1);
    }
}
