//! Putting the pieces together: the database (private cluster or URL), migrations, the
//! secret key, the mail transport, the HTTP server and the workers.

use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use actix_web::{App, HttpServer, web};
use anyhow::Context;
use secrecy::ExposeSecret;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::bounces::{ReturnPaths, SmtpRefusals};
use crate::campaigns;
use crate::clock::Clock;
use crate::config::{DataKeySetting, Settings};
use crate::crypto::DataKeys;
use crate::db::{self, Pool, cluster::Cluster};
use crate::dkim::Dkim;
use crate::housekeeping::{Housekeeping, Reminders};
use crate::letters::{LetterContext, PacedLetters, Scheduler};
use crate::mailings::{Mailer, MailingComposer, MailingContext, UnsubscribeKey};
use crate::outbox::{ClaimSource, DueRows, Kind, Sender, Transport};
use crate::reports::CountCache;
use crate::signatures::{MailContext, ReminderPolicy, SignIntake};
use crate::web::{AppState, Csrf, SignLimiter};
use crate::webhooks::Deliverer;

/// Tasks writing signatures (see `signatures::SignIntake`): while one waits for its commit,
/// the next gathers what arrived meanwhile.
const SIGN_COMMITTERS: usize = 3;

/// The database this process uses, and the private cluster behind it if there is one.
pub struct Database {
    pub target: db::Target,
    cluster: Option<Cluster>,
}

impl Database {
    /// Connects to `RALLYPOST_DATABASE_URL`, or starts (or attaches to) the private
    /// cluster and its `rallypost` database, owned by the `rallypost` role the application
    /// connects as; then applies migrations. Blocking.
    pub fn open(settings: &Settings) -> anyhow::Result<Database> {
        let (url, cluster) = match &settings.database_url {
            Some(url) => (url.expose_secret().to_owned(), None),
            None => {
                let cluster = Cluster::start(&settings.data_dir.join("postgres"), &[])?;
                let url = db::owner::owned_database(&cluster, "rallypost", "rallypost")?;
                (url, Some(cluster))
            }
        };
        let target = db::Target { url, pooler: settings.pooler };
        db::migrate(&target)?;
        Ok(Database { target, cluster })
    }

    /// Stops the private cluster; `always` also stops one this process only attached to.
    pub fn close(self, always: bool) {
        if let Some(cluster) = self.cluster
            && (always || cluster.started_here())
        {
            match cluster.stop() {
                Ok(()) => tracing::info!("private PostgreSQL stopped"),
                Err(e) => tracing::warn!(error = %format!("{e:#}"), "stopping the private PostgreSQL failed"),
            }
        }
    }
}

pub fn create_database_if_missing(admin_url: &str, name: &str) -> anyhow::Result<()> {
    use diesel::{Connection, RunQueryDsl, dsl::sql, select, sql_types::Bool};
    let mut conn = diesel::PgConnection::establish(admin_url)?;
    let exists: bool =
        select(sql::<Bool>(&format!("exists (select 1 from pg_database where datname = '{name}')")))
            .get_result(&mut conn)?;
    if !exists {
        diesel::sql_query(format!("create database \"{name}\"")).execute(&mut conn)?;
    }
    Ok(())
}

/// The keys for supporters' personal data: the configured one, or the one kept in the
/// data dir (made on first start, mode 0600).
pub fn data_keys(settings: &Settings) -> anyhow::Result<DataKeys> {
    let current = match &settings.data_key {
        DataKeySetting::Off => return Ok(DataKeys::disabled()),
        DataKeySetting::Given(key) => *key.expose_secret(),
        DataKeySetting::InDataDir => {
            let path = settings.data_dir.join("data_key");
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    crate::crypto::parse_key(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
                }
                Err(_) => {
                    let key: [u8; 32] = rand::random();
                    write_private(&path, hex::encode(key).as_bytes())?;
                    key
                }
            }
        }
    };
    let old: Vec<[u8; 32]> = settings.data_keys_old.iter().map(|key| *key.expose_secret()).collect();
    Ok(DataKeys::new(current, &old))
}

/// The configured key, or the one kept in the data dir (made on first start, mode 0600).
pub fn secret_key(settings: &Settings) -> anyhow::Result<Vec<u8>> {
    if let Some(key) = &settings.secret_key {
        return Ok(key.expose_secret().to_vec());
    }
    let path = settings.data_dir.join("secret_key");
    if let Ok(text) = std::fs::read_to_string(&path) {
        return hex::decode(text.trim()).with_context(|| format!("{} is not hex", path.display()));
    }
    let key: [u8; 32] = rand::random();
    write_private(&path, hex::encode(key).as_bytes())?;
    Ok(key.to_vec())
}

fn write_private(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(contents)?;
    Ok(())
}

pub fn transport(settings: &Settings) -> anyhow::Result<Transport> {
    Ok(match &settings.smtp {
        Some(target) => Transport::Smtp(target.clone()),
        None => Transport::Files(settings.data_dir.join("outbox")),
    })
}

/// SMTP connections the sender keeps open. One connection delivers a message per round
/// trip of each SMTP command; four kept pace with smtp-sink in `benches/pipeline.rs` where
/// one reached about half of it. Letters stay paced per target whatever this number.
pub const SMTP_LANES: usize = 4;

/// Where the sender takes mail from, in order of priority: each source may fill what
/// room a batch has left after the ones before it. Supporters are waiting for their
/// confirmation and receipt, so theirs goes first (confirmations before receipts, and so
/// on down the list of kinds), before any letter; news mailings,
/// which can be thousands at once, go last, so that a big one never holds up a
/// confirmation by more than the batch on the wire.
pub fn claim_sources() -> Vec<Box<dyn ClaimSource>> {
    vec![
        Box::new(DueRows::new(
            "supporter mail",
            &[Kind::Confirmation, Kind::Receipt, Kind::Reminder, Kind::Invitation, Kind::Endorsement],
        )),
        Box::new(DueRows::new("digests", &[Kind::Digest])),
        Box::new(PacedLetters),
        Box::new(DueRows::new("mailings", &[Kind::Mailing])),
    ]
}

/// The mail sender for these settings.
pub fn sender(
    settings: &Settings,
    pool: Pool,
    clock: Arc<dyn Clock>,
    wake: Arc<Notify>,
    keys: Arc<DataKeys>,
) -> anyhow::Result<Sender> {
    let lease = chrono::Duration::from_std(settings.outbox_lease)?;
    let return_paths = return_paths(settings, keys.clone())?;
    let mailings = MailingComposer::new(mailing_context(settings, keys.clone())?);
    Ok(Sender::new(
        pool,
        claim_sources(),
        clock.clone(),
        transport(settings)?,
        settings.mail_from.email.clone(),
        wake,
        SMTP_LANES,
        keys,
    )
    .with_return_path(return_paths)
    .with_refusals(Arc::new(SmtpRefusals::new(clock)))
    .with_composer(Arc::new(mailings))
    .with_lease(lease)
    .with_poll(settings.outbox_poll))
}

/// Each message's own return path, at the bounce domain, tagged under the data key (which
/// every process of an installation shares).
pub fn return_paths(settings: &Settings, keys: Arc<DataKeys>) -> anyhow::Result<Arc<ReturnPaths>> {
    Ok(Arc::new(ReturnPaths::new(keys, &settings.bounce_domain)?))
}

/// The bounce mailbox reader, when `RALLYPOST_BOUNCE_IMAP_URL` names one.
pub fn bounce_reader(
    settings: &Settings,
    pool: Pool,
    clock: Arc<dyn Clock>,
    keys: Arc<DataKeys>,
) -> anyhow::Result<Option<crate::bounces::Reader>> {
    let Some(mailbox) = settings.bounce_imap.clone() else { return Ok(None) };
    let paths = return_paths(settings, keys)?;
    Ok(Some(crate::bounces::Reader::new(pool, clock, paths, mailbox, settings.bounce_poll)))
}

/// Where the webhook deliverer takes its rows from: webhook rows, oldest due first. The
/// mail sender's sources never name that kind, so no row is claimed by both.
pub fn webhook_claim_source() -> Box<dyn ClaimSource> {
    Box::new(DueRows::new("webhooks", &[Kind::Webhook]))
}

/// The webhook deliverer for these settings.
pub fn webhook_deliverer(
    settings: &Settings,
    pool: Pool,
    clock: Arc<dyn Clock>,
    keys: Arc<DataKeys>,
) -> anyhow::Result<Deliverer> {
    let lease = chrono::Duration::from_std(settings.outbox_lease)?;
    Ok(Deliverer::new(pool, webhook_claim_source(), clock, keys, settings.webhook_addresses)?
        .with_lease(lease))
}

/// The letter scheduler for these settings.
pub fn scheduler(settings: &Settings, pool: Pool, clock: Arc<dyn Clock>, keys: Arc<DataKeys>) -> Scheduler {
    let dkim = settings.dkim.as_ref().map(Dkim::config);
    Scheduler::new(pool, clock, LetterContext { from: settings.mail_from.clone(), keys, dkim })
}

/// The housekeeping task for these settings: purge, reminders, erasure of old letters.
pub fn housekeeping(
    settings: &Settings,
    pool: Pool,
    clock: Arc<dyn Clock>,
    keys: Arc<DataKeys>,
) -> Housekeeping {
    let after = chrono::Duration::from_std(settings.reminder_after).unwrap_or(chrono::Duration::hours(48));
    Housekeeping::new(pool, clock).with_reminders(Reminders {
        policy: ReminderPolicy { reminders: settings.reminders, after },
        mail: MailContext { from: settings.mail_from.clone(), base_url: settings.base_url.clone() },
        keys,
    })
}

/// How mailings are written: sender, links, the unsubscribe key (from the secret key,
/// which every process of an installation shares) and the DKIM key over their headers.
pub fn mailing_context(settings: &Settings, keys: Arc<DataKeys>) -> anyhow::Result<MailingContext> {
    Ok(MailingContext {
        from: settings.mail_from.clone(),
        base_url: settings.base_url.clone(),
        keys,
        unsubscribe: UnsubscribeKey::new(&secret_key(settings)?),
        dkim: settings.dkim.as_ref().map(Dkim::list_config),
    })
}

/// What `serve` and `worker` run, and how to stop them.
pub struct Running {
    pub addr: Option<std::net::SocketAddr>,
    pub state: Option<web::Data<AppState>>,
    server: Option<actix_web::dev::ServerHandle>,
    shutdown: CancellationToken,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

pub struct Options {
    /// `None`: no HTTP server (`rallypost worker`).
    pub listener: Option<TcpListener>,
    pub workers: bool,
}

pub async fn start(
    settings: Arc<Settings>,
    database_url: &str,
    clock: Arc<dyn Clock>,
    options: Options,
) -> anyhow::Result<Running> {
    let pool = db::pool(database_url, 16, settings.pooler)?;
    let keys = Arc::new(data_keys(&settings)?);
    {
        let mut conn = pool.get().await.context("connecting to the database")?;
        let slugs = campaigns::import_dir(&mut conn, &settings.campaigns_dir, clock.now()).await?;
        if !slugs.is_empty() {
            tracing::info!(campaigns = ?slugs, "campaigns imported");
        }
        let sealed = crate::signatures::seal_plain_rows(&mut conn, &keys, 1000).await?;
        if sealed > 0 {
            tracing::info!(signatures = sealed, "signatures stored in the clear are now encrypted");
        }
    }
    let shutdown = CancellationToken::new();
    let outbox_wake = Arc::new(Notify::new());
    let metrics = Arc::new(crate::metrics::Metrics::default());
    let mut tasks = Vec::new();

    if options.workers {
        let sender = sender(&settings, pool.clone(), clock.clone(), outbox_wake.clone(), keys.clone())?;
        let sender = Arc::new(sender.with_metrics(metrics.clone()));
        tasks.push(tokio::spawn(sender.run(shutdown.clone())));
        // Mail queued by other processes wakes this one's sender too.
        if settings.pooler.allows_listen() {
            let url = database_url.to_owned();
            tasks.push(tokio::spawn(crate::outbox::listen(url, outbox_wake.clone(), shutdown.clone())));
        }
        let scheduler = Arc::new(scheduler(&settings, pool.clone(), clock.clone(), keys.clone()));
        tasks.push(tokio::spawn(scheduler.run(shutdown.clone())));
        let webhooks = webhook_deliverer(&settings, pool.clone(), clock.clone(), keys.clone())?;
        tasks.push(tokio::spawn(Arc::new(webhooks).run(shutdown.clone())));
        let mailer = Arc::new(Mailer::new(pool.clone(), clock.clone(), keys.clone()));
        tasks.push(tokio::spawn(mailer.run(shutdown.clone())));
        let housekeeping = Arc::new(housekeeping(&settings, pool.clone(), clock.clone(), keys.clone()));
        tasks.push(tokio::spawn(housekeeping.run(shutdown.clone())));
        if let Some(reader) = bounce_reader(&settings, pool.clone(), clock.clone(), keys.clone())? {
            tasks.push(tokio::spawn(Arc::new(reader).run(shutdown.clone())));
        }
    } else if options.listener.is_some() && settings.pooler.allows_listen() {
        // No sender here: the mail this web process queues wakes the workers elsewhere.
        tasks.push(tokio::spawn(crate::outbox::announce(
            pool.clone(),
            outbox_wake.clone(),
            shutdown.clone(),
        )));
    }

    let (mut addr, mut server_handle, mut app_state) = (None, None, None);
    if let Some(listener) = options.listener {
        let signing = SignIntake::start(pool.clone(), keys.clone(), SIGN_COMMITTERS);
        let gauges = Arc::new(crate::gauges::Gauges::default());
        // Nobody may scrape without the token, so without it nothing is read.
        if settings.metrics_token.is_some() {
            tasks.push(tokio::spawn(gauges.clone().run(pool.clone(), clock.clone(), shutdown.clone())));
        }
        let secret = secret_key(&settings)?;
        let state = web::Data::new(AppState {
            pool: pool.clone(),
            csrf: Csrf::new(&secret, settings.secure_cookies()),
            devices: crate::organizers::Devices::new(&secret),
            form_tokens: crate::embed::FormTokens::new(&secret),
            limiter: SignLimiter::new(&settings.sign_rate),
            api_limiter: SignLimiter::new(&settings.api_sign_rate),
            counts: CountCache::default(),
            mail: MailContext { from: settings.mail_from.clone(), base_url: settings.base_url.clone() },
            outbox_wake,
            mailings: mailing_context(&settings, keys.clone())?,
            keys,
            surges: Default::default(),
            signing,
            campaigns: Default::default(),
            metrics,
            gauges: gauges.clone(),
            clock,
            settings: settings.clone(),
            transport: transport(&settings)?,
            database_url: database_url.to_owned(),
            exports: crate::web::ExportSlots::new(CONCURRENT_WEB_EXPORTS),
            share_images: Default::default(),
        });
        addr = Some(listener.local_addr()?);
        let server_state = state.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(server_state.clone())
                .wrap(actix_web::middleware::Compress::default())
                .wrap(actix_web::middleware::from_fn(crate::web::observe))
                .wrap(actix_web::middleware::from_fn(crate::web::remember_lang))
                .configure(crate::web::routes)
        })
        .workers(std::thread::available_parallelism().map_or(2, |n| n.get()))
        .disable_signals()
        .shutdown_timeout(10)
        .listen(listener)?
        .run();
        server_handle = Some(server.handle());
        tasks.push(tokio::spawn(async move {
            if let Err(e) = server.await {
                tracing::error!(error = %e, "HTTP server stopped with an error");
            }
        }));
        let housekeeping_state = state.clone();
        let stop = shutdown.clone();
        tasks.push(tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(60)) => {
                        housekeeping_state.limiter.forget_idle();
                        housekeeping_state.api_limiter.forget_idle();
                        forget_idle_login_failures(&housekeeping_state).await;
                    }
                    _ = stop.cancelled() => break,
                }
            }
        }));
        app_state = Some(state);
    }
    Ok(Running { addr, state: app_state, server: server_handle, shutdown, tasks })
}

impl Running {
    /// Stops accepting, lets requests in flight finish, then stops the workers, which
    /// hand back the outbox rows they had claimed.
    pub async fn stop(self) {
        if let Some(server) = &self.server {
            server.stop(true).await;
        }
        self.shutdown.cancel();
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// Web exports that may run at once in one server process. Each holds a database
/// connection of its own and a blocking thread, and keeps about one core busy decrypting;
/// beyond this, a download is refused with `503` and `Retry-After`.
const CONCURRENT_WEB_EXPORTS: usize = 2;

async fn forget_idle_login_failures(state: &AppState) {
    let result = match state.pool.get().await {
        Ok(mut conn) => crate::organizers::forget_idle_login_failures(&mut conn, state.clock.now())
            .await
            .map_err(anyhow::Error::from),
        Err(e) => Err(anyhow::anyhow!("{e}")),
    };
    if let Err(e) = result {
        tracing::warn!(error = %format!("{e:#}"), "forgetting old failed sign-ins failed");
    }
}

/// Waits for SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).expect("installing a SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}

/// Keeps `Pool` in the public API for commands that need a connection.
pub fn command_pool(db: &db::Target) -> anyhow::Result<Pool> {
    db::pool(&db.url, 2, db.pooler)
}
