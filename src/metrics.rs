//! What this process counts for `/metrics`: HTTP latency by route and status class, and
//! the results of mail delivery. Gauges that the database knows (signatures, outbox depth)
//! are read by a task every few seconds (the gauges module), never at scrape time.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 11] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
pub struct Metrics {
    http: Mutex<BTreeMap<(String, String, &'static str), Histogram>>,
    sent: AtomicU64,
    retried: AtomicU64,
    failed: AtomicU64,
}

/// How one delivery attempt ended, as counted.
#[derive(Clone, Copy)]
pub enum SendResult {
    Accepted,
    Retried,
    Failed,
}

impl Metrics {
    /// `route` is the matched pattern (`/c/{slug}`), never the path, which may hold a token.
    pub fn observe_http(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let class = match status {
            100..=199 => "1xx",
            200..=299 => "2xx",
            300..=399 => "3xx",
            400..=499 => "4xx",
            _ => "5xx",
        };
        let seconds = elapsed.as_secs_f64();
        let mut http = self.http.lock().unwrap();
        let h = http.entry((method.to_owned(), route.to_owned(), class)).or_default();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                h.counts[i] += 1;
            }
        }
        h.count += 1;
        h.sum += seconds;
    }

    pub fn observe_send(&self, result: SendResult) {
        match result {
            SendResult::Accepted => &self.sent,
            SendResult::Retried => &self.retried,
            SendResult::Failed => &self.failed,
        }
        .fetch_add(1, Ordering::Relaxed);
    }

    pub fn render(&self, out: &mut String) {
        out.push_str(
            "# HELP rallypost_http_request_duration_seconds HTTP requests by route and status class.\n",
        );
        out.push_str("# TYPE rallypost_http_request_duration_seconds histogram\n");
        for ((method, route, class), h) in self.http.lock().unwrap().iter() {
            let labels = format!("method=\"{method}\",route=\"{route}\",status=\"{class}\"");
            for (bound, count) in BUCKETS.iter().zip(h.counts) {
                let _ = writeln!(
                    out,
                    "rallypost_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "rallypost_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(out, "rallypost_http_request_duration_seconds_sum{{{labels}}} {}", h.sum);
            let _ = writeln!(out, "rallypost_http_request_duration_seconds_count{{{labels}}} {}", h.count);
        }
        out.push_str("# HELP rallypost_mail_attempts_total Delivery attempts by this process, by result.\n");
        out.push_str("# TYPE rallypost_mail_attempts_total counter\n");
        for (result, counter) in
            [("accepted", &self.sent), ("retried", &self.retried), ("failed", &self.failed)]
        {
            let _ = writeln!(
                out,
                "rallypost_mail_attempts_total{{result=\"{result}\"}} {}",
                counter.load(Ordering::Relaxed)
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latencies_fall_into_cumulative_buckets() {
        let m = Metrics::default();
        m.observe_http("GET", "/c/{slug}", 200, Duration::from_millis(3));
        m.observe_http("GET", "/c/{slug}", 200, Duration::from_millis(30));
        let mut out = String::new();
        m.render(&mut out);
        let line = |le: &str| {
            format!(
                "rallypost_http_request_duration_seconds_bucket{{method=\"GET\",route=\"/c/{{slug}}\",status=\"2xx\",le=\"{le}\"}}"
            )
        };
        assert!(out.contains(&format!("{} 0", line("0.0025"))), "{out}");
        assert!(out.contains(&format!("{} 1", line("0.005"))));
        assert!(out.contains(&format!("{} 2", line("0.05"))));
        assert!(out.contains(&format!("{} 2", line("+Inf"))));
    }
}
