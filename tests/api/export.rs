//! The CSV export: its cells, its filters, its equality between web and command line, and
//! its audit log.

use std::process::Command;

use crate::helpers::{SLUG, Seed, TestApp, spawn_app};

const BIN: &str = env!("CARGO_BIN_EXE_rallypost");
const HEADER: &str = "signature_id,status,signed_at,confirmed_at,name,email,country,postcode,comment,\
    updates_opt_in,language,anonymous,partner,source,medium,utm_campaign";

fn at(t: &str) -> chrono::DateTime<chrono::Utc> {
    t.parse().unwrap()
}

async fn web_export(app: &TestApp, query: &str) -> (u16, Vec<u8>) {
    let response = app.get(&format!("/admin/c/{SLUG}/signatures.csv{query}")).await;
    let status = response.status().as_u16();
    (status, response.bytes().await.unwrap().to_vec())
}

fn cli_export(app: &TestApp, args: &[&str]) -> Vec<u8> {
    let output = Command::new(BIN)
        .args(["export", SLUG])
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RALLYPOST_DATABASE_URL", &app.db_url)
        .env("RALLYPOST_DATA_DIR", app.data_dir.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    output.stdout
}

fn parse(bytes: &[u8]) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[tokio::test]
async fn the_export_quotes_guards_and_orders_every_cell() {
    let app = spawn_app().await;
    app.login_as_organizer().await;
    let later = app
        .seed(Seed {
            name: "=HYPERLINK(\"http://evil.example\")",
            email: "+49@example.org",
            postcode: Some("-1234"),
            comment: Some("Hello, \"friends\"\r\nsecond line"),
            signed_at: at("2026-11-02T09:30:00Z"),
            ..Seed::default()
        })
        .await;
    let earlier = app
        .seed(Seed {
            name: "محمد رحیمی",
            email: "m.rahimi@example.org",
            country: "AF",
            comment: Some("@everyone\tlook"),
            signed_at: at("2026-11-01T08:00:00Z"),
            ..Seed::default()
        })
        .await;
    app.seed(Seed { status: "pending", ..Seed::default() }).await;
    app.seed(Seed { status: "withdrawn", ..Seed::default() }).await;

    let (status, bytes) = web_export(&app, "").await;

    assert_eq!(status, 200);
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.starts_with(&format!("{HEADER}\r\n")), "{text}");
    assert!(text.contains("\"Hello, \"\"friends\"\"\r\nsecond line\""), "{text}");
    let rows = parse(&bytes);
    assert_eq!(rows.len(), 3, "header and the two confirmed rows: {rows:?}");
    assert_eq!(rows[0].join(","), HEADER);
    assert_eq!(
        rows[1],
        [
            earlier.to_string().as_str(),
            "confirmed",
            "2026-11-01T08:00:00Z",
            "2026-11-01T08:05:00Z",
            "محمد رحیمی",
            "m.rahimi@example.org",
            "AF",
            "",
            "'@everyone\tlook",
            "false",
            "en",
            "false",
            "",
            "",
            "",
            ""
        ]
    );
    assert_eq!(
        rows[2],
        [
            later.to_string().as_str(),
            "confirmed",
            "2026-11-02T09:30:00Z",
            "2026-11-02T09:35:00Z",
            "'=HYPERLINK(\"http://evil.example\")",
            "'+49@example.org",
            "DE",
            "'-1234",
            "Hello, \"friends\"\r\nsecond line",
            "true",
            "en",
            "false",
            "",
            "",
            "",
            ""
        ]
    );
}

#[tokio::test]
async fn web_and_command_line_exports_are_the_same_bytes_and_both_are_logged() {
    let app = spawn_app().await;
    app.login_as_organizer().await;
    for (i, (status, country)) in [
        ("confirmed", "AF"),
        ("pending", "DE"),
        ("confirmed", "DE"),
        ("withdrawn", "AF"),
        ("confirmed", "AT"),
    ]
    .into_iter()
    .enumerate()
    {
        let signed_at = at("2026-11-01T00:00:00Z") + chrono::Duration::days(i as i64);
        app.seed(Seed { status, country, comment: Some("ein, \"Kommentar\""), signed_at, ..Seed::default() })
            .await;
    }
    let cases: [(&str, &[&str], usize); 4] = [
        ("", &[], 3),
        ("?status=all", &["--status", "all"], 4),
        ("?status=pending", &["--status", "pending"], 1),
        (
            "?status=all&since=2026-11-02&until=2026-11-05T00:00:00Z&country=de",
            &[
                "--status",
                "all",
                "--since",
                "2026-11-02",
                "--until",
                "2026-11-05T00:00:00Z",
                "--country",
                "de",
            ],
            2,
        ),
    ];

    for (query, args, rows) in cases {
        let (status, web) = web_export(&app, query).await;
        let cli = cli_export(&app, args);
        assert_eq!(status, 200, "{query}");
        assert_eq!(parse(&web).len(), rows + 1, "{query}");
        assert_eq!(String::from_utf8(web).unwrap(), String::from_utf8(cli).unwrap(), "{query}");
    }

    let (_, page) = app.get_text(&format!("/admin/c/{SLUG}")).await;
    assert_eq!(page.matches("<td>web</td>").count(), 4, "{page}");
    assert_eq!(page.matches("<td>cli</td>").count(), 4, "{page}");
    assert!(page.contains("organizer@rallypost.example"));
    assert!(
        page.contains("&quot;country&quot;:&quot;DE&quot;")
            || page.contains("&#34;country&#34;:&#34;DE&#34;"),
        "{page}"
    );
}

#[tokio::test]
async fn the_command_line_writes_to_a_file_when_asked() {
    let app = spawn_app().await;
    app.seed(Seed::default()).await;
    let out = app.data_dir.path().join("out.csv");

    let stdout = cli_export(&app, &["--out", out.to_str().unwrap()]);

    assert!(stdout.is_empty());
    assert_eq!(parse(&std::fs::read(&out).unwrap()).len(), 2);
}

#[tokio::test]
async fn bad_filters_get_a_400_not_an_error() {
    let app = spawn_app().await;
    app.login_as_organizer().await;

    for query in ["?status=withdrawn", "?since=yesterday", "?until=2026-13-01", "?country=XX", "?status=%FF"]
    {
        let (status, _) = web_export(&app, query).await;
        assert_eq!(status, 400, "{query}");
    }
    let (status, _) = web_export(&app, "?unknown=1").await;
    assert_eq!(status, 200);
    assert_eq!(app.get("/admin/c/no-such-campaign/signatures.csv").await.status(), 404);
}

#[tokio::test]
async fn exports_beyond_the_servers_slots_are_refused_with_a_503_and_retry_after() {
    let app = spawn_app().await;
    app.login_as_organizer().await;
    app.seed(Seed::default()).await;
    // Exports in progress hold the slots; here the test holds them all.
    let slots = app.state().exports.clone();
    let held: Vec<_> = std::iter::from_fn(|| slots.try_take()).take(100).collect();
    assert!(!held.is_empty() && held.len() < 100, "a small, finite number of slots");

    let refused = app.get(&format!("/admin/c/{SLUG}/signatures.csv")).await;
    assert_eq!(refused.status(), 503);
    assert_eq!(refused.headers()["retry-after"], "30");
    assert!(refused.text().await.unwrap().contains("try again"));

    drop(held);
    let (status, body) = web_export(&app, "").await;
    assert_eq!(status, 200);
    assert_eq!(parse(&body).len(), 2);
    // The slot came back when that export ended: the next one runs too.
    assert_eq!(web_export(&app, "").await.0, 200);
    assert!(slots.try_take().is_some());
}

#[tokio::test]
async fn a_long_export_keeps_every_row_in_signing_order() {
    // More chunks (of 1,000 rows) than the export keeps in flight, seeded latest first, so
    // that order is the database's and the threads' doing, not the seeding's.
    let app = spawn_app().await;
    app.login_as_organizer().await;
    let n = 4_100;
    let start = at("2026-11-01T00:00:00Z");
    let mut ids = Vec::new();
    for i in 0..n {
        let signed_at = start + chrono::Duration::seconds(n - i);
        ids.push(app.seed(Seed { signed_at, ..Seed::default() }).await.to_string());
    }
    ids.reverse();

    let (status, bytes) = web_export(&app, "").await;

    assert_eq!(status, 200);
    let rows = parse(&bytes);
    let exported: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(exported.len(), ids.len());
    assert!(exported == ids, "the rows came out of order");
    assert!(rows[1..].iter().all(|r| r[4] == "Mina Ahmadi" && r[5] == "mina@example.org"));
    assert_eq!(cli_export(&app, &[]), bytes);
}
