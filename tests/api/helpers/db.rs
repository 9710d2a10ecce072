//! The test databases: one PostgreSQL per run (the private cluster code `serve` uses, or
//! `RALLYPOST_TEST_DATABASE_URL`), a migrated template made once, and a cheap copy of it per
//! test that is dropped when the test ends. Also what tests read back from a database.

use std::ffi::OsStr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use rallypost::db::{Target, cluster::Cluster, schema};

use super::{SLUG, TestApp};

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
        admin_sql(&admin_url, &format!("drop database if exists {template}"));
        admin_sql(&admin_url, &format!("create database {template}"));
        rallypost::db::migrate(&Target::direct(with_database(&admin_url, &template)))
            .expect("migrating the template");
        TestDb { admin_url, template, _cluster: cluster }
    })
}

fn admin_sql(admin_url: &str, sql: &str) {
    let mut conn = PgConnection::establish(admin_url).expect("connecting to the test PostgreSQL");
    diesel::RunQueryDsl::execute(diesel::sql_query(sql), &mut conn).unwrap_or_else(|e| panic!("{sql}: {e}"));
}

fn with_database(url: &str, name: &str) -> String {
    let (base, _) = url.rsplit_once('/').expect("a database URL with a path");
    format!("{base}/{name}")
}

/// A database of one test's own, migrated and empty, dropped (with any connection still
/// open to it) when this value is. Derefs to its URL.
pub struct TestDatabase {
    name: String,
    url: String,
}

impl TestDatabase {
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl std::ops::Deref for TestDatabase {
    type Target = str;
    fn deref(&self) -> &str {
        &self.url
    }
}

impl AsRef<OsStr> for TestDatabase {
    fn as_ref(&self) -> &OsStr {
        self.url.as_ref()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let sql = format!("drop database if exists {} with (force)", self.name);
        let dropped = PgConnection::establish(&test_db().admin_url)
            .map_err(anyhow::Error::from)
            .and_then(|mut conn| Ok(diesel::RunQueryDsl::execute(diesel::sql_query(&sql), &mut conn)?));
        if let Err(e) = dropped {
            eprintln!("{sql}: {e}");
        }
    }
}

/// A new, migrated, empty database, copied from the template.
pub fn fresh_database() -> TestDatabase {
    let db = test_db();
    let name = format!("rallypost_test_{}", uuid::Uuid::new_v4().simple());
    admin_sql(&db.admin_url, &format!("create database {name} template {}", db.template));
    TestDatabase { url: with_database(&db.admin_url, &name), name }
}

impl TestApp {
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

    pub async fn campaign_id(&self) -> uuid::Uuid {
        let mut conn = self.pool.get().await.unwrap();
        schema::campaigns::table
            .filter(schema::campaigns::slug.eq(SLUG))
            .select(schema::campaigns::id)
            .first(&mut conn)
            .await
            .unwrap()
    }
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
}

pub struct StoredSignature {
    pub name: Option<String>,
    pub postcode: Option<String>,
    pub comment: Option<String>,
}
