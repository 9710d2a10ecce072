//! Per-client limits behind a reverse proxy: the client is the address our proxy wrote in
//! `X-Forwarded-For`, whatever the client itself wrote further left.

use crate::helpers::{
    AppOptions, ORGANIZER, PASSWORD, SLUG, TestApp, encode, hidden_value, spawn_app_with, valid_form,
};

async fn app_behind_a_proxy(sign_rate: &'static str) -> TestApp {
    spawn_app_with(AppOptions {
        sign_rate,
        env: vec![("RALLYPOST_TRUSTED_PROXIES", "127.0.0.1".into())],
        ..Default::default()
    })
    .await
}

fn form_body(fields: &[(String, String)]) -> String {
    fields.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&")
}

async fn sign_via_proxy(app: &TestApp, email: &str, forwarded_for: &str) -> u16 {
    let mut fields = valid_form(email);
    fields.push(("csrf_token".into(), app.csrf_token().await));
    app.client
        .post(app.url(&format!("/c/{SLUG}/sign")))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-forwarded-for", forwarded_for)
        .body(form_body(&fields))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn login_via_proxy(app: &TestApp, email: &str, password: &str, forwarded_for: &str) -> u16 {
    let (_, page) = app.get_text("/admin/login").await;
    let token = hidden_value(&page, "csrf_token").unwrap();
    let fields: Vec<(String, String)> = [("email", email), ("password", password), ("csrf_token", &token)]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    app.client
        .post(app.url("/admin/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-forwarded-for", forwarded_for)
        .body(form_body(&fields))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signer_behind_the_proxy_cannot_escape_the_limit_by_writing_their_own_forwarded_for() {
    let app = app_behind_a_proxy("20/minute").await;

    let mut statuses = Vec::new();
    for i in 0..30 {
        // The signer writes any left-most value; the proxy appends the peer it saw, with a port.
        let forwarded = format!("198.51.100.{i}, 203.0.113.7:{}", 40000 + i);
        statuses.push(sign_via_proxy(&app, &format!("person{i}@example.org"), &forwarded).await);
    }

    let count = |status| statuses.iter().filter(|s| **s == status).count();
    assert_eq!((count(303), count(429)), (20, 10), "{statuses:?}");
    // Someone else behind the same proxy still signs.
    assert_eq!(sign_via_proxy(&app, "neighbour@example.org", "203.0.113.8:40000").await, 303);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ipv6_signer_cannot_escape_the_limit_by_rotating_through_their_64() {
    let app = app_behind_a_proxy("3/minute").await;

    let mut statuses = Vec::new();
    for i in 1..=5 {
        let forwarded = format!("[2001:db8:1:2::{i:x}]:4711");
        statuses.push(sign_via_proxy(&app, &format!("person{i}@example.org"), &forwarded).await);
    }

    assert_eq!(statuses, [303, 303, 303, 429, 429]);
    assert_eq!(sign_via_proxy(&app, "next@example.org", "[2001:db8:1:3::1]:4711").await, 303);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_sign_ins_behind_the_proxy_count_against_the_client_the_proxy_saw() {
    let app = app_behind_a_proxy("off").await;
    app.add_organizer(ORGANIZER, PASSWORD).await;
    // Twenty wrong guesses at different accounts, each claiming another address.
    for i in 0..20 {
        let forwarded = format!("198.51.100.{i}, 203.0.113.7:{}", 40000 + i);
        let status =
            login_via_proxy(&app, &format!("guess{i}@rallypost.example"), PASSWORD, &forwarded).await;
        assert_eq!(status, 401, "guess {i}");
    }

    let status = login_via_proxy(&app, ORGANIZER, PASSWORD, "198.51.100.99, 203.0.113.7:40099").await;

    assert_eq!(status, 429);
    // The organizer signing in from another address behind the same proxy is not slowed down.
    assert_eq!(login_via_proxy(&app, ORGANIZER, PASSWORD, "203.0.113.8:40000").await, 303);
}
