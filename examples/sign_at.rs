//! Signs at a fixed rate, for `bench/mail_priority.py`: a compiled load generator, so that
//! the client does not take the CPU the server under test needs (its four Python signing
//! processes took an eighth of the machine's two cores at 500 signatures/s, perf, beside
//! rallypost's 29%).
//!
//! Signature `i` is due at `start + i / rate`; it goes once due on one of `--connections`
//! kept-alive connections, and a late one counts from when it was due (no coordinated
//! omission). Prints one line per signature once all are done:
//! `i due answered status` (seconds since the epoch; status 0 when no answer came, with the
//! reason on stderr).
//!
//!   target/release/examples/sign_at --base http://127.0.0.1:8080 --slug end-forced-returns \
//!       --token TOKEN --cookie COOKIE --prefix mb --rate 500 --total 20000 --start 1764662400.5

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::Parser;
use tokio::sync::Semaphore;

#[derive(Parser)]
struct Args {
    /// The server, e.g. http://127.0.0.1:8080
    #[arg(long)]
    base: String,
    #[arg(long)]
    slug: String,
    /// The form's CSRF token and the `rp_csrf` cookie it belongs to
    #[arg(long)]
    token: String,
    #[arg(long)]
    cookie: String,
    /// Addresses are `{prefix}-{i}@supporters.example`
    #[arg(long)]
    prefix: String,
    /// Signatures per second
    #[arg(long)]
    rate: f64,
    #[arg(long)]
    total: usize,
    /// When signature 0 is due, in seconds since the epoch
    #[arg(long)]
    start: f64,
    /// Requests in flight at most (each on a connection of its own)
    #[arg(long, default_value_t = 64)]
    connections: usize,
}

fn epoch_now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let results = runtime.block_on(sign_all(&args))?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (i, due, answered, status) in results {
        writeln!(out, "{i} {due:.6} {answered:.6} {status}")?;
    }
    out.flush()?;
    Ok(())
}

async fn sign_all(args: &Args) -> anyhow::Result<Vec<(usize, f64, f64, u16)>> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(args.connections)
        .timeout(Duration::from_secs(30))
        .build()?;
    let url = format!("{}/c/{}/sign", args.base, args.slug);
    let cookie = format!("rp_csrf={}", args.cookie);
    let slots = Arc::new(Semaphore::new(args.connections));
    let mut tasks = Vec::with_capacity(args.total);
    for i in 0..args.total {
        let due = args.start + i as f64 / args.rate;
        let wait = due - epoch_now();
        if wait > 0.0 {
            tokio::time::sleep(Duration::from_secs_f64(wait)).await;
        }
        let slot = Arc::clone(&slots).acquire_owned().await?;
        let body = form_body(args, i);
        let request = client
            .post(&url)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Cookie", &cookie)
            .body(body)
            .send();
        tasks.push(tokio::spawn(async move {
            let status = match request.await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let _ = response.bytes().await;
                    status
                }
                Err(e) => {
                    // Rare (a few in 48,000): say whether it was the 30 s timeout or the
                    // connection, so the figures can tell the two apart.
                    eprintln!("sign_at: signature {i}, {:.3} s after due: {e:?}", epoch_now() - due);
                    0
                }
            };
            drop(slot);
            (i, due, epoch_now(), status)
        }));
    }
    let mut results = Vec::with_capacity(tasks.len());
    for task in tasks {
        results.push(task.await?);
    }
    Ok(results)
}

fn form_body(args: &Args, i: usize) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("csrf_token", args.token.as_str()),
            ("lang", "en"),
            ("name", &format!("Bench Supporter {i}")),
            ("email", &format!("{}-{i}@supporters.example", args.prefix)),
            ("country", "DE"),
            ("postcode", "10115"),
            ("comment", ""),
            ("consent", "on"),
            ("website", ""),
        ])
        .finish()
}
