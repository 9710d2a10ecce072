//! Noticing a flood without a captcha: when one email domain or one client address
//! suddenly accounts for an unusual share of new signatures, say so in the log and count it
//! for `/metrics`, so organizers can look before the numbers go out in a letter.
//!
//! "Unusual" compares the last ten minutes with the day before them. Client addresses are
//! kept and logged only as a keyed hash.
//!
//! Memory and time stay bounded in a surge: signatures are counted per minute, and each
//! minute keeps only its heaviest sources (a Misra–Gries summary: any source with more than
//! 1/`HEAVY` of the minute's signatures is kept, its count short by at most that much). A
//! flood is by definition a heavy source, so nothing that matters is lost. The day of
//! history is summed once a minute, not on every signature.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const RECENT: Duration = Duration::from_secs(10 * 60);
const BASELINE: Duration = Duration::from_secs(24 * 3600);
const MINUTE: Duration = Duration::from_secs(60);
/// Fewer signatures than this from one source in ten minutes is never a surge.
const MIN_COUNT: u64 = 20;
const ALERT_EVERY: Duration = Duration::from_secs(10 * 60);
/// Sources each minute keeps per kind.
const HEAVY: usize = 32;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SourceKind {
    EmailDomain,
    ClientAddress,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::EmailDomain => "email_domain",
            SourceKind::ClientAddress => "client_address",
        }
    }

    fn index(self) -> usize {
        match self {
            SourceKind::EmailDomain => 0,
            SourceKind::ClientAddress => 1,
        }
    }
}

type Source = (SourceKind, String);

pub struct SurgeMonitor {
    events: Mutex<Events>,
    domain_alerts: AtomicU64,
    client_alerts: AtomicU64,
    /// Salts the client-address hash; new each process, so the hash links nothing across.
    salt: [u8; 16],
}

impl Default for SurgeMonitor {
    fn default() -> Self {
        SurgeMonitor {
            events: Mutex::default(),
            domain_alerts: AtomicU64::default(),
            client_alerts: AtomicU64::default(),
            salt: rand::random(),
        }
    }
}

/// One minute of new signatures, per kind of source.
struct Minute {
    start: Instant,
    total: [u64; 2],
    heavy: [HashMap<String, u64>; 2],
}

impl Minute {
    fn new(start: Instant) -> Minute {
        Minute { start, total: [0; 2], heavy: Default::default() }
    }

    fn add(&mut self, kind: SourceKind, source: &str) {
        let k = kind.index();
        self.total[k] += 1;
        let heavy = &mut self.heavy[k];
        if let Some(count) = heavy.get_mut(source) {
            *count += 1;
        } else if heavy.len() < HEAVY {
            heavy.insert(source.to_owned(), 1);
        } else {
            // Misra–Gries: a new source that finds no room lowers every count by one.
            heavy.retain(|_, count| {
                *count -= 1;
                *count > 0
            });
        }
    }

    fn count(&self, source: &Source) -> u64 {
        self.heavy[source.0.index()].get(&source.1).copied().unwrap_or(0)
    }
}

#[derive(Default)]
struct Events {
    /// Oldest first; the last one is the current minute.
    minutes: VecDeque<Minute>,
    /// Sums over the minutes older than `RECENT`, refreshed when a minute starts.
    baseline_total: [u64; 2],
    baseline: HashMap<Source, u64>,
    last_alert: HashMap<Source, Instant>,
}

impl Events {
    /// Starts a new minute if the current one is over, forgets what is older than a day,
    /// and sums the baseline again.
    fn advance(&mut self, now: Instant) {
        if self.minutes.back().is_some_and(|m| now.duration_since(m.start) < MINUTE) {
            return;
        }
        self.minutes.push_back(Minute::new(now));
        while self.minutes.front().is_some_and(|m| now.duration_since(m.start) > BASELINE + RECENT) {
            self.minutes.pop_front();
        }
        self.baseline_total = [0; 2];
        self.baseline.clear();
        for minute in self.minutes.iter().filter(|m| now.duration_since(m.start) > RECENT) {
            for kind in [SourceKind::EmailDomain, SourceKind::ClientAddress] {
                self.baseline_total[kind.index()] += minute.total[kind.index()];
                for (source, count) in &minute.heavy[kind.index()] {
                    *self.baseline.entry((kind, source.clone())).or_default() += count;
                }
            }
        }
        let cutoff = now.checked_sub(ALERT_EVERY);
        self.last_alert.retain(|_, t| cutoff.is_none_or(|c| *t > c));
    }

    fn judge(&self, now: Instant, source: &Source) -> Option<Surge> {
        let k = source.0.index();
        let (mut recent_all, mut recent_mine) = (0, 0);
        for minute in self.minutes.iter().rev().take_while(|m| now.duration_since(m.start) <= RECENT) {
            recent_all += minute.total[k];
            recent_mine += minute.count(source);
        }
        if recent_mine < MIN_COUNT {
            return None;
        }
        let base_all = self.baseline_total[k];
        let base_mine = self.baseline.get(source).copied().unwrap_or(0);
        let recent_share = recent_mine as f64 / recent_all as f64;
        let baseline_share = if base_all == 0 { 0.0 } else { base_mine as f64 / base_all as f64 };
        // With little history, only an overwhelming share counts; with history, a share far
        // above the usual one. Big providers that are always common do not trip the second.
        let unusual = if base_all < 100 {
            recent_share
                >= match source.0 {
                    SourceKind::EmailDomain => 0.8,
                    SourceKind::ClientAddress => 0.5,
                }
        } else {
            recent_share >= 0.3 && recent_share >= 3.0 * baseline_share
        };
        unusual.then(|| Surge { kind: source.0, source: source.1.clone(), recent_share, baseline_share })
    }
}

#[derive(Debug, PartialEq)]
pub struct Surge {
    pub kind: SourceKind,
    pub source: String,
    pub recent_share: f64,
    pub baseline_share: f64,
}

impl SurgeMonitor {
    /// Records one new signature; logs and counts any surge it completes.
    pub fn record(&self, email_domain: &str, client: Option<std::net::IpAddr>) {
        let client = client.map(|ip| {
            use sha2::{Digest, Sha256};
            let digest = Sha256::new().chain_update(self.salt).chain_update(ip.to_string()).finalize();
            format!("client-{}", hex::encode(&digest[..6]))
        });
        for surge in self.record_at(Instant::now(), email_domain, client.as_deref()) {
            match surge.kind {
                SourceKind::EmailDomain => self.domain_alerts.fetch_add(1, Ordering::Relaxed),
                SourceKind::ClientAddress => self.client_alerts.fetch_add(1, Ordering::Relaxed),
            };
            tracing::warn!(
                kind = surge.kind.as_str(),
                source = %surge.source,
                recent_share = format!("{:.2}", surge.recent_share),
                baseline_share = format!("{:.2}", surge.baseline_share),
                "an unusual share of new signatures comes from one source"
            );
        }
    }

    pub fn alerts(&self, kind: SourceKind) -> u64 {
        match kind {
            SourceKind::EmailDomain => self.domain_alerts.load(Ordering::Relaxed),
            SourceKind::ClientAddress => self.client_alerts.load(Ordering::Relaxed),
        }
    }

    pub fn record_at(&self, now: Instant, email_domain: &str, client: Option<&str>) -> Vec<Surge> {
        let mut events = self.events.lock().unwrap();
        events.advance(now);
        let mut sources = vec![(SourceKind::EmailDomain, email_domain.to_ascii_lowercase())];
        if let Some(client) = client {
            sources.push((SourceKind::ClientAddress, client.to_owned()));
        }
        let mut surges = Vec::new();
        for source in sources {
            events.minutes.back_mut().expect("advance starts a minute").add(source.0, &source.1);
            if let Some(surge) = events.judge(now, &source)
                && events.last_alert.get(&source).is_none_or(|t| now.duration_since(*t) >= ALERT_EVERY)
            {
                events.last_alert.insert(source, now);
                surges.push(surge);
            }
        }
        surges
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sudden_flood_from_one_domain_is_noticed_once() {
        let monitor = SurgeMonitor::default();
        let start = Instant::now();
        // A day of ordinary signing: a mix of providers.
        for i in 0..500u64 {
            let t = start + Duration::from_secs(i * 150);
            let domain = ["gmail.com", "web.de", "gmx.at", "outlook.com", "posteo.de"][i as usize % 5];
            assert!(monitor.record_at(t, domain, Some(&format!("client{}", i % 97))).is_empty());
        }
        let later = start + Duration::from_secs(500 * 150 + 60);
        let mut surges = Vec::new();
        for i in 0..40u64 {
            surges.extend(monitor.record_at(
                later + Duration::from_secs(i),
                "flood.example",
                Some("one-client"),
            ));
        }
        let kinds: Vec<_> = surges.iter().map(|s| (s.kind, s.source.as_str())).collect();
        assert_eq!(
            kinds,
            [(SourceKind::EmailDomain, "flood.example"), (SourceKind::ClientAddress, "one-client")],
            "each source reported once, not on every signature"
        );
    }

    #[test]
    fn a_common_provider_at_its_usual_share_is_not_a_surge() {
        let monitor = SurgeMonitor::default();
        let start = Instant::now();
        for i in 0..2000u64 {
            let domain = if i % 2 == 0 { "gmail.com" } else { "other.example" };
            let surges = monitor.record_at(start + Duration::from_secs(i * 40), domain, None);
            assert!(surges.is_empty(), "at {i}: {surges:?}");
        }
    }

    #[test]
    fn a_flood_hidden_among_many_one_off_sources_is_noticed_and_memory_stays_bounded() {
        let monitor = SurgeMonitor::default();
        let start = Instant::now();
        let mut surges = Vec::new();
        // Ten minutes of 200,000 signatures: nine in ten from one domain, the rest each from
        // a domain of its own.
        for i in 0..200_000u64 {
            let t = start + Duration::from_millis(i * 3);
            let domain = if i % 10 != 0 { "flood.example".to_owned() } else { format!("d{i}.example") };
            surges.extend(monitor.record_at(t, &domain, None));
        }
        let sources: Vec<_> = surges.iter().map(|s| s.source.as_str()).collect();
        assert_eq!(sources, ["flood.example"]);
        let events = monitor.events.lock().unwrap();
        assert!(events.minutes.len() <= 11, "{} minutes kept", events.minutes.len());
        assert!(events.minutes.iter().all(|m| m.heavy[0].len() <= HEAVY));
    }
}
