//! Signing limits, per client address for the forms (`RALLYPOST_SIGN_RATE`) and per API
//! token for the write API (`RALLYPOST_API_SIGN_RATE`): every configured window must allow
//! the request.

use std::hash::Hash;
use std::net::IpAddr;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::RateLimit;

/// Keyed by `K`: a client's address, or an API token's hash.
pub struct SignLimiter<K: Hash + Eq + Clone = IpAddr> {
    limiters: Vec<DefaultKeyedRateLimiter<K>>,
    /// Made once: making one calibrates the CPU's clock, which a profile of signing found
    /// costing several percent when it was made per request.
    clock: DefaultClock,
}

impl<K: Hash + Eq + Clone> SignLimiter<K> {
    pub fn new(limits: &[RateLimit]) -> Self {
        let limiters = limits
            .iter()
            .map(|limit| {
                let every = limit.period / limit.count.get();
                let quota = Quota::with_period(every.max(Duration::from_nanos(1)))
                    .expect("a positive period")
                    .allow_burst(limit.count);
                RateLimiter::keyed(quota)
            })
            .collect();
        SignLimiter { limiters, clock: DefaultClock::default() }
    }

    /// `Err(wait)` when the client must wait before signing again.
    pub fn check(&self, key: K) -> Result<(), Duration> {
        for limiter in &self.limiters {
            if let Err(not_until) = limiter.check_key(&key) {
                return Err(not_until.wait_time_from(self.clock.now()));
            }
        }
        Ok(())
    }

    /// Forgets clients that have been quiet; called now and then to keep memory flat.
    pub fn forget_idle(&self) {
        for limiter in &self.limiters {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroU32;

    use super::*;

    #[test]
    fn a_burst_beyond_the_limit_must_wait() {
        let limiter: SignLimiter = SignLimiter::new(&[RateLimit {
            count: NonZeroU32::new(3).unwrap(),
            period: Duration::from_secs(60),
        }]);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..3 {
            assert!(limiter.check(ip).is_ok());
        }
        let wait = limiter.check(ip).unwrap_err();
        assert!(wait > Duration::from_secs(10) && wait <= Duration::from_secs(20));
        assert!(limiter.check("192.0.2.2".parse().unwrap()).is_ok());
    }
}
