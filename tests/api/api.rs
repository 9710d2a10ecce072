//! The OSDI-style API: tokens, petitions, and paging through signatures.

use serde_json::Value;

use crate::helpers::{ORGANIZER, SLUG, Seed, TestApp, spawn_app};

async fn get_json(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    let response = app.bare_client().get(app.url(path)).bearer_auth(token).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn app_with_token() -> (TestApp, String) {
    let app = spawn_app().await;
    app.add_organizer(ORGANIZER, crate::helpers::PASSWORD).await;
    let token = app.api_token(ORGANIZER).await;
    (app, token)
}

#[tokio::test]
async fn signatures_come_in_pages_with_links_to_the_next() {
    let (app, token) = app_with_token().await;
    let start: chrono::DateTime<chrono::Utc> = "2026-11-01T00:00:00Z".parse().unwrap();
    let mut ids = Vec::new();
    for i in 0..30 {
        ids.push(app.seed(Seed { signed_at: start + chrono::Duration::minutes(i), ..Seed::default() }).await);
    }
    app.seed(Seed { status: "pending", ..Seed::default() }).await;
    let path = format!("/api/v1/petitions/{SLUG}/signatures");

    let (status, first) = get_json(&app, &path, &token).await;
    let (_, second) = get_json(&app, &format!("{path}?page=2&per_page=25"), &token).await;

    assert_eq!(status, 200);
    assert_eq!(first["total_records"], 30);
    assert_eq!(first["total_pages"], 2);
    assert_eq!(first["_embedded"]["osdi:signatures"].as_array().unwrap().len(), 25);
    assert_eq!(first["_links"]["next"]["href"], app.url(&format!("{path}?page=2&per_page=25")));
    let rest = second["_embedded"]["osdi:signatures"].as_array().unwrap();
    assert_eq!(rest.len(), 5);
    assert!(second["_links"].get("next").is_none());
    assert_eq!(rest[4]["identifiers"][0], format!("rallypost:{}", ids[29]));
    assert_eq!(rest[4]["_embedded"]["osdi:person"]["email_addresses"][0]["address"], "mina@example.org");
    let (_, big) = get_json(&app, &format!("{path}?per_page=100"), &token).await;
    assert_eq!(big["total_pages"], 1);
    assert_eq!(big["_embedded"]["osdi:signatures"].as_array().unwrap().len(), 30);
}

#[tokio::test]
async fn bad_paging_gets_a_400_in_json() {
    let (app, token) = app_with_token().await;
    let path = format!("/api/v1/petitions/{SLUG}/signatures");

    for query in [
        "?per_page=101",
        "?per_page=0",
        "?page=0",
        "?page=abc",
        "?page=-1",
        "?page=99999999999999999999",
        "?per_page=%FF",
    ] {
        let (status, json) = get_json(&app, &format!("{path}{query}"), &token).await;
        assert_eq!(status, 400, "{query}");
        assert!(json["error"].as_str().unwrap().contains("from 1 to"), "{query}");
    }
}

#[tokio::test]
async fn petitions_are_listed_with_their_confirmed_totals_for_either_token_header() {
    let (app, token) = app_with_token().await;
    app.seed(Seed::default()).await;
    app.seed(Seed { status: "pending", ..Seed::default() }).await;

    let (status, list) = get_json(&app, "/api/v1/petitions", &token).await;
    let osdi = app
        .bare_client()
        .get(app.url(&format!("/api/v1/petitions/{SLUG}")))
        .header("OSDI-API-Token", &token)
        .send()
        .await
        .unwrap();

    assert_eq!(status, 200);
    assert_eq!(list["total_records"], 1);
    let petition = &list["_embedded"]["osdi:petitions"][0];
    assert_eq!(petition["total_signatures"], 1);
    assert_eq!(
        petition["_links"]["osdi:signatures"]["href"],
        app.url(&format!("/api/v1/petitions/{SLUG}/signatures"))
    );
    assert_eq!(osdi.status(), 200);
    let one: Value = osdi.json().await.unwrap();
    assert_eq!(one["name"], SLUG);
    let (status, _) = get_json(&app, "/api/v1/petitions/no-such-petition", &token).await;
    assert_eq!(status, 404);
}
