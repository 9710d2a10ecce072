//! The binary itself: settings errors, campaign import, and zero-config `serve`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::{TempDir, free_port, fresh_database};

const BIN: &str = env!("CARGO_BIN_EXE_rallypost");
const CAMPAIGNS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/campaigns");

fn rallypost() -> Command {
    let mut command = Command::new(BIN);
    for (key, _) in std::env::vars() {
        if key.starts_with("RALLYPOST_") || key == "DATABASE_URL" {
            command.env_remove(key);
        }
    }
    command.env("RALLYPOST_CAMPAIGNS_DIR", CAMPAIGNS);
    command
}

fn campaign_import(db: &str, file: &Path) -> Output {
    let import =
        rallypost().args(["campaign", "import"]).arg(file).env("RALLYPOST_DATABASE_URL", db).output();
    import.unwrap()
}

#[test]
fn a_bad_setting_stops_the_program_with_one_line_naming_it() {
    for (key, value) in
        [("RALLYPOST_BIND", "nonsense"), ("RALLYPOST_SECRET_KEY", "short"), ("RALLYPOST_SIGN_RATE", "x")]
    {
        let output = rallypost().arg("migrate").env(key, value).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{key}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(key), "{stderr}");
    }
}

#[test]
fn campaign_import_updates_the_campaign_with_the_same_slug() {
    let db = fresh_database();
    let dir = TempDir::new("rallypost-import");
    let file = dir.path().join("c.toml");
    let original = std::fs::read_to_string(format!("{CAMPAIGNS}/end-forced-returns.toml")).unwrap();

    for goal in ["1234", "5678"] {
        std::fs::write(&file, original.replace("goal = 50000", &format!("goal = {goal}"))).unwrap();
        let output = campaign_import(&db, &file);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    }
    let output = rallypost().args(["campaign", "list"]).env("RALLYPOST_DATABASE_URL", &db).output().unwrap();
    let listing = String::from_utf8(output.stdout).unwrap();

    assert_eq!(listing.matches("end-forced-returns").count(), 1, "{listing}");
    assert!(listing.contains("5678") && !listing.contains("1234"), "{listing}");
}

#[test]
fn campaign_import_names_the_mistake_in_a_broken_file() {
    let db = fresh_database();
    let dir = TempDir::new("rallypost-import");
    let file = dir.path().join("broken.toml");
    std::fs::write(&file, "slug = \"Not A Slug\"\n").unwrap();

    let output = campaign_import(&db, &file);

    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("broken.toml"), "{stderr}");
}

#[test]
fn campaign_import_refuses_a_closing_time_it_cannot_read_in_one_line() {
    let db = fresh_database();
    let dir = TempDir::new("rallypost-import");
    let file = dir.path().join("closing.toml");
    let original = std::fs::read_to_string(format!("{CAMPAIGNS}/end-forced-returns.toml")).unwrap();
    // A time without an offset would close at a different hour on each host.
    let closing = original.replace("goal = 50000", "goal = 50000\ncloses_at = \"2027-03-01 18:00\"");
    std::fs::write(&file, closing).unwrap();

    let output = campaign_import(&db, &file);

    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("closing.toml") && stderr.contains("closes_at"), "{stderr}");
    assert!(stderr.contains("line 4"), "{stderr}");
}

/// Starts `serve` with no database URL and waits for it to say it is ready.
fn serve(data_dir: &std::path::Path, port: u16) -> std::process::Child {
    let mut child = rallypost()
        .arg("serve")
        .env("RALLYPOST_DATA_DIR", data_dir)
        .env("RALLYPOST_BIND", format!("127.0.0.1:{port}"))
        .env("RALLYPOST_LOG", "warn")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let deadline = Instant::now() + Duration::from_secs(60);
    while let Some(Ok(line)) = lines.next() {
        if line.contains("rallypost is ready") {
            assert!(line.contains(&format!("http://127.0.0.1:{port}/")), "{line}");
            // Keep reading, so the server never writes into a closed pipe.
            std::thread::spawn(move || lines.for_each(drop));
            return child;
        }
        assert!(Instant::now() < deadline, "serve did not become ready");
    }
    panic!("serve exited before it was ready: {:?}", child.wait());
}

fn terminate(mut child: std::process::Child) -> std::process::ExitStatus {
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), nix::sys::signal::Signal::SIGTERM)
        .unwrap();
    child.wait().unwrap()
}

#[test]
fn zero_config_serve_runs_its_own_postgres_keeps_it_and_stops_it_cleanly() {
    let data = TempDir::new("rallypost-serve");
    let port = free_port();

    let first = serve(data.path(), port);
    let page = reqwest::blocking_get(&format!("http://127.0.0.1:{port}/c/end-forced-returns"));
    assert_eq!(page, 200);
    assert_eq!(reqwest::blocking_get(&format!("http://127.0.0.1:{port}/readyz")), 200);
    assert!(terminate(first).success());
    let cluster = data.path().join("postgres");
    assert!(cluster.join("PG_VERSION").exists());
    assert!(!cluster.join("postmaster.pid").exists(), "PostgreSQL was not stopped");
    let key = std::fs::read_to_string(data.path().join("secret_key")).unwrap();
    let initialised = std::fs::metadata(cluster.join("PG_VERSION")).unwrap().modified().unwrap();

    let second = serve(data.path(), port);
    assert_eq!(reqwest::blocking_get(&format!("http://127.0.0.1:{port}/readyz")), 200);
    assert!(terminate(second).success());

    assert_eq!(std::fs::metadata(cluster.join("PG_VERSION")).unwrap().modified().unwrap(), initialised);
    assert_eq!(std::fs::read_to_string(data.path().join("secret_key")).unwrap(), key, "the key is kept");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(data.path().join("secret_key")).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn a_zero_config_serve_killed_outright_leaves_postgres_that_the_next_serve_attaches_to() {
    let data = TempDir::new("rallypost-serve");
    let port = free_port();
    let postmaster = data.path().join("postgres/postmaster.pid");
    let server_pid = || std::fs::read_to_string(&postmaster).unwrap().lines().next().unwrap().to_owned();

    let mut first = serve(data.path(), port);
    first.kill().unwrap();
    first.wait().unwrap();
    assert!(postmaster.exists(), "PostgreSQL outlives a serve killed with SIGKILL");
    let left_running = server_pid();

    let second = serve(data.path(), port);
    let page = reqwest::blocking_get(&format!("http://127.0.0.1:{port}/c/end-forced-returns"));
    let attached_to = server_pid();
    assert!(terminate(second).success());

    assert_eq!(page, 200);
    assert_eq!(attached_to, left_running, "the second serve used the server the first left");
    assert!(!postmaster.exists(), "and stopped it on its way out");
}

/// A tiny blocking GET, returning the status code.
mod reqwest {
    pub fn blocking_get(url: &str) -> u16 {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async { ::reqwest::get(url).await.map(|r| r.status().as_u16()).unwrap_or(0) })
    }
}

#[test]
fn dispatch_preview_prints_a_letter_and_a_dry_run_changes_nothing() {
    let db = fresh_database();
    let migrate = rallypost().arg("migrate").env("RALLYPOST_DATABASE_URL", &db).output().unwrap();
    assert!(migrate.status.success());
    let import = rallypost()
        .args(["campaign", "import", &format!("{CAMPAIGNS}/end-forced-returns.toml")])
        .env("RALLYPOST_DATABASE_URL", &db)
        .output()
        .unwrap();
    assert!(import.status.success());

    let preview = rallypost()
        .args(["dispatch", "preview", "end-forced-returns", "--target", "eu-home"])
        .env("RALLYPOST_DATABASE_URL", &db)
        .output()
        .unwrap();
    let text = String::from_utf8(preview.stdout).unwrap();
    assert!(preview.status.success(), "{}", String::from_utf8_lossy(&preview.stderr));
    assert!(text.contains("To: Commissioner for Internal Affairs and Migration"), "{text}");
    assert!(text.contains("Dear Commissioner,"));

    let unknown = rallypost()
        .args(["dispatch", "preview", "end-forced-returns", "--target", "nobody"])
        .env("RALLYPOST_DATABASE_URL", &db)
        .output()
        .unwrap();
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("de-bmi, at-bmi, eu-home"));

    let dry = rallypost()
        .args(["dispatch", "run", "end-forced-returns", "--dry-run"])
        .env("RALLYPOST_DATABASE_URL", &db)
        .output()
        .unwrap();
    let text = String::from_utf8(dry.stdout).unwrap();
    assert!(dry.status.success());
    assert!(text.contains("would queue") && text.contains("nothing was queued or sent"), "{text}");
}

#[test]
fn a_log_read_through_a_pipe_has_no_colour_codes_and_no_progress_line() {
    let db = fresh_database();
    let import = rallypost()
        .args(["campaign", "import", &format!("{CAMPAIGNS}/end-forced-returns.toml")])
        .env("RALLYPOST_DATABASE_URL", &db)
        .output()
        .unwrap();
    assert!(import.status.success(), "{}", String::from_utf8_lossy(&import.stderr));

    // `output()` gives the child pipes, as a log collector or `2> file` would.
    let export = rallypost()
        .args(["export", "end-forced-returns"])
        .env("RALLYPOST_DATABASE_URL", &db)
        .env("RALLYPOST_LOG", "rallypost=debug")
        .output()
        .unwrap();

    assert!(export.status.success(), "{}", String::from_utf8_lossy(&export.stderr));
    let log = String::from_utf8(export.stderr).unwrap();
    assert!(log.contains("export written"), "the log line under test is missing: {log}");
    assert!(!log.contains('\u{1b}'), "escape sequences in the log: {log:?}");
    assert!(!log.contains('\r'), "a progress line in the log: {log:?}");
}

#[test]
fn campaign_import_refuses_texts_in_a_language_not_shipped_or_missing_a_field_in_one_line() {
    let db = fresh_database();
    let dir = TempDir::new("rallypost-import");
    let shipped =
        std::fs::read_to_string(format!("{}/campaigns/end-forced-returns.toml", env!("CARGO_MANIFEST_DIR")))
            .unwrap();
    let start = shipped.find("[texts.de]").unwrap();
    let summary = start + shipped[start..].find("\nsummary").unwrap() + 1;
    let end = summary + shipped[summary..].find('\n').unwrap() + 1;
    let cases = [
        (shipped.replace("[texts.de]", "[texts.xx]"), "unsupported language \"xx\""),
        (format!("{}{}", &shipped[..summary], &shipped[end..]), "missing field `summary`"),
    ];
    for (text, gap) in cases {
        let file = dir.path().join("campaign.toml");
        std::fs::write(&file, text).unwrap();

        let output = campaign_import(&db, &file);

        assert!(!output.status.success());
        let stderr = String::from_utf8(output.stderr).unwrap();
        let lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("rallypost:")).collect();
        assert_eq!(lines.len(), 1, "{stderr}");
        assert!(lines[0].contains(gap) && lines[0].contains("campaign.toml"), "{stderr}");
    }
}
