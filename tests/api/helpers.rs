//! The test harness: one PostgreSQL per run (the private cluster code `serve` uses, or
//! `RALLYPOST_TEST_DATABASE_URL`), a fresh database per test copied from a migrated
//! template, a real SMTP server per test, and the application on a free port.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use rallypost::clock::ManualClock;
use rallypost::config::Settings;
use rallypost::db::{Pool, cluster::Cluster, schema};
use rallypost::startup::{self, Options, Running};

pub const SLUG: &str = "end-forced-returns";

struct TestDb {
    admin_url: String,
    template: String,
    _cluster: Option<Cluster>,
}

fn test_db() -> &'static TestDb {
    static DB: OnceLock<TestDb> = OnceLock::new();
    DB.get_or_init(|| {
        let (admin_url, cluster) = match std::env::var("RALLYPOST_TEST_DATABASE_URL") {
            Ok(url) if !url.is_empty() => (url, None),
            _ => {
                let dir = std::env::temp_dir().join(format!("rallypost-test-pg-{}", std::process::id()));
                // Durability is not under test here; speed is welcome.
                let cluster = Cluster::start(
                    &dir,
                    &["fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=300"],
                )
                .expect("starting the test PostgreSQL");
                cluster.stop_when_process_exits(std::process::id()).expect("cluster watcher");
                (cluster.url("postgres"), Some(cluster))
            }
        };
        let template = format!("rallypost_template_{}", std::process::id());
        let mut conn = PgConnection::establish(&admin_url).expect("connecting to the test PostgreSQL");
        diesel::RunQueryDsl::execute(
            diesel::sql_query(format!("drop database if exists {template}")),
            &mut conn,
        )
        .unwrap();
        diesel::RunQueryDsl::execute(diesel::sql_query(format!("create database {template}")), &mut conn)
            .unwrap();
        rallypost::db::migrate(&with_database(&admin_url, &template)).expect("migrating the template");
        TestDb { admin_url, template, _cluster: cluster }
    })
}

fn with_database(url: &str, name: &str) -> String {
    let (base, _) = url.rsplit_once('/').expect("a database URL with a path");
    format!("{base}/{name}")
}

/// A new, migrated, empty database; returns its URL.
pub fn fresh_database() -> String {
    let db = test_db();
    let name = format!("rallypost_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = PgConnection::establish(&db.admin_url).unwrap();
    diesel::RunQueryDsl::execute(
        diesel::sql_query(format!("create database {name} template {}", db.template)),
        &mut conn,
    )
    .unwrap();
    with_database(&db.admin_url, &name)
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Debian's aiosmtpd, run by `tests/support/smtp_server.py`, on a port of its own.
pub struct MailServer {
    pub port: u16,
    dir: tempdir::Dir,
    child: Mutex<Option<Child>>,
}

mod tempdir {
    use std::path::{Path, PathBuf};

    pub struct Dir(PathBuf);

    impl Dir {
        pub fn new(prefix: &str) -> Dir {
            let path = std::env::temp_dir().join(format!("{prefix}-{}", uuid::Uuid::new_v4().simple()));
            std::fs::create_dir_all(&path).unwrap();
            Dir(path)
        }
        pub fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

pub use tempdir::Dir as TempDir;

impl MailServer {
    pub fn start() -> MailServer {
        let server = MailServer {
            port: free_port(),
            dir: tempdir::Dir::new("rallypost-mail"),
            child: Mutex::new(None),
        };
        server.restart();
        server
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Starts the server (again) on the same port.
    pub fn restart(&self) {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_server.py");
        let python = if Path::new("/usr/bin/python3").exists() { "/usr/bin/python3" } else { "python3" };
        let mut child = Command::new(python)
            .arg(script)
            .args(["--port", &self.port.to_string(), "--dir"])
            .arg(self.dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting the SMTP server (apt-get install python3-aiosmtpd)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "ready", "the SMTP server did not start (is python3-aiosmtpd installed?)");
        *self.child.lock().unwrap() = Some(child);
    }

    /// Stops the server: connections are refused until `restart`.
    pub fn stop(&self) {
        if let Some(mut child) = self.child.lock().unwrap().take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Makes the server answer DATA with `reply` (e.g. "550 5.7.1 refused"); `None` accepts.
    pub fn reply_with(&self, reply: Option<&str>) {
        let path = self.dir.path().join("reply");
        match reply {
            Some(reply) => std::fs::write(path, reply).unwrap(),
            None => {
                let _ = std::fs::remove_file(path);
            }
        }
    }

    pub fn messages(&self) -> Vec<ReceivedMail> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        paths.sort();
        paths.into_iter().map(|p| ReceivedMail::from_file(&p)).collect()
    }

    /// Waits up to 15 s for at least `n` messages, then returns all of them.
    pub async fn wait_for(&self, n: usize) -> Vec<ReceivedMail> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let messages = self.messages();
            if messages.len() >= n {
                return messages;
            }
            assert!(Instant::now() < deadline, "expected {n} messages, got {}", messages.len());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for MailServer {
    fn drop(&mut self) {
        self.stop();
    }
}

pub struct ReceivedMail {
    pub rcpt: String,
    pub raw: Vec<u8>,
}

impl ReceivedMail {
    fn from_file(path: &Path) -> ReceivedMail {
        let bytes = std::fs::read(path).unwrap();
        let end = bytes.windows(2).position(|w| w == b"\r\n").unwrap();
        let rcpt = String::from_utf8_lossy(&bytes[..end]).trim_start_matches("X-Rcpt-To: ").to_owned();
        ReceivedMail { rcpt, raw: bytes[end + 2..].to_vec() }
    }

    pub fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default().parse(&self.raw).expect("a parseable message")
    }

    pub fn subject(&self) -> String {
        self.parsed().subject().unwrap_or_default().to_owned()
    }

    pub fn text(&self) -> String {
        self.parsed().body_text(0).expect("a text part").into_owned()
    }

    pub fn html(&self) -> String {
        self.parsed().body_html(0).expect("an HTML part").into_owned()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.parsed().header_raw(name).map(|v| v.trim().to_owned())
    }

    /// The first link in the text part that starts with `prefix`.
    pub fn link(&self, prefix: &str) -> String {
        let text = self.text();
        let start = text.find(prefix).unwrap_or_else(|| panic!("no {prefix} link in:\n{text}"));
        text[start..].split_whitespace().next().unwrap().to_owned()
    }
}

pub struct TestApp {
    pub address: String,
    pub db_url: String,
    pub settings: Arc<Settings>,
    pub pool: Pool,
    pub mail: MailServer,
    pub client: reqwest::Client,
    pub clock: Arc<ManualClock>,
    pub data_dir: TempDir,
    _running: Running,
}

pub struct AppOptions {
    pub sign_rate: &'static str,
    pub smtp: bool,
    /// Run the mail sender and letter scheduler in the background; tests that need to
    /// decide when mail goes turn this off and call `sender()` / `scheduler()` themselves.
    pub workers: bool,
    /// The database to use instead of a fresh one (the test's own pool uses it too).
    pub database_url: Option<String>,
}

impl Default for AppOptions {
    fn default() -> Self {
        AppOptions { sign_rate: "off", smtp: true, workers: true, database_url: None }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(AppOptions::default()).await
}

pub async fn spawn_app_with(options: AppOptions) -> TestApp {
    let db_url = match options.database_url {
        Some(url) => url,
        None => tokio::task::spawn_blocking(fresh_database).await.unwrap(),
    };
    let mail = MailServer::start();
    let data_dir = TempDir::new("rallypost-data");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let mut env: HashMap<String, String> = HashMap::from([
        ("RALLYPOST_DATABASE_URL".into(), db_url.clone()),
        ("RALLYPOST_BASE_URL".into(), address.clone()),
        ("RALLYPOST_DATA_DIR".into(), data_dir.path().display().to_string()),
        ("RALLYPOST_SECRET_KEY".into(), "a test key that is at least thirty-two bytes".into()),
        ("RALLYPOST_MAIL_FROM".into(), "End forced returns <campaign@rallypost.example>".into()),
        ("RALLYPOST_CAMPAIGNS_DIR".into(), concat!(env!("CARGO_MANIFEST_DIR"), "/campaigns").into()),
        ("RALLYPOST_SIGN_RATE".into(), options.sign_rate.into()),
    ]);
    if options.smtp {
        env.insert("RALLYPOST_SMTP_URL".into(), mail.url());
    }
    let settings = Arc::new(Settings::from_sources(&env, None).unwrap());
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let running = startup::start(
        settings.clone(),
        &db_url,
        clock.clone(),
        Options { listener: Some(listener), workers: options.workers },
    )
    .await
    .expect("starting the application");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap();
    let pool = rallypost::db::pool(&db_url, 4).unwrap();
    TestApp { address, db_url, settings, pool, mail, client, clock, data_dir, _running: running }
}

/// The fields of a valid signature for `email`.
pub fn valid_form(email: &str) -> Vec<(String, String)> {
    [("name", "Mina Ahmadi"), ("email", email), ("country", "DE"), ("consent", "on"), ("comment", "")]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let response = self.get(path).await;
        (response.status().as_u16(), response.text().await.unwrap())
    }

    /// Opens the campaign page (which sets the CSRF cookie) and returns the form's token.
    pub async fn csrf_token(&self) -> String {
        let (_, page) = self.get_text(&format!("/c/{SLUG}")).await;
        hidden_value(&page, "csrf_token").expect("a csrf_token field")
    }

    /// Posts the form with a valid CSRF token added.
    pub async fn sign(&self, fields: &[(String, String)]) -> reqwest::Response {
        let mut fields = fields.to_vec();
        fields.push(("csrf_token".into(), self.csrf_token().await));
        self.post_form(&format!("/c/{SLUG}/sign"), &fields).await
    }

    pub async fn post_form(&self, path: &str, fields: &[(String, String)]) -> reqwest::Response {
        let body = serde_urlencoded_pairs(fields);
        self.client
            .post(self.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> reqwest::Response {
        self.client.post(self.url(path)).header("content-type", content_type).body(body).send().await.unwrap()
    }

    pub async fn confirmed_count(&self) -> i64 {
        let response = self.get(&format!("/c/{SLUG}/count.json")).await;
        let json: serde_json::Value = response.json().await.unwrap();
        json["confirmed"].as_i64().unwrap()
    }

    /// Confirmed signatures counted in the database itself, bypassing any cache.
    pub async fn signatures_by_status(&self) -> Vec<(String, i64)> {
        let mut conn = self.pool.get().await.unwrap();
        schema::signatures::table
            .group_by(schema::signatures::status)
            .select((schema::signatures::status, diesel::dsl::count_star()))
            .order(schema::signatures::status)
            .load(&mut conn)
            .await
            .unwrap()
    }

    pub async fn outbox_rows(&self) -> Vec<(String, String, i64)> {
        let mut conn = self.pool.get().await.unwrap();
        let mut rows = rallypost::outbox::status_counts(&mut conn).await.unwrap();
        rows.sort();
        rows
    }

    /// Waits up to 15 s for the outbox to hold no pending row.
    pub async fn wait_for_outbox_drained(&self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while self.outbox_rows().await.iter().any(|(_, status, _)| status == "pending") {
            assert!(Instant::now() < deadline, "outbox not drained: {:?}", self.outbox_rows().await);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Signs with `email`, and returns the confirmation link from the email it causes.
    pub async fn sign_and_get_link(&self, email: &str) -> String {
        let before = self.mail.messages().len();
        let response = self.sign(&valid_form(email)).await;
        assert_eq!(response.status(), 303);
        let mails = self.mail.wait_for(before + 1).await;
        mails[before].link(&format!("{}/confirm/", self.address))
    }
}

pub fn hidden_value(page: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker)? + marker.len();
    Some(page[start..].split('"').next()?.to_owned())
}

fn serde_urlencoded_pairs(fields: &[(String, String)]) -> String {
    fields.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}

pub fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// One line per outbox row: status, attempts, last error, recipient.
#[derive(Debug, diesel::Queryable)]
pub struct OutboxDetail {
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    /// Encrypted; only whether it is still there matters to tests.
    pub recipient: Option<Vec<u8>>,
}

impl TestApp {
    pub async fn outbox_details(&self) -> Vec<OutboxDetail> {
        use schema::outbox::dsl::*;
        let mut conn = self.pool.get().await.unwrap();
        outbox
            .select((status, attempts, last_error, recipient))
            .order(created_at)
            .load(&mut conn)
            .await
            .unwrap()
    }

    /// Waits up to 15 s until `check` holds for the outbox.
    pub async fn wait_for_outbox(
        &self,
        what: &str,
        check: impl Fn(&[OutboxDetail]) -> bool,
    ) -> Vec<OutboxDetail> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let rows = self.outbox_details().await;
            if check(&rows) {
                return rows;
            }
            assert!(Instant::now() < deadline, "outbox never reached: {what}; now {rows:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl TestApp {
    /// The app's data keys (read from its data dir).
    pub fn keys(&self) -> Arc<rallypost::crypto::DataKeys> {
        Arc::new(startup::data_keys(&self.settings).unwrap())
    }

    /// A mail sender of this app's, on its own pool, driven by the test.
    pub fn sender(&self) -> rallypost::outbox::Sender {
        let pool = rallypost::db::pool(&self.db_url, 4).unwrap();
        startup::sender(&self.settings, pool, self.clock.clone(), Default::default(), self.keys()).unwrap()
    }

    /// A letter scheduler of this app's, on its own pool, driven by the test.
    pub fn scheduler(&self) -> rallypost::letters::Scheduler {
        let pool = rallypost::db::pool(&self.db_url, 4).unwrap();
        startup::scheduler(&self.settings, pool, self.clock.clone(), self.keys())
    }

    /// Re-imports the shipped campaign with its `[dispatch]` section edited by `edit`.
    pub async fn set_dispatch(&self, edit: impl FnOnce(&mut rallypost::campaigns::Dispatch)) {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/campaigns/end-forced-returns.toml"
        ))
        .unwrap();
        let mut file = rallypost::campaigns::CampaignFile::parse(&text).unwrap();
        edit(&mut file.dispatch);
        let mut conn = self.pool.get().await.unwrap();
        rallypost::campaigns::upsert(&mut conn, &file, Utc::now()).await.unwrap();
    }

    /// Stores `n` signatures straight into the database, named `{prefix} 0`, `{prefix} 1`...
    /// with addresses `{prefix}{i}@example.org`, postcode 10115 and a comment.
    pub async fn add_signatures(
        &self,
        prefix: &str,
        n: usize,
        status: &str,
        confirmed_at: chrono::DateTime<Utc>,
    ) {
        use schema::{campaigns, signatures};
        let mut conn = self.pool.get().await.unwrap();
        let campaign_id: uuid::Uuid = campaigns::table
            .filter(campaigns::slug.eq(SLUG))
            .select(campaigns::id)
            .first(&mut conn)
            .await
            .unwrap();
        let keys = self.keys();
        for i in 0..n {
            let id = rallypost::ids::new_id();
            let field = |column| rallypost::crypto::Field { column, row: &id };
            let email = format!("{prefix}{i}@example.org");
            diesel::insert_into(signatures::table)
                .values((
                    signatures::id.eq(id),
                    signatures::campaign_id.eq(campaign_id),
                    signatures::status.eq(status),
                    signatures::email_key.eq(keys.email_lookup(&email.to_lowercase())),
                    signatures::key_id.eq(keys.current_id()),
                    signatures::email.eq(keys.encrypt(field("signatures.email"), email.as_bytes())),
                    signatures::name
                        .eq(keys.encrypt(field("signatures.name"), format!("{prefix} {i}").as_bytes())),
                    signatures::country.eq(["AF", "DE", "AT"][i % 3]),
                    signatures::postcode.eq(keys.encrypt(field("signatures.postcode"), b"10115")),
                    signatures::comment.eq(keys
                        .encrypt(field("signatures.comment"), format!("Words of {prefix} {i}").as_bytes())),
                    signatures::consent_to_targets.eq(true),
                    signatures::updates_opt_in.eq(false),
                    signatures::language.eq("en"),
                    signatures::signed_at.eq(confirmed_at - chrono::Duration::minutes(5)),
                    signatures::confirmation_sent_at.eq(confirmed_at - chrono::Duration::minutes(5)),
                    signatures::confirmed_at.eq((status != "pending").then_some(confirmed_at)),
                ))
                .execute(&mut conn)
                .await
                .unwrap();
        }
    }

    /// The stored signature for `email` (as typed), decrypted with the app's keys.
    pub async fn stored_signature(&self, email: &str) -> StoredSignature {
        use schema::signatures;
        let keys = self.keys();
        let canonical = rallypost::domain::SupporterEmail::parse(email).unwrap().canonical();
        let mut conn = self.pool.get().await.unwrap();
        type Sealed = Option<Vec<u8>>;
        let (id, key_id, name, postcode, comment): (uuid::Uuid, String, Sealed, Sealed, Sealed) =
            signatures::table
                .filter(signatures::email_key.eq(keys.email_lookup(&canonical)))
                .select((
                    signatures::id,
                    signatures::key_id,
                    signatures::name,
                    signatures::postcode,
                    signatures::comment,
                ))
                .first(&mut conn)
                .await
                .unwrap();
        let open = |column, value: Option<Vec<u8>>| {
            keys.decrypt_text(&key_id, rallypost::crypto::Field { column, row: &id }, value.as_deref())
                .unwrap()
        };
        StoredSignature {
            name: open("signatures.name", name),
            postcode: open("signatures.postcode", postcode),
            comment: open("signatures.comment", comment),
        }
    }

    /// Letters (individual and digest) received by the SMTP server.
    pub fn letters(&self) -> Vec<ReceivedMail> {
        let targets = ["poststelle@bmi.example", "post@bmi.example", "home-commissioner@ec.example"];
        self.mail.messages().into_iter().filter(|m| targets.contains(&m.rcpt.as_str())).collect()
    }
}

impl ReceivedMail {
    /// The first attachment's bytes, as text.
    pub fn attachment_text(&self) -> Option<String> {
        let parsed = self.parsed();
        let attachment = parsed.attachment(0)?;
        Some(String::from_utf8_lossy(attachment.contents()).into_owned())
    }
}

pub const ORGANIZER: &str = "organizer@rallypost.example";
pub const PASSWORD: &str = "a long organizer password";

/// A signature written straight into the database, for exports and the API.
pub struct Seed {
    pub name: &'static str,
    pub email: &'static str,
    pub country: &'static str,
    pub postcode: Option<&'static str>,
    pub comment: Option<&'static str>,
    pub status: &'static str,
    pub signed_at: chrono::DateTime<Utc>,
}

impl Default for Seed {
    fn default() -> Self {
        Seed {
            name: "Mina Ahmadi",
            email: "mina@example.org",
            country: "DE",
            postcode: None,
            comment: None,
            status: "confirmed",
            signed_at: "2026-11-01T10:00:00Z".parse().unwrap(),
        }
    }
}

impl TestApp {
    /// The running server's shared state, for tests that build their own server around it.
    pub fn state(&self) -> actix_web::web::Data<rallypost::web::AppState> {
        self._running.state.clone().expect("the test app serves HTTP")
    }

    /// A client without a cookie jar, for requests that must carry only what they say.
    pub fn bare_client(&self) -> reqwest::Client {
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
    }

    pub async fn add_organizer(&self, email: &str, password: &str) {
        let mut conn = self.pool.get().await.unwrap();
        let email = rallypost::organizers::OrganizerEmail::parse(email).unwrap();
        let password = rallypost::organizers::Password::parse(password.into()).unwrap();
        rallypost::organizers::add_or_update(&mut conn, &email, password, Utc::now()).await.unwrap();
    }

    /// A new API token for an organizer who exists.
    pub async fn api_token(&self, email: &str) -> String {
        let mut conn = self.pool.get().await.unwrap();
        let email = rallypost::organizers::OrganizerEmail::parse(email).unwrap();
        let (organizer, _) = rallypost::organizers::find_by_email(&mut conn, &email).await.unwrap().unwrap();
        rallypost::organizers::issue_token(&mut conn, &organizer, Utc::now()).await.unwrap()
    }

    /// The sign-in form's CSRF token (setting its cookie in the client's jar).
    pub async fn login_csrf_token(&self) -> String {
        let (_, page) = self.get_text("/admin/login").await;
        hidden_value(&page, "csrf_token").expect("a csrf_token field")
    }

    pub async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        let token = self.login_csrf_token().await;
        let fields = [("email", email), ("password", password), ("csrf_token", &token)];
        let fields: Vec<(String, String)> =
            fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        self.post_form("/admin/login", &fields).await
    }

    /// Adds the standard organizer and signs the client in.
    pub async fn login_as_organizer(&self) {
        self.add_organizer(ORGANIZER, PASSWORD).await;
        let response = self.login(ORGANIZER, PASSWORD).await;
        assert_eq!(response.status(), 303, "sign-in failed");
    }

    pub async fn campaign_id(&self) -> uuid::Uuid {
        let mut conn = self.pool.get().await.unwrap();
        schema::campaigns::table
            .filter(schema::campaigns::slug.eq(SLUG))
            .select(schema::campaigns::id)
            .first(&mut conn)
            .await
            .unwrap()
    }

    pub async fn seed(&self, seed: Seed) -> uuid::Uuid {
        use schema::signatures::dsl as s;
        let campaign = self.campaign_id().await;
        let id = rallypost::ids::new_id();
        let withdrawn = seed.status == "withdrawn";
        let keys = self.keys();
        // Withdrawn signatures have their personal fields erased, as withdrawal does.
        let seal = |column, v: Option<&str>| {
            let field = rallypost::crypto::Field { column, row: &id };
            v.filter(|_| !withdrawn).map(|v| keys.encrypt(field, v.as_bytes()))
        };
        let mut conn = self.pool.get().await.unwrap();
        diesel::insert_into(s::signatures)
            .values((
                s::id.eq(id),
                s::campaign_id.eq(campaign),
                s::status.eq(seed.status),
                s::email_key.eq(format!("{}-{}", seed.email.to_lowercase(), id)),
                s::key_id.eq(keys.current_id()),
                s::email.eq(seal("signatures.email", Some(seed.email))),
                s::name.eq(seal("signatures.name", Some(seed.name))),
                s::country.eq(seed.country),
                s::postcode.eq(seal("signatures.postcode", seed.postcode)),
                s::comment.eq(seal("signatures.comment", seed.comment)),
                s::consent_to_targets.eq(true),
                s::updates_opt_in.eq(seed.postcode.is_some()),
                s::language.eq("en"),
                s::signed_at.eq(seed.signed_at),
                s::confirmation_sent_at.eq(seed.signed_at),
                s::confirmed_at
                    .eq((seed.status == "confirmed").then(|| seed.signed_at + chrono::Duration::minutes(5))),
            ))
            .execute(&mut conn)
            .await
            .unwrap();
        id
    }
}

/// The value of cookie `name` set by a response, if any.
pub fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

pub struct StoredSignature {
    pub name: Option<String>,
    pub postcode: Option<String>,
    pub comment: Option<String>,
}

/// Asserts the refusal a stranger gets under `guard`.
pub async fn assert_refused(
    guard: rallypost::web::protected::Guard,
    response: reqwest::Response,
    what: &str,
) {
    match guard {
        rallypost::web::protected::Guard::Session => {
            assert_eq!(response.status(), 303, "{what}");
            assert_eq!(response.headers()["location"], "/admin/login", "{what}");
        }
        rallypost::web::protected::Guard::Token => {
            assert_eq!(response.status(), 401, "{what}");
            let json: serde_json::Value = response.json().await.unwrap();
            assert!(json["error"].is_string(), "{what}");
        }
    }
}
