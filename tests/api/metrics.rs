//! `/metrics`: only for the scraper that holds `RALLYPOST_METRICS_TOKEN`, and cheap: a
//! scrape reads what one task per process refreshed, never the tables.

use std::time::{Duration, Instant};

use crate::helpers::{AppOptions, SLUG, TestApp, spawn_app, spawn_app_with, valid_form};

const TOKEN: &str = "a metrics token of at least thirty-two characters";

/// An app with the token set, once its gauges have been read for the first time.
async fn with_token() -> TestApp {
    let app = spawn_app_with(AppOptions {
        env: vec![("RALLYPOST_METRICS_TOKEN", TOKEN.into())],
        ..Default::default()
    })
    .await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !scrape(&app, "/metrics", Some(TOKEN))
        .await
        .1
        .contains("rallypost_gauges_refreshed_timestamp_seconds")
    {
        assert!(Instant::now() < deadline, "the gauges were never read");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    app
}

async fn scrape(app: &TestApp, path: &str, token: Option<&str>) -> (u16, String) {
    let mut request = app.bare_client().get(app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

fn pending_line(n: i64) -> String {
    format!("rallypost_signatures{{campaign=\"{SLUG}\",status=\"pending\"}} {n}")
}

#[tokio::test]
async fn without_a_metrics_token_set_metrics_are_not_served_at_all() {
    let app = spawn_app().await;

    for token in [None, Some(""), Some(TOKEN)] {
        let (status, body) = scrape(&app, "/metrics", token).await;

        assert_eq!(status, 404, "{token:?}");
        assert!(!body.contains("rallypost_"), "{body}");
    }
}

#[tokio::test]
async fn metrics_refuse_a_missing_or_wrong_token_however_the_path_is_spelled() {
    let app = with_token().await;
    let wrong = TOKEN.replace('a', "b");

    for path in ["/metrics", "/metrics/", "//metrics", "/%6Detrics", "/metrics?format=text", "/./metrics"] {
        for token in [None, Some(""), Some(wrong.as_str()), Some("a metrics token")] {
            let (status, body) = scrape(&app, path, token).await;

            assert!(status == 401 || status == 404, "{path} with {token:?}: {status}");
            assert!(!body.contains("rallypost_"), "{path} with {token:?}: {body}");
        }
    }
    // The token goes in the Authorization header only, not in the query or another header.
    let (status, _) = scrape(&app, &format!("/metrics?token={}", crate::helpers::encode(TOKEN)), None).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn the_scraper_with_the_token_reads_the_gauges() {
    let app = with_token().await;
    app.sign(&valid_form("mina@example.org")).await;
    app.wait_for_outbox_drained().await;

    let (status, text) = scrape(&app, "/metrics", Some(TOKEN)).await;

    assert_eq!(status, 200, "{text}");
    for gauge in [
        &format!("rallypost_signatures{{campaign=\"{SLUG}\",status=\"confirmed\"}} "),
        "rallypost_outbox_due_messages{kind=\"confirmation\"} ",
        "rallypost_outbox_overdue_seconds{kind=\"letter\"} 0",
        "rallypost_table_rows_estimate{table=\"signatures\"} ",
        "rallypost_gauges_refreshed_timestamp_seconds ",
        "rallypost_signature_surges_total{source=\"email_domain\"} 0",
        "rallypost_mail_attempts_total{result=\"accepted\"} 1",
        "rallypost_http_request_duration_seconds_count{method=\"POST\",route=\"/c/{slug}/sign\",status=\"3xx\"} 1",
    ] {
        assert!(text.contains(gauge), "no {gauge:?} in:\n{text}");
    }
}

/// The scrape shows what the refresher read, not a count made for it: a new signature
/// appears only once the refresher has run again (at most 15 s later).
#[tokio::test]
async fn a_scrape_reads_the_last_refresh_and_never_counts_the_tables() {
    let app = with_token().await;
    let (_, before) = scrape(&app, "/metrics", Some(TOKEN)).await;
    assert!(!before.contains(&pending_line(1)), "{before}");

    assert_eq!(app.sign(&valid_form("mina@example.org")).await.status(), 303);
    let (status, right_after) = scrape(&app, "/metrics", Some(TOKEN)).await;

    assert_eq!(status, 200);
    assert!(!right_after.contains(&pending_line(1)), "a scrape counted the table:\n{right_after}");
    assert!(right_after.contains(&pending_line(0)), "{right_after}");
    let deadline = Instant::now() + Duration::from_secs(25);
    loop {
        let (_, text) = scrape(&app, "/metrics", Some(TOKEN)).await;
        if text.contains(&pending_line(1)) {
            break;
        }
        assert!(Instant::now() < deadline, "the refresher never showed the new signature:\n{text}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
