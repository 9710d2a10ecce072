//! Webhook throughput: events queued (the confirm path's `signature_confirmed`, in
//! transactions of `BATCH`) and delivered by the deliverer to a receiver on this machine,
//! beside the same receiver's limit (the same HTTP client posting the same body with as
//! many requests in flight, no database). Prints a table; not part of `cargo test`.
//!
//!   cargo bench --bench webhooks        (needs PostgreSQL on 127.0.0.1:5432, user postgres)
//!
//! Settings: BENCH_DATABASE_URL (admin URL, default postgres://postgres@127.0.0.1:5432/postgres),
//! BENCH_WEBHOOKS (default 5000).

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::{App, HttpResponse, HttpServer, web};
use chrono::Utc;
use diesel_async::{AsyncConnection, RunQueryDsl};
use futures_util::StreamExt;
use rallypost::clock::{Clock, SystemClock};
use rallypost::crypto::DataKeys;
use rallypost::webhooks::{AddressPolicy, ConfirmedSignature, Deliverer, ReceiverUrl, Whose};

const BATCH: usize = 500;
/// As many posts in flight as the deliverer keeps.
const IN_FLIGHT: usize = 16;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let admin = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let n: usize = std::env::var("BENCH_WEBHOOKS").ok().and_then(|v| v.parse().ok()).unwrap_or(5000);
    let name = format!("rallypost_bench_webhooks_{}", std::process::id());
    rallypost::startup::create_database_if_missing(&admin, &name)?;
    let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
    rallypost::db::migrate(&rallypost::db::Target::direct(url.as_str()))?;
    let pool = rallypost::db::pool(&url, 8, rallypost::db::Pooler::None)?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let keys = Arc::new(DataKeys::new(rand::random(), &[]));

    // The receiver: answers 204 to every post, on two workers (the machine has two cores).
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let receiver = format!("http://{}/hooks", listener.local_addr()?);
    let server = HttpServer::new(|| {
        App::new()
            .route("/hooks", web::post().to(|_: web::Bytes| async { HttpResponse::NoContent().finish() }))
    })
    .workers(2)
    .disable_signals()
    .listen(listener)?
    .run();
    let server_handle = server.handle();
    tokio::spawn(server);

    let mut conn = pool.get().await?;
    let file = rallypost::campaigns::import_file(
        &mut conn,
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/campaigns/end-forced-returns.toml")),
        clock.now(),
    )
    .await?;
    let campaign = rallypost::campaigns::find_by_slug(&mut conn, &file.slug).await?.expect("just imported");
    diesel::sql_query(format!(
        "insert into signatures (id, campaign_id, status, email_key, country, consent_to_targets, \
           updates_opt_in, language, signed_at, confirmation_sent_at, confirmed_at, key_id) \
         select gen_random_uuid(), '{}', 'confirmed', convert_to('bench-' || i, 'UTF8'), 'DE', true, true, 'en', now(), now(), now(), 'plain' \
         from generate_series(1, {n}) i",
        campaign.id
    ))
    .execute(&mut conn)
    .await?;
    let ids: Vec<uuid::Uuid> = {
        use diesel::QueryDsl;
        use rallypost::db::schema::signatures;
        signatures::table.select(signatures::id).load(&mut conn).await?
    };
    rallypost::webhooks::add(
        &mut conn,
        &keys,
        &Whose::Lead,
        &ReceiverUrl::parse(&receiver).map_err(anyhow::Error::msg)?,
        // The receiver is on this machine.
        AddressPolicy::AllowPrivate,
        clock.now(),
    )
    .await?;

    // The receiver's limit: the same client and body, no database.
    let body = br#"{"type":"signature.confirmed","timestamp":"2026-12-01T12:00:00Z","data":{"signature_id":"0193f3a0-0000-7000-8000-000000000000","petition":"end-forced-returns","created_date":"2026-12-01T11:00:00Z","confirmed_date":"2026-12-01T12:00:00Z","partner":null,"person":{"given_name":"Mina Ahmadi","email_addresses":[{"address":"mina@example.org","primary":true}],"postal_addresses":[{"country":"DE"}],"languages_spoken":["en"]}}}"#;
    let http = reqwest::Client::new();
    let started = Instant::now();
    let ok = futures_util::stream::iter(0..n)
        .map(|_| {
            let request = http.post(&receiver).header("content-type", "application/json").body(&body[..]);
            async move { request.send().await.is_ok_and(|r| r.status().is_success()) }
        })
        .buffer_unordered(IN_FLIGHT)
        .filter(|ok| std::future::ready(*ok))
        .count()
        .await;
    let limit = started.elapsed();
    anyhow::ensure!(ok == n, "the receiver answered {ok} of {n} posts");

    // Queueing, as confirming does.
    let started = Instant::now();
    for chunk in ids.chunks(BATCH) {
        conn.transaction(async |conn| {
            for id in chunk {
                let signature = ConfirmedSignature {
                    id: *id,
                    campaign_slug: &campaign.slug,
                    signed_at: Utc::now(),
                    name: "Mina Ahmadi",
                    email: "mina@example.org",
                    country: "DE",
                    language: "en",
                    updates_opt_in: true,
                    opted_in_partner: None,
                };
                rallypost::webhooks::signature_confirmed(conn, &keys, &signature, clock.now()).await?;
            }
            anyhow::Ok(())
        })
        .await?;
    }
    let queued = started.elapsed();

    // Delivering: one deliverer, as `serve` runs it.
    let deliverer = rallypost::startup::webhook_claim_source();
    let deliverer =
        Deliverer::new(pool.clone(), deliverer, clock.clone(), keys.clone(), AddressPolicy::AllowPrivate)?;
    let started = Instant::now();
    let handled = deliverer.deliver_due().await?;
    let delivered = started.elapsed();
    anyhow::ensure!(handled == n, "delivered {handled} of {n}");
    let counts = rallypost::outbox::status_counts(&mut conn).await?;
    anyhow::ensure!(
        counts
            .iter()
            .any(|(kind, status, count)| kind == "webhook" && status == "sent" && *count == n as i64),
        "not every webhook was marked delivered: {counts:?}"
    );

    let rate = |d: Duration| format!("{:.0}/s", n as f64 / d.as_secs_f64());
    println!("| what ({n} webhooks) | time | rate |");
    println!("|---|---|---|");
    println!(
        "| receiver's limit: reqwest, {IN_FLIGHT} in flight, no database | {:.2} s | {} |",
        limit.as_secs_f64(),
        rate(limit)
    );
    println!(
        "| queued by signature_confirmed, {BATCH} per transaction | {:.2} s | {} |",
        queued.as_secs_f64(),
        rate(queued)
    );
    println!(
        "| delivered by Deliverer::deliver_due (signed, recorded) | {:.2} s | {} |",
        delivered.as_secs_f64(),
        rate(delivered)
    );
    println!(
        "| **delivered / receiver's limit** | | **{:.2}** |",
        limit.as_secs_f64() / delivered.as_secs_f64()
    );

    drop(conn);
    drop(pool);
    server_handle.stop(true).await;
    let mut admin_conn = <diesel::PgConnection as diesel::Connection>::establish(&admin)?;
    diesel::RunQueryDsl::execute(
        diesel::sql_query(format!("drop database {name} with (force)")),
        &mut admin_conn,
    )?;
    Ok(())
}
