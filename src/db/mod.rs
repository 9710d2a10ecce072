//! The database: the connection pool for requests, the embedded migrations, and the
//! private cluster used in zero-config mode. Queries live with their feature modules.

pub mod cluster;
pub mod schema;

use std::time::Duration;

use anyhow::Context;
use deadpool::Runtime;
use diesel::Connection;
use diesel_async::AsyncPgConnection;
use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

pub type Pool = diesel_async::pooled_connection::deadpool::Pool<AsyncPgConnection>;
pub type PooledConn = deadpool::managed::Object<AsyncDieselConnectionManager<AsyncPgConnection>>;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// Builds the request pool. Timeouts are short so that a database outage turns into a
/// quick 503 instead of requests piling up.
pub fn pool(url: &str, max_size: usize) -> anyhow::Result<Pool> {
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new(url);
    Pool::builder(manager)
        .max_size(max_size)
        .wait_timeout(Some(Duration::from_secs(5)))
        .create_timeout(Some(Duration::from_secs(3)))
        .recycle_timeout(Some(Duration::from_secs(3)))
        .runtime(Runtime::Tokio1)
        .build()
        .context("building the database pool")
}

/// Applies pending migrations with a blocking connection, under an advisory lock so that
/// several processes starting together do not race.
pub fn migrate(url: &str) -> anyhow::Result<usize> {
    use diesel::RunQueryDsl;
    let mut conn = diesel::PgConnection::establish(url)
        .with_context(|| format!("connecting to the database at {}", redact(url)))?;
    diesel::sql_query("select pg_advisory_lock(7262637801)").execute(&mut conn)?;
    let applied = conn.run_pending_migrations(MIGRATIONS).map(|v| v.len());
    diesel::sql_query("select pg_advisory_unlock(7262637801)").execute(&mut conn)?;
    applied.map_err(|e| anyhow::anyhow!("applying migrations: {e}"))
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
