//! Throughput of the pieces behind the web form, each beside its physical limit in the same
//! run. Prints a table; exits non-zero only if it could not run. Not part of `cargo test`.
//!
//!   cargo bench --bench pipeline            (needs PostgreSQL on 127.0.0.1:5432 and postfix's
//!                                            smtp-sink/smtp-source: apt-get install postfix)
//!
//! Settings: BENCH_DATABASE_URL (admin URL, default postgres://postgres@127.0.0.1:5432/postgres),
//! BENCH_MESSAGES (default 20000), BENCH_DIGEST_SIGNATURES (default 100000),
//! BENCH_ONLY=mail (stop after the mail figures).

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use rallypost::campaigns::{Campaign, CampaignFile, DispatchMode};
use rallypost::clock::{Clock, SystemClock};
use rallypost::crypto::{DataKeys, Field};
use rallypost::db::schema::{outbox, signatures};
use rallypost::domain::{Comment, Country, Lang, SupporterEmail, SupporterName};
use rallypost::letters::{LetterContext, Scheduler};
use rallypost::outbox::{Kind, NewMessage, OutboxStatus, Sender, Transport};
use rallypost::signatures::{MailContext, NewSignature, SignContext};
use tokio_util::sync::CancellationToken;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn peak_rss_reset() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

struct Row(String, String, String);

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let admin = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let messages = env_usize("BENCH_MESSAGES", 20_000);
    let digest_size = env_usize("BENCH_DIGEST_SIGNATURES", 100_000);
    let name = format!("rallypost_bench_{}", std::process::id());
    rallypost::startup::create_database_if_missing(&admin, &name)?;
    let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
    rallypost::db::migrate(&rallypost::db::Target::direct(url.as_str()))?;
    let pool = rallypost::db::pool(&url, 16, rallypost::db::Pooler::None)?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let old_key: [u8; 32] = rand::random();
    let keys = Arc::new(DataKeys::new(old_key, &[]));
    let mut rows = Vec::new();

    // The SMTP limit: postfix's own client against postfix's own sink.
    let port = free_port();
    let mut sink = Command::new("smtp-sink")
        .args(["-u", "nobody", "-c", &format!("127.0.0.1:{port}"), "256"])
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| anyhow::anyhow!("smtp-sink (apt-get install postfix): {e}"))?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    let status = Command::new("smtp-source")
        .args(["-s", "4", "-m", &messages.to_string(), "-l", "3000", &format!("127.0.0.1:{port}")])
        .status()?;
    anyhow::ensure!(status.success(), "smtp-source failed");
    let source_rate = messages as f64 / started.elapsed().as_secs_f64();
    rows.push(Row(
        "smtp-source → smtp-sink (4 sessions, 3 kB)".into(),
        format!("{source_rate:.0} msg/s"),
        "1.00".into(),
    ));

    // Outbox → SMTP: confirmation-sized messages, encrypted at rest like the real ones.
    let from: lettre::message::Mailbox = "Campaign <campaign@rallypost.example>".parse()?;
    {
        let mut conn = pool.get().await?;
        let now = clock.now();
        let body = "x".repeat(3000);
        for chunk in 0..messages.div_ceil(1000) {
            use diesel_async::AsyncConnection;
            conn.transaction(async |conn| {
                for i in chunk * 1000..((chunk + 1) * 1000).min(messages) {
                    let new = NewMessage {
                        id: rallypost::ids::new_id(),
                        kind: Kind::Confirmation,
                        campaign_id: None,
                        signature_id: None,
                        target_id: None,
                        recipient: format!("s{i}@example.org"),
                        message: format!("Subject: bench {i}\r\n\r\n{body}\r\n").into_bytes(),
                    };
                    rallypost::outbox::enqueue(conn, &keys, new, now).await?;
                }
                anyhow::Ok(())
            })
            .await?;
        }
    }
    let default_lanes = rallypost::startup::SMTP_LANES;
    for lanes in [1, default_lanes] {
        let transport = Transport::Smtp(
            rallypost::outbox::smtp::SmtpTarget::parse(&format!("smtp://127.0.0.1:{port}")).unwrap(),
        );
        let sender = Arc::new(Sender::new(
            pool.clone(),
            rallypost::startup::claim_sources(),
            clock.clone(),
            transport,
            from.email.clone(),
            Default::default(),
            lanes,
            keys.clone(),
        ));
        let share = messages / 2;
        let stop = CancellationToken::new();
        let started = Instant::now();
        let run = tokio::spawn(sender.clone().run(stop.clone()));
        let target_sent = if lanes == 1 { share } else { messages };
        loop {
            let mut conn = pool.get().await?;
            let sent: i64 = outbox::table
                .filter(outbox::status.eq(OutboxStatus::Sent))
                .count()
                .get_result(&mut conn)
                .await?;
            if sent as usize >= target_sent {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let elapsed = started.elapsed().as_secs_f64();
        stop.cancel();
        run.await?;
        let done = if lanes == 1 { share } else { messages - share };
        let rate = done as f64 / elapsed;
        let default = if lanes == default_lanes { " (serve's default)" } else { "" };
        rows.push(Row(
            format!("outbox → smtp-sink, {lanes} connection(s){default}"),
            format!("{rate:.0} msg/s"),
            format!("{:.2}", rate / source_rate),
        ));
    }
    let _ = sink.kill();
    if std::env::var("BENCH_ONLY").is_ok_and(|v| v == "mail") {
        return finish(rows, pool, &admin, &name);
    }

    // Campaigns for the rest.
    let text = std::fs::read_to_string("campaigns/end-forced-returns.toml")?;
    let mut file = CampaignFile::parse(&text).map_err(anyhow::Error::msg)?;
    file.dispatch.mode = DispatchMode::Individual;
    let campaign = {
        let mut conn = pool.get().await?;
        rallypost::campaigns::upsert(&mut conn, &file, clock.now()).await?;
        rallypost::campaigns::find_by_slug(&mut conn, &file.slug).await?.unwrap()
    };

    // Signing, as the use case (validation done, one transaction with its outbox row).
    let mail = MailContext { from: from.clone(), base_url: "http://127.0.0.1:8080".into() };
    for (label, sign_keys) in
        [("encryption on", keys.clone()), ("encryption off", Arc::new(DataKeys::disabled()))]
    {
        let n = 4000;
        let started = Instant::now();
        let tasks: Vec<_> = (0..16)
            .map(|worker| {
                let (pool, campaign, mail, sign_keys, clock) =
                    (pool.clone(), campaign.clone(), mail.clone(), sign_keys.clone(), clock.clone());
                let label = label.to_owned();
                tokio::spawn(async move {
                    let mut conn = pool.get().await.unwrap();
                    for i in (worker..n).step_by(16) {
                        let new = NewSignature {
                            name: SupporterName::parse("Mina Ahmadi").unwrap(),
                            email: SupporterEmail::parse(&format!(
                                "{}-{i}@example.org",
                                label.replace(' ', "")
                            ))
                            .unwrap(),
                            country: Country::parse("AF").unwrap(),
                            postcode: None,
                            comment: Comment::parse("Stop the deportations.").unwrap(),
                            updates_opt_in: false,
                            partner_opt_in: false,
                            anonymous: false,
                            referral: Default::default(),
                            lang: Lang::En,
                        };
                        let ctx = SignContext { keys: &sign_keys, mail: &mail };
                        rallypost::signatures::sign(&mut conn, &campaign, &new, &ctx, clock.now())
                            .await
                            .unwrap();
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await?;
        }
        let rate = n as f64 / started.elapsed().as_secs_f64();
        rows.push(Row(
            format!("sign use case, 16 connections, {label}"),
            format!("{rate:.0} sig/s"),
            String::new(),
        ));
    }

    // Letters: render, encrypt and queue one per signature and target.
    {
        let mut conn = pool.get().await?;
        diesel::update(signatures::table)
            .set((signatures::status.eq("confirmed"), signatures::confirmed_at.eq(Utc::now())))
            .execute(&mut conn)
            .await?;
    }
    let ctx = LetterContext { from: from.clone(), keys: keys.clone(), dkim: None };
    let scheduler = Scheduler::new(pool.clone(), clock.clone(), ctx.clone());
    let started = Instant::now();
    let queued = scheduler.queue(&campaign).await?;
    let rate = queued as f64 / started.elapsed().as_secs_f64();
    rows.push(Row(
        format!("letters rendered + queued ({queued})"),
        format!("{rate:.0} letters/s"),
        String::new(),
    ));

    // A digest for many new signatures.
    let mut digest_file = file.clone();
    digest_file.slug = "bench-digest".into();
    digest_file.dispatch.mode = DispatchMode::Digest;
    let digest_campaign = {
        let mut conn = pool.get().await?;
        rallypost::campaigns::upsert(&mut conn, &digest_file, clock.now()).await?;
        rallypost::campaigns::find_by_slug(&mut conn, "bench-digest").await?.unwrap()
    };
    seed_confirmed(&pool, &keys, &digest_campaign, digest_size).await?;
    peak_rss_reset();
    let before = peak_rss_mib();
    let started = Instant::now();
    let preview = scheduler.preview(&digest_campaign, &digest_campaign.file.targets[0]).await?;
    let elapsed = started.elapsed().as_secs_f64();
    anyhow::ensure!(preview.lines().count() > digest_size, "the digest did not cover the seeded signatures");
    rows.push(Row(
        format!("digest for {digest_size} new signatures (read, decrypt, render, CSV)"),
        format!("{elapsed:.2} s"),
        format!("peak RSS {:.0} MiB (process was {before:.0} MiB)", peak_rss_mib()),
    ));

    // Key rotation over everything stored so far.
    let total: i64 = {
        let mut conn = pool.get().await?;
        signatures::table.count().get_result(&mut conn).await?
    };
    let reading = DataKeys::new(rand::random(), &[old_key]);
    let started = Instant::now();
    let batches = rallypost::signatures::Batches { rows: 1000, lanes: 2 };
    let (sigs, msgs) = rallypost::signatures::rotate_keys(&pool, &reading, batches, |_, _| {}).await?;
    rows.push(Row(
        format!("keys rotate ({sigs} of {total} signatures, {msgs} messages)"),
        format!("{:.2} s", started.elapsed().as_secs_f64()),
        String::new(),
    ));

    finish(rows, pool, &admin, &name)
}

/// Prints the table and drops the benchmark's database.
fn finish(rows: Vec<Row>, pool: rallypost::db::Pool, admin: &str, name: &str) -> anyhow::Result<()> {
    println!("\n| what | figure | ratio / note |\n|---|---|---|");
    for Row(what, figure, note) in rows {
        println!("| {what} | {figure} | {note} |");
    }
    drop(pool);
    let mut conn = diesel::PgConnection::establish(admin)?;
    diesel::RunQueryDsl::execute(diesel::sql_query(format!("drop database {name} with (force)")), &mut conn)?;
    Ok(())
}

async fn seed_confirmed(
    pool: &rallypost::db::Pool,
    keys: &DataKeys,
    campaign: &Campaign,
    n: usize,
) -> anyhow::Result<()> {
    let mut conn = pool.get().await?;
    let now = Utc::now();
    let countries = ["AF", "DE", "AT", "IR", "PK", "FR"];
    for chunk in (0..n).collect::<Vec<_>>().chunks(2000) {
        let values: Vec<_> = chunk
            .iter()
            .map(|&i| {
                let id = rallypost::ids::new_id();
                let field = |column| Field { column, row: &id };
                (
                        signatures::id.eq(id),
                        signatures::campaign_id.eq(campaign.id),
                        signatures::status.eq("confirmed"),
                        signatures::email_key.eq(keys.email_lookup(&format!("d{i}@example.org"))),
                        signatures::key_id.eq(keys.current_id().to_owned()),
                        signatures::email.eq(Some(
                            keys.encrypt(field("signatures.email"), format!("d{i}@example.org").as_bytes()),
                        )),
                        signatures::name.eq(Some(
                            keys.encrypt(
                                field("signatures.name"),
                                format!("Supporter Number {i}").as_bytes(),
                            ),
                        )),
                        signatures::country.eq(countries[i % countries.len()]),
                        signatures::comment
                            .eq((i % 50 == 0)
                                .then(|| keys.encrypt(field("signatures.comment"), b"Please stop."))),
                        signatures::consent_to_targets.eq(true),
                        signatures::updates_opt_in.eq(false),
                        signatures::language.eq("en"),
                        signatures::signed_at.eq(now - chrono::Duration::days(9)),
                        signatures::confirmation_sent_at.eq(now - chrono::Duration::days(9)),
                        // Before the last digest period ended, so the due digest covers them all.
                        signatures::confirmed_at.eq(Some(now - chrono::Duration::days(8))),
                    )
            })
            .collect();
        diesel::insert_into(signatures::table).values(values).execute(&mut conn).await?;
    }
    Ok(())
}
