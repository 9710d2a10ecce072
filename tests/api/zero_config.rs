//! Zero-config mode's private PostgreSQL: only the OS user running rallypost reaches it, the
//! application connects as its database's owner without superuser powers, and a cluster left
//! running by an earlier process is attached to.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rallypost::config::Settings;
use rallypost::db::Target;
use rallypost::db::cluster::Cluster;
use rallypost::startup::Database;

use crate::helpers::TempDir;

/// `Database::open` on a fresh data dir, with no database URL; stops its cluster when dropped.
struct ZeroConfig {
    database: Option<Database>,
    data: TempDir,
}

impl ZeroConfig {
    fn open() -> ZeroConfig {
        ZeroConfig::open_in(TempDir::new("rallypost-zero-config"))
    }

    fn open_in(data: TempDir) -> ZeroConfig {
        let database = Database::open(&settings(data.path())).expect("opening the zero-config database");
        ZeroConfig { database: Some(database), data }
    }

    fn url(&self) -> &str {
        &self.database.as_ref().unwrap().target.url
    }

    fn port(&self) -> u16 {
        port(self.data.path())
    }
}

/// Whether the user nobody reaches `zero`'s cluster through `tcp` (its port on 127.0.0.1).
/// That port only names the cluster's socket file and was free when it started, so another
/// cluster (another test's, listening on TCP) may hold it by now: what must not answer
/// there is this one, known by its data directory.
fn reaches_over_tcp(zero: &ZeroConfig, tcp: &str) -> bool {
    let attempt = psql(Some("nobody"), tcp, "select current_setting('data_directory')");
    let answered = String::from_utf8_lossy(&attempt.stdout).trim().to_owned();
    let ours = std::fs::canonicalize(zero.data.path().join("postgres")).unwrap();
    attempt.status.success() && std::fs::canonicalize(&answered).is_ok_and(|dir| dir == ours)
}

/// The port the cluster in `data_dir` was started with, from its `postmaster.pid`.
fn port(data_dir: &Path) -> u16 {
    let pid_file = std::fs::read_to_string(data_dir.join("postgres/postmaster.pid")).unwrap();
    pid_file.lines().nth(3).unwrap().trim().parse().unwrap()
}

impl Drop for ZeroConfig {
    fn drop(&mut self) {
        if let Some(database) = self.database.take() {
            database.close(true);
        }
    }
}

fn settings(data_dir: &Path) -> Settings {
    let env = HashMap::from([("RALLYPOST_DATA_DIR".to_owned(), data_dir.display().to_string())]);
    Settings::from_sources(&env, None).unwrap()
}

fn psql_binary() -> PathBuf {
    let mut versions: Vec<_> =
        std::fs::read_dir("/usr/lib/postgresql").unwrap().flatten().map(|e| e.path()).collect();
    versions.sort();
    versions.last().unwrap().join("bin/psql")
}

/// `psql URL -c SQL`, as `os_user` when given (the tests run as root).
fn psql(os_user: Option<&str>, url: &str, sql: &str) -> Output {
    let mut command = match os_user {
        Some(user) => {
            let mut command = Command::new("runuser");
            command.args(["-u", user, "--"]).arg(psql_binary());
            command
        }
        None => Command::new(psql_binary()),
    };
    command.args(["-X", "-w", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql, url]).current_dir("/");
    command.output().expect("running psql")
}

fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// The same URL for another role.
fn as_role(url: &str, role: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let (_, host_and_path) = rest.split_once('@').unwrap();
    format!("{scheme}://{role}@{host_and_path}")
}

#[test]
fn another_os_user_on_the_machine_cannot_reach_the_zero_config_database() {
    assert!(
        nix::unistd::Uid::effective().is_root(),
        "this test switches to the user nobody, so it runs as root"
    );
    let zero = ZeroConfig::open();
    assert_eq!(stdout(&psql(None, zero.url(), "select 1")), "1", "the user running rallypost gets in");
    assert!(Command::new("runuser").args(["-u", "nobody", "--", "true"]).status().unwrap().success());

    for (what, url) in [
        ("the application's URL", zero.url().to_owned()),
        ("the superuser on the same socket", as_role(zero.url(), "postgres")),
    ] {
        let attempt = psql(Some("nobody"), &url, "select 1");
        assert!(
            !attempt.status.success(),
            "nobody connected through {what} ({url}): {}",
            String::from_utf8_lossy(&attempt.stdout)
        );
    }
    let tcp = format!("postgres://postgres@127.0.0.1:{}/postgres", zero.port());
    assert!(!reaches_over_tcp(&zero, &tcp), "nobody connected through TCP on the cluster's port ({tcp})");
    assert_eq!(stdout(&psql(None, zero.url(), "show listen_addresses")), "", "no TCP at all");
}

#[test]
fn the_zero_config_application_owns_its_database_but_cannot_run_programs_on_the_server() {
    let zero = ZeroConfig::open();

    let role = stdout(&psql(
        None,
        zero.url(),
        "select rolsuper, rolcreaterole, rolcreatedb from pg_roles where rolname = current_user",
    ));
    let owns = stdout(&psql(
        None,
        zero.url(),
        "select pg_get_userbyid(datdba) = current_user from pg_database where datname = current_database()",
    ));
    let tables_owned_by_others = stdout(&psql(
        None,
        zero.url(),
        "select count(*) from pg_tables where schemaname = 'public' and tableowner <> current_user",
    ));
    let program = psql(None, zero.url(), "copy (select 1) to program 'touch /tmp/rallypost-copy-to-program'");

    assert_eq!(role, "f|f|f", "superuser, createrole, createdb");
    assert_eq!(owns, "t", "the application's role owns its database");
    assert_eq!(tables_owned_by_others, "0", "and every table in it (migrations ran as that role)");
    assert!(!program.status.success(), "COPY ... TO PROGRAM ran");
    let refusal = String::from_utf8_lossy(&program.stderr);
    assert!(refusal.contains("pg_execute_server_program"), "{refusal}");
}

#[test]
fn a_cluster_an_earlier_version_left_open_on_tcp_is_closed_off_and_its_database_handed_over() {
    let data = TempDir::new("rallypost-zero-config");
    // What earlier versions did: trust on 127.0.0.1, no socket, and a database whose tables
    // (and anything else a migration made) belong to the superuser.
    let dir = data.path().join("postgres");
    Cluster::start(&dir, &[]).unwrap().stop().unwrap();
    let hba = std::fs::read_to_string(dir.join("pg_hba.conf")).unwrap();
    std::fs::write(dir.join("pg_hba.conf"), format!("host all all 127.0.0.1/32 trust\n{hba}")).unwrap();
    let old = Cluster::start(&dir, &["listen_addresses=127.0.0.1", "unix_socket_directories=''"]).unwrap();
    let tcp = |database: &str| format!("postgres://postgres@127.0.0.1:{}/{database}", port(data.path()));
    stdout(&psql(None, &tcp("postgres"), "create database rallypost"));
    rallypost::db::migrate(&Target::direct(tcp("rallypost"))).unwrap();
    stdout(&psql(
        None,
        &tcp("rallypost"),
        "create table notes (id serial primary key); create type mood as enum ('calm'); \
         create function answer() returns int language sql as 'select 42'",
    ));
    assert_eq!(
        stdout(&psql(Some("nobody"), &tcp("rallypost"), "select 1")),
        "1",
        "the old shape let anyone in"
    );
    drop(old);

    let zero = ZeroConfig::open_in(data);

    let tcp = format!("postgres://postgres@127.0.0.1:{}/rallypost", zero.port());
    assert!(!reaches_over_tcp(&zero, &tcp), "still reachable over TCP ({tcp})");
    assert_eq!(stdout(&psql(None, zero.url(), "show listen_addresses")), "");
    let owned_by_others = stdout(&psql(
        None,
        zero.url(),
        "select (select count(*) from pg_class where relnamespace = 'public'::regnamespace and relowner <> current_user::regrole) \
              + (select count(*) from pg_type where typnamespace = 'public'::regnamespace and typtype = 'e' and typowner <> current_user::regrole) \
              + (select count(*) from pg_proc where pronamespace = 'public'::regnamespace and proowner <> current_user::regrole)",
    ));
    assert_eq!(owned_by_others, "0");
    stdout(&psql(None, zero.url(), "insert into notes default values; select answer()"));
    rallypost::db::migrate(&Target::direct(zero.url())).expect("migrations run as the new owner");
}
