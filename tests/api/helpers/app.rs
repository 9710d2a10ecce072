//! The application under test: `spawn_app` starts it on a free port against a fresh
//! database and its own SMTP server; one helper method per request a test makes.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::Arc;

use chrono::Utc;
use rallypost::clock::ManualClock;
use rallypost::config::Settings;
use rallypost::db::{Pool, Pooler};
use rallypost::startup::{self, Options, Running};

use super::{MailServer, ORGANIZER, PASSWORD, SLUG, TempDir, TestDatabase, fresh_database};

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
    /// Last, so the database is dropped after everything that uses it.
    _database: Option<TestDatabase>,
}

pub struct AppOptions {
    pub sign_rate: &'static str,
    pub smtp: bool,
    /// Run the mail sender and letter scheduler in the background; tests that need to
    /// decide when mail goes turn this off and call `sender()` / `scheduler()` themselves.
    pub workers: bool,
    /// The database to use instead of a fresh one (the test's own pool uses it too).
    pub database_url: Option<String>,
    /// More settings, as environment variables (`RALLYPOST_TRUSTED_PROXIES`, ...); they
    /// override the harness's own.
    pub env: Vec<(&'static str, String)>,
}

impl Default for AppOptions {
    fn default() -> Self {
        AppOptions { sign_rate: "off", smtp: true, workers: true, database_url: None, env: Vec::new() }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(AppOptions::default()).await
}

pub async fn spawn_app_with(options: AppOptions) -> TestApp {
    let (database, db_url) = match options.database_url {
        Some(url) => (None, url),
        None => {
            let database = tokio::task::spawn_blocking(fresh_database).await.unwrap();
            let url = database.url().to_owned();
            (Some(database), url)
        }
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
        // Test webhook receivers listen on 127.0.0.1; the tests of the refusal turn it off.
        ("RALLYPOST_WEBHOOK_ALLOW_PRIVATE".into(), "1".into()),
    ]);
    if options.smtp {
        env.insert("RALLYPOST_SMTP_URL".into(), mail.url());
    }
    env.extend(options.env.into_iter().map(|(k, v)| (k.to_owned(), v)));
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
    let client = client_builder().cookie_store(true).build().unwrap();
    let pool = rallypost::db::pool(&db_url, 4, Pooler::None).unwrap();
    TestApp {
        address,
        db_url,
        settings,
        pool,
        mail,
        client,
        clock,
        data_dir,
        _running: running,
        _database: database,
    }
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

impl TestApp {
    /// The app's data keys (read from its data dir).
    pub fn keys(&self) -> Arc<rallypost::crypto::DataKeys> {
        Arc::new(startup::data_keys(&self.settings).unwrap())
    }

    /// A mail sender of this app's, on its own pool, driven by the test.
    pub fn sender(&self) -> rallypost::outbox::Sender {
        let pool = rallypost::db::pool(&self.db_url, 4, Pooler::None).unwrap();
        startup::sender(&self.settings, pool, self.clock.clone(), Default::default(), self.keys()).unwrap()
    }

    /// The mailings worker of this app's, driven by the test.
    pub fn mailer(&self) -> rallypost::mailings::Mailer {
        rallypost::mailings::Mailer::new(self.pool.clone(), self.clock.clone(), self.keys())
    }

    /// The housekeeping task of this app's (purge, reminders, erasure), on its own pool,
    /// driven by the test. A new one runs its daily jobs at its first tick.
    pub fn housekeeping(&self) -> rallypost::housekeeping::Housekeeping {
        let pool = rallypost::db::pool(&self.db_url, 4, Pooler::None).unwrap();
        startup::housekeeping(&self.settings, pool, self.clock.clone(), self.keys())
    }

    /// A letter scheduler of this app's, on its own pool, driven by the test.
    pub fn scheduler(&self) -> rallypost::letters::Scheduler {
        let pool = rallypost::db::pool(&self.db_url, 4, Pooler::None).unwrap();
        startup::scheduler(&self.settings, pool, self.clock.clone(), self.keys())
    }
}

impl TestApp {
    /// The running server's shared state, for tests that build their own server around it.
    pub fn state(&self) -> actix_web::web::Data<rallypost::web::AppState> {
        self._running.state.clone().expect("the test app serves HTTP")
    }

    /// A client without a cookie jar, for requests that must carry only what they say.
    pub fn bare_client(&self) -> reqwest::Client {
        client_builder().build().unwrap()
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

    /// A client of its own (cookie jar and all), signed in as `email` with `PASSWORD`.
    pub async fn signed_in_client(&self, email: &str) -> reqwest::Client {
        let client = client_builder().cookie_store(true).build().unwrap();
        let page = client.get(self.url("/admin/login")).send().await.unwrap().text().await.unwrap();
        let csrf = hidden_value(&page, "csrf_token").expect("a csrf_token field");
        let response = client
            .post(self.url("/admin/login"))
            .form(&[("email", email), ("password", PASSWORD), ("csrf_token", &csrf)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "{email} could not sign in");
        client
    }

    /// Adds the standard organizer and signs the client in.
    pub async fn login_as_organizer(&self) {
        self.add_organizer(ORGANIZER, PASSWORD).await;
        let response = self.login(ORGANIZER, PASSWORD).await;
        assert_eq!(response.status(), 303, "sign-in failed");
    }
}

/// How every test client starts: redirects are answers to check, not to follow; and idle
/// connections are dropped after a second. The server closes a keep-alive connection after
/// five idle seconds (actix-web's default), and a client reusing one at that very moment
/// gets "connection closed before message completed": CI saw it once, after a test had
/// spent about five seconds seeding between two requests.
pub fn client_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_idle_timeout(std::time::Duration::from_secs(1))
}

pub fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
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
