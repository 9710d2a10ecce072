//! What PostgreSQL receives from the application: every byte, read by a proxy between the
//! two, so whatever logs the server keeps (`log_min_duration_statement`, pg_stat_statements)
//! can show no more than this.

use std::sync::{Arc, Mutex};

use rallypost::domain::SupporterEmail;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UnixStream};

use crate::helpers::{AppOptions, fresh_database, spawn_app_with, valid_form};

/// A TCP proxy in front of a database that keeps everything sent to it.
struct WireRecorder {
    /// The database's URL, through the proxy.
    url: String,
    sent: Arc<Mutex<Vec<u8>>>,
}

enum Upstream {
    Tcp(String),
    Socket(String),
}

trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

impl Upstream {
    async fn connect(&self) -> std::io::Result<Box<dyn Stream>> {
        Ok(match self {
            Upstream::Tcp(address) => Box::new(TcpStream::connect(address).await?),
            Upstream::Socket(path) => Box::new(UnixStream::connect(path).await?),
        })
    }
}

impl WireRecorder {
    async fn start(database_url: &str) -> WireRecorder {
        let mut url = url::Url::parse(database_url).unwrap();
        let host =
            percent_encoding::percent_decode_str(url.host_str().unwrap()).decode_utf8().unwrap().into_owned();
        let port = url.port().unwrap_or(5432);
        let upstream = Arc::new(match host.starts_with('/') {
            true => Upstream::Socket(format!("{host}/.s.PGSQL.{port}")),
            false => Upstream::Tcp(format!("{host}:{port}")),
        });
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        url.set_host(Some("127.0.0.1")).unwrap();
        url.set_port(Some(listener.local_addr().unwrap().port())).unwrap();
        let sent = Arc::new(Mutex::new(Vec::new()));
        let recorded = sent.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (upstream, recorded) = (upstream.clone(), recorded.clone());
                tokio::spawn(async move {
                    if let Ok(server) = upstream.connect().await {
                        relay(client, server, recorded).await;
                    }
                });
            }
        });
        WireRecorder { url: url.to_string(), sent }
    }

    /// Everything sent so far, in lower case.
    fn sent(&self) -> String {
        String::from_utf8_lossy(&self.sent.lock().unwrap()).to_lowercase()
    }

    /// How many Parse messages named their statement (tokio-postgres names them `s0`,
    /// `s1`, ...); an unnamed statement has an empty name.
    fn named_statements(&self) -> usize {
        let sent = self.sent.lock().unwrap();
        (0..sent.len().saturating_sub(6))
            .filter(|&i| sent[i] == b'P')
            .filter(|&i| {
                let name = &sent[i + 5..];
                let end = name.iter().position(|&b| b == 0).unwrap_or(0);
                end > 1 && name[0] == b's' && name[1..end].iter().all(u8::is_ascii_digit)
            })
            .count()
    }
}

async fn relay(client: TcpStream, server: Box<dyn Stream>, sent: Arc<Mutex<Vec<u8>>>) {
    let (mut from_client, mut to_client) = tokio::io::split(client);
    let (mut from_server, mut to_server) = tokio::io::split(server);
    let up = async {
        let mut buf = vec![0; 64 * 1024];
        loop {
            let n = from_client.read(&mut buf).await?;
            if n == 0 {
                return to_server.shutdown().await;
            }
            sent.lock().unwrap().extend_from_slice(&buf[..n]);
            to_server.write_all(&buf[..n]).await?;
        }
    };
    let down = tokio::io::copy(&mut from_server, &mut to_client);
    let _: (std::io::Result<()>, _) = tokio::join!(up, down);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supporters_address_never_reaches_postgresql_in_the_clear() {
    let database = tokio::task::spawn_blocking(fresh_database).await.unwrap();
    let wire = WireRecorder::start(&database).await;
    let app = spawn_app_with(AppOptions { database_url: Some(wire.url.clone()), ..Default::default() }).await;
    let typed = "Mina.Ahmadi+petition@GMail.com";
    let canonical = SupporterEmail::parse(typed).unwrap().canonical();

    // Signs, confirms, and signs again (the repeat is found by its lookup key).
    let link = app.sign_and_get_link(typed).await;
    assert_eq!(app.client.post(&link).send().await.unwrap().status(), 200);
    assert_eq!(app.sign(&valid_form(typed)).await.status(), 303);
    app.wait_for_outbox_drained().await;

    let sent = wire.sent();
    assert_eq!(app.signatures_by_status().await, [("confirmed".to_owned(), 1)], "the repeat was found");
    assert!(sent.contains("insert into \"signatures\""), "the recorder saw the application's queries");
    for address in [canonical.as_str(), &typed.to_lowercase(), "minaahmadi@", "mina.ahmadi+petition@"] {
        assert!(!sent.contains(address), "{address:?} was sent to PostgreSQL");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signature_stored_before_encryption_is_still_found_by_its_keyed_hash() {
    use diesel::ExpressionMethods;
    use diesel_async::RunQueryDsl;
    use rallypost::db::schema::signatures;
    let database = tokio::task::spawn_blocking(fresh_database).await.unwrap();
    let earlier =
        spawn_app_with(AppOptions { database_url: Some(database.to_string()), ..Default::default() }).await;
    // As rows from before encryption look: everything in the clear, keyed by the address.
    let now = chrono::Utc::now();
    diesel::insert_into(signatures::table)
        .values((
            signatures::id.eq(rallypost::ids::new_id()),
            signatures::campaign_id.eq(earlier.campaign_id().await),
            signatures::status.eq("confirmed"),
            signatures::email_key.eq(b"minaahmadi@gmail.com".to_vec()),
            signatures::key_id.eq(rallypost::crypto::PLAIN),
            signatures::email.eq(b"Mina.Ahmadi@gmail.com".to_vec()),
            signatures::name.eq(b"Mina Ahmadi".to_vec()),
            signatures::country.eq("DE"),
            signatures::consent_to_targets.eq(true),
            signatures::updates_opt_in.eq(false),
            signatures::language.eq("en"),
            signatures::signed_at.eq(now),
            signatures::confirmation_sent_at.eq(now),
            signatures::confirmed_at.eq(now),
        ))
        .execute(&mut earlier.pool.get().await.unwrap())
        .await
        .unwrap();
    drop(earlier);

    let wire = WireRecorder::start(&database).await;
    let app = spawn_app_with(AppOptions { database_url: Some(wire.url.clone()), ..Default::default() }).await;
    assert_eq!(app.sign(&valid_form("mina.ahmadi+again@gmail.com")).await.status(), 303);
    app.wait_for_outbox_drained().await;

    assert_eq!(app.signatures_by_status().await, [("confirmed".to_owned(), 1)], "the repeat was found");
    assert_eq!(
        app.stored_signature("minaahmadi@gmail.com").await.name.as_deref(),
        Some("Mina Ahmadi"),
        "sealed"
    );
    assert!(!wire.sent().contains("minaahmadi@gmail.com"), "the address was sent to PostgreSQL");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_transaction_pooler_a_supporter_signs_and_confirms_with_no_statement_kept_on_the_server() {
    // The same signing and confirming, directly and as behind PgBouncer in transaction
    // mode; the harness's own queries (they use named statements) stay out of the wire.
    let mut named = Vec::new();
    for pooler in ["none", "transaction"] {
        let database = tokio::task::spawn_blocking(fresh_database).await.unwrap();
        let wire = WireRecorder::start(&database).await;
        let app = spawn_app_with(AppOptions {
            database_url: Some(wire.url.clone()),
            env: vec![("RALLYPOST_DATABASE_POOLER", pooler.into())],
            ..Default::default()
        })
        .await;

        let link = app.sign_and_get_link("mina@example.org").await;
        assert_eq!(app.client.post(&link).send().await.unwrap().status(), 200);
        let mails = app.mail.wait_for(2).await;

        assert!(mails[1].text().contains("/withdraw/"), "the receipt came");
        assert!(wire.sent().contains("insert into \"signatures\""), "the recorder saw the queries");
        named.push(wire.named_statements());
    }
    assert!(named[0] > 0, "directly, statements are prepared once and kept: {named:?}");
    assert_eq!(named[1], 0, "behind the pooler, every statement is unnamed");
}
