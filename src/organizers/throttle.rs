//! Slowing down password guessing: after a few failures, each further attempt for the same
//! account or from the same client must wait, twice as long each time (up to 15 minutes).
//! Kept in memory: per process, which is enough to make guessing slow; a restart forgets.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

const FREE_PER_ACCOUNT: u32 = 5;
const FREE_PER_CLIENT: u32 = 20;
const LONGEST_WAIT: Duration = Duration::minutes(15);

#[derive(Default)]
pub struct LoginThrottle(Mutex<HashMap<Key, Failures>>);

#[derive(Clone, PartialEq, Eq, Hash)]
enum Key {
    // The digest, so that the map holds no addresses.
    Account([u8; 32]),
    Client(IpAddr),
}

struct Failures {
    count: u32,
    last: DateTime<Utc>,
}

fn keys(account: &str, client: Option<IpAddr>) -> Vec<(Key, u32)> {
    let mut keys = vec![(
        Key::Account(Sha256::digest(account.trim().to_lowercase().as_bytes()).into()),
        FREE_PER_ACCOUNT,
    )];
    if let Some(ip) = client {
        keys.push((Key::Client(ip), FREE_PER_CLIENT));
    }
    keys
}

impl LoginThrottle {
    /// How long this attempt must wait, if at all.
    pub fn wait(&self, account: &str, client: Option<IpAddr>, now: DateTime<Utc>) -> Option<Duration> {
        let map = self.0.lock().unwrap();
        keys(account, client)
            .iter()
            .filter_map(|(key, free)| {
                let failures = map.get(key)?;
                let over = failures.count.checked_sub(*free)?;
                let delay = Duration::seconds(1i64 << over.min(20)).min(LONGEST_WAIT);
                let left = failures.last + delay - now;
                (left > Duration::zero()).then_some(left)
            })
            .max()
    }

    pub fn failed(&self, account: &str, client: Option<IpAddr>, now: DateTime<Utc>) {
        let mut map = self.0.lock().unwrap();
        for (key, _) in keys(account, client) {
            let entry = map.entry(key).or_insert(Failures { count: 0, last: now });
            entry.count += 1;
            entry.last = now;
        }
    }

    /// A correct password clears the account's failures, not the client's: one valid
    /// account must not buy a client fresh guesses at the others.
    pub fn succeeded(&self, account: &str) {
        let mut map = self.0.lock().unwrap();
        for (key, _) in keys(account, None) {
            map.remove(&key);
        }
    }

    /// Forgets failures older than the longest wait, to keep memory flat.
    pub fn forget_idle(&self, now: DateTime<Utc>) {
        self.0.lock().unwrap().retain(|_, f| now - f.last < LONGEST_WAIT * 4);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_failures_make_the_account_wait_longer_each_time() {
        let throttle = LoginThrottle::default();
        let now = Utc::now();
        let ip = Some("192.0.2.7".parse().unwrap());
        for _ in 0..FREE_PER_ACCOUNT {
            assert_eq!(throttle.wait("a@example.org", ip, now), None);
            throttle.failed("a@example.org", ip, now);
        }
        assert_eq!(throttle.wait("A@example.org ", None, now), Some(Duration::seconds(1)));
        throttle.failed("a@example.org", ip, now);
        assert_eq!(throttle.wait("a@example.org", None, now), Some(Duration::seconds(2)));
        assert_eq!(throttle.wait("b@example.org", None, now), None);
        assert_eq!(throttle.wait("a@example.org", None, now + Duration::seconds(3)), None);
        throttle.succeeded("a@example.org");
        assert_eq!(throttle.wait("a@example.org", None, now), None);
    }
}
