//! How many rows a lane claims at once. Each claim costs a round of statements whatever
//! its size (every claim source's query, the lease, the composer's reads), so larger
//! batches send more per second: a 100,000-recipient mailing went out 10–15% faster in
//! batches of 256 than of 64 (bench/README.md). But mail claimed after a batch (a
//! supporter's confirmation behind a mailing's messages) waits until some lane has sent
//! its batch, and against a slow server 256 messages take many seconds. So a lane claims
//! about as many rows as it sent in `BATCH_TIME` lately: 256 into a fast local relay, a
//! handful into one that takes 100 ms a message.

use std::time::Duration;

/// The fewest rows a lane claims, however slow the server.
const MIN: i64 = 8;
/// The most: a lease statement of this many ids, and this many messages composed at once.
pub(super) const MAX: i64 = 256;
/// How long a batch should take to send.
const BATCH_TIME: Duration = Duration::from_millis(250);
/// Before a lane has sent anything.
const FIRST: i64 = 64;

pub(super) struct BatchSize {
    next: i64,
}

impl BatchSize {
    pub fn new() -> Self {
        BatchSize { next: FIRST }
    }

    /// Rows to claim next.
    pub fn next(&self) -> i64 {
        self.next
    }

    /// Learns from a batch of `rows` that took `took` from claim to last send. It moves
    /// half way towards what would have fitted in `BATCH_TIME`, so one odd batch (a
    /// reconnect, a slow reply) moves it only so far.
    pub fn sent(&mut self, rows: usize, took: Duration) {
        if rows == 0 {
            return;
        }
        let per_row = took.as_secs_f64().max(1e-6) / rows as f64;
        let fits = (BATCH_TIME.as_secs_f64() / per_row).min(MAX as f64) as i64;
        self.next = ((self.next + fits.clamp(MIN, MAX)) / 2).clamp(MIN, MAX);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after(batches: usize, rows: usize, took: Duration) -> i64 {
        let mut size = BatchSize::new();
        for _ in 0..batches {
            size.sent(rows, took);
        }
        size.next()
    }

    #[test]
    fn a_fast_server_gets_large_batches() {
        // 1 ms a message, as into smtp-sink on this machine.
        assert!(after(10, 64, Duration::from_millis(64)) >= 240);
    }

    #[test]
    fn a_slow_server_gets_batches_a_confirmation_need_not_wait_long_behind() {
        // 100 ms a message: a batch of 64 would hold a lane for 6.4 s.
        assert_eq!(after(10, 64, Duration::from_millis(6_400)), MIN);
        // 20 ms a message: about a quarter of a second's worth.
        assert!((10..=14).contains(&after(10, 64, Duration::from_millis(1_280))));
    }

    #[test]
    fn one_slow_batch_does_not_undo_what_was_learnt() {
        let mut size = BatchSize::new();
        for _ in 0..10 {
            size.sent(200, Duration::from_millis(200));
        }
        size.sent(200, Duration::from_secs(10));
        assert!(size.next() >= 120, "{}", size.next());
    }

    #[test]
    fn an_empty_batch_teaches_nothing() {
        assert_eq!(after(3, 0, Duration::from_millis(5)), FIRST);
    }
}
