//! Noticing a flood without a captcha: when one email domain or one client address
//! suddenly accounts for an unusual share of new signatures, say so in the log and count it
//! for `/metrics`, so organizers can look before the numbers go out in a letter.
//!
//! "Unusual" compares the last ten minutes with the day before them. Client addresses are
//! kept and logged only as a keyed hash.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const RECENT: Duration = Duration::from_secs(10 * 60);
const BASELINE: Duration = Duration::from_secs(24 * 3600);
/// Fewer signatures than this from one source in ten minutes is never a surge.
const MIN_COUNT: usize = 20;
const ALERT_EVERY: Duration = Duration::from_secs(10 * 60);

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

#[derive(Default)]
struct Events {
    log: VecDeque<(Instant, Source)>,
    last_alert: HashMap<Source, Instant>,
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
        while events.log.front().is_some_and(|(t, _)| now.duration_since(*t) > BASELINE + RECENT) {
            events.log.pop_front();
        }
        let mut sources = vec![(SourceKind::EmailDomain, email_domain.to_ascii_lowercase())];
        if let Some(client) = client {
            sources.push((SourceKind::ClientAddress, client.to_owned()));
        }
        let mut surges = Vec::new();
        for source in sources {
            events.log.push_back((now, source.clone()));
            if let Some(surge) = judge(&events.log, now, &source)
                && events.last_alert.get(&source).is_none_or(|t| now.duration_since(*t) >= ALERT_EVERY)
            {
                events.last_alert.insert(source, now);
                surges.push(surge);
            }
        }
        surges
    }
}

fn judge(log: &VecDeque<(Instant, Source)>, now: Instant, source: &Source) -> Option<Surge> {
    let (mut recent_all, mut recent_mine, mut base_all, mut base_mine) = (0usize, 0usize, 0usize, 0usize);
    for (t, s) in log.iter().filter(|(_, s)| s.0 == source.0) {
        let mine = s == source;
        if now.duration_since(*t) <= RECENT {
            recent_all += 1;
            recent_mine += usize::from(mine);
        } else {
            base_all += 1;
            base_mine += usize::from(mine);
        }
    }
    if recent_mine < MIN_COUNT {
        return None;
    }
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
}
