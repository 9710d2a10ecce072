//! Confirming and withdrawing by the links in the emails; the count.

use chrono::Duration;
use diesel::prelude::*;

use crate::helpers::{SLUG, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emailed_link_confirms_and_only_then_the_count_moves() {
    let app = spawn_app().await;
    let link = app.sign_and_get_link("mina@example.org").await;
    assert_eq!(app.confirmed_count().await, 0);

    // Mail scanners follow links: a GET shows a button and changes nothing.
    let page = app.client.get(&link).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("<form method=\"post\""));
    app.clock.advance(Duration::seconds(3));
    assert_eq!(app.confirmed_count().await, 0);

    let confirmed = app.client.post(&link).send().await.unwrap();
    assert_eq!(confirmed.status(), 200);
    assert!(confirmed.text().await.unwrap().contains("your signature counts"));
    assert_eq!(app.confirmed_count().await, 1);
    assert_eq!(app.signatures_by_status().await, [("confirmed".to_string(), 1)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confirming_twice_is_harmless_and_sends_one_receipt_with_a_withdraw_link() {
    let app = spawn_app().await;
    let link = app.sign_and_get_link("mina@example.org").await;

    assert_eq!(app.client.post(&link).send().await.unwrap().status(), 200);
    assert_eq!(app.client.post(&link).send().await.unwrap().status(), 200);

    let mails = app.mail.wait_for(2).await;
    app.wait_for_outbox_drained().await;
    assert_eq!(app.mail.messages().len(), 2);
    let receipt = &mails[1];
    assert_eq!(receipt.rcpt, "mina@example.org");
    assert!(receipt.text().contains(&format!("{}/withdraw/", app.address)));
    assert!(receipt.html().contains(&format!("{}/withdraw/", app.address)));
    assert_eq!(app.confirmed_count().await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withdrawing_erases_the_supporter_and_takes_them_out_of_the_count() {
    let app = spawn_app().await;
    let link = app.sign_and_get_link("mina@example.org").await;
    app.client.post(&link).send().await.unwrap();
    let receipt = &app.mail.wait_for(2).await[1];
    let withdraw = receipt.link(&format!("{}/withdraw/", app.address));
    assert_eq!(app.confirmed_count().await, 1);

    assert_eq!(app.client.get(&withdraw).send().await.unwrap().status(), 200);
    let response = app.client.post(&withdraw).send().await.unwrap();
    let again = app.client.post(&withdraw).send().await.unwrap();

    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("cannot be recalled"));
    assert_eq!(again.status(), 200);
    assert_eq!(app.confirmed_count().await, 0);
    assert_eq!(app.signatures_by_status().await, [("withdrawn".to_string(), 1)]);
    let mut conn = app.pool.get().await.unwrap();
    use rallypost::db::schema::signatures::dsl::*;
    let (erased, key): (bool, Option<Vec<u8>>) = diesel_async::RunQueryDsl::get_result(
        signatures.select((
            email.is_null().and(name.is_null()).and(postcode.is_null()).and(comment.is_null()),
            email_key,
        )),
        &mut conn,
    )
    .await
    .unwrap();
    assert!(erased, "name, email, postcode and comment are erased");
    assert_eq!(key, None, "nothing derived from the address is left");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_or_expired_link_confirms_nothing() {
    let app = spawn_app().await;
    let link = app.sign_and_get_link("mina@example.org").await;

    let unknown = app.client.post(app.url("/confirm/not-a-real-token")).send().await.unwrap();
    assert_eq!(unknown.status(), 404);

    app.clock.advance(Duration::days(8));
    let expired = app.client.post(&link).send().await.unwrap();
    assert_eq!(expired.status(), 404);
    assert_eq!(app.signatures_by_status().await, [("pending".to_string(), 1)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn count_json_has_slug_confirmed_and_goal() {
    let app = spawn_app().await;
    let response = app.get(&format!("/c/{SLUG}/count.json")).await;
    assert_eq!(response.status(), 200);
    let json: serde_json::Value = response.json().await.unwrap();
    assert_eq!(json, serde_json::json!({"slug": SLUG, "confirmed": 0, "goal": 50000}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_sites_script_may_read_the_count_from_another_origin() {
    let app = spawn_app().await;
    let response = app
        .bare_client()
        .get(app.url(&format!("/c/{SLUG}/count.json")))
        .header("Origin", "https://partner.example")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers().get("access-control-allow-origin").map(|v| v.to_str().unwrap()), Some("*"));
    let json: serde_json::Value = response.json().await.unwrap();
    assert_eq!(json["confirmed"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_readiness_answer() {
    let app = spawn_app().await;
    assert_eq!(app.get("/healthz").await.status(), 200);
    assert_eq!(app.get("/readyz").await.status(), 200);
}
