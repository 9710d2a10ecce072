//! The database: the connection pool for requests, the embedded migrations, and the
//! private cluster used in zero-config mode. Queries live with their feature modules.

pub mod cluster;
pub mod owner;
mod pooler;
pub mod schema;
mod text_enum;

pub use pooler::{Pooler, Target};

pub(crate) use text_enum::text_enum;

use std::time::Duration;

use anyhow::Context;
use deadpool::Runtime;
use diesel::Connection;
use diesel::connection::CacheSize;
use diesel::{ConnectionError, ConnectionResult};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use futures_util::future::BoxFuture;
use tokio::runtime::Handle;

pub type Pool = diesel_async::pooled_connection::deadpool::Pool<AsyncPgConnection>;
pub type PooledConn = diesel_async::pooled_connection::deadpool::Object<AsyncPgConnection>;
/// Why the pool gave no connection: the server out of reach, or every connection busy.
pub use diesel_async::pooled_connection::deadpool::PoolError;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// A failure that means the database could not be reached, for a caller that cannot pass
/// on the original error (several requests sharing one failed transaction).
#[derive(Debug, thiserror::Error)]
#[error("the database is unavailable")]
pub struct Unavailable;

/// True when the database could not be reached, as opposed to a query going wrong.
pub fn is_unavailable(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause.is::<Unavailable>()
            || cause.is::<PoolError>()
            || matches!(
                cause.downcast_ref::<diesel::result::Error>(),
                Some(diesel::result::Error::DatabaseError(
                    // diesel-async reports a connection the server closed (restart,
                    // failover) as UnableToSendCommand.
                    diesel::result::DatabaseErrorKind::ClosedConnection
                        | diesel::result::DatabaseErrorKind::UnableToSendCommand,
                    _
                )) | Some(diesel::result::Error::BrokenTransactionManager)
            )
    })
}

/// Builds the request pool. Timeouts are short so that a database outage turns into a
/// quick 503 instead of requests piling up.
///
/// Behind a transaction pooler (`Pooler::Transaction`) no connection keeps prepared
/// statements: a statement cached on one server connection would be looked for on
/// another (`prepared statement "s20" does not exist`), and two processes' `s20` would
/// meet on one server (`already exists`). Each query then goes as an unnamed statement,
/// parsed, bound and run in one round trip (the one change in `vendor/diesel-async`, see
/// its PATCHED.md: diesel-async itself prepared a named statement in one round trip and
/// ran it in the next, which the pooler may send to another server), at the cost of a
/// parse and a plan per query.
pub fn pool(url: &str, max_size: usize, pooler: Pooler) -> anyhow::Result<Pool> {
    // No test query on every checkout: a connection the server closed (restart, failover)
    // is known closed to tokio-postgres and dropped by the pool instead; the one request
    // that meets it first gets a 503. The default ("verified") cost a round trip per request.
    let mut config = ManagerConfig::default();
    config.recycling_method = RecyclingMethod::Fast;
    let runtime = Handle::try_current().context("the database pool is built inside the async runtime")?;
    let keep_statements = pooler.keeps_prepared_statements();
    config.custom_setup = Box::new(move |url| establish_on(&runtime, url, keep_statements));
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(url, config);
    Pool::builder(manager)
        .max_size(max_size)
        .wait_timeout(Some(Duration::from_secs(5)))
        .create_timeout(Some(Duration::from_secs(3)))
        .recycle_timeout(Some(Duration::from_secs(3)))
        .runtime(Runtime::Tokio1)
        .build()
        .context("building the database pool")
}

/// Opens a connection on `runtime`, the one the pool was built on, whichever runtime asks.
///
/// Why: a connection's socket and the task that reads it (tokio-postgres's) belong to the
/// runtime that opened it, and actix-web answers requests on runtimes of its own, one
/// thread each. A connection first opened by a request was read only when that thread had
/// time, so a signing transaction on it, run by a committer task of the main runtime,
/// waited between its statements for a thread busy with other requests: at half the
/// signing peak PostgreSQL found those sessions idle in transaction, waiting for
/// rallypost, in most samples (bench/README.md, issue 17 item 5).
///
/// Behind a transaction pooler the connection keeps no prepared statement (see `pool`).
fn establish_on(
    runtime: &Handle,
    url: &str,
    keep_statements: bool,
) -> BoxFuture<'static, ConnectionResult<AsyncPgConnection>> {
    let url = url.to_owned();
    let opening = runtime.spawn(async move {
        let mut conn = AsyncPgConnection::establish(&url).await?;
        if !keep_statements {
            conn.set_prepared_statement_cache_size(CacheSize::Disabled);
        }
        Ok(conn)
    });
    Box::pin(async move {
        opening.await.map_err(|e| ConnectionError::BadConnection(format!("opening a connection: {e}")))?
    })
}

/// A blocking connection (migrations, exports), keeping no prepared statement behind a
/// transaction pooler; diesel then sends each query with its parameters in one round
/// trip (an unnamed statement), which a pooler cannot split across server connections.
pub fn connect(db: &Target) -> anyhow::Result<diesel::PgConnection> {
    let mut conn = diesel::PgConnection::establish(&db.url)
        .with_context(|| format!("connecting to the database at {}", redact(&db.url)))?;
    if !db.pooler.keeps_prepared_statements() {
        conn.set_prepared_statement_cache_size(CacheSize::Disabled);
    }
    Ok(conn)
}

/// Applies pending migrations with a blocking connection, in one transaction that first
/// takes an advisory lock, so that several processes starting together do not race. The
/// lock is transaction-scoped: it also holds through a pooler in transaction mode
/// (PgBouncer), where a session lock and its unlock could reach different server
/// connections and leave the lock taken.
pub fn migrate(db: &Target) -> anyhow::Result<usize> {
    use diesel::RunQueryDsl;
    let mut conn = connect(db)?;
    conn.transaction(|conn| {
        diesel::sql_query("select pg_advisory_xact_lock(7262637801)").execute(conn)?;
        conn.run_pending_migrations(MIGRATIONS)
            .map(|v| v.len())
            .map_err(|e| anyhow::anyhow!("applying migrations: {e}"))
    })
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{}@{}", &url[..scheme + 3], user, &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}
