//! The OSDI-style API: tokens, petitions, and paging through signatures.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use rallypost::clock::Clock;
use serde_json::Value;

use crate::helpers::{ORGANIZER, SLUG, Seed, TestApp, spawn_app};

async fn get_json(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    let response = app.bare_client().get(app.url(path)).bearer_auth(token).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// Confirms a seeded pending signature, as its owner's click would.
async fn confirm(app: &TestApp, id: uuid::Uuid, at: chrono::DateTime<chrono::Utc>) {
    use rallypost::db::schema::signatures::dsl as s;
    let mut conn = app.pool.get().await.unwrap();
    diesel::update(s::signatures.find(id))
        .set((s::status.eq("confirmed"), s::confirmed_at.eq(at)))
        .execute(&mut conn)
        .await
        .unwrap();
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
    let next = first["_links"]["next"]["href"].as_str().unwrap().to_owned();
    let (_, second) = get_json(&app, next.trim_start_matches(&app.address), &token).await;

    assert_eq!(status, 200);
    assert_eq!(first["total_records"], 30);
    assert_eq!(first["total_pages"], 2);
    assert_eq!(first["_embedded"]["osdi:signatures"].as_array().unwrap().len(), 25);
    assert!(next.starts_with(&app.url(&format!("{path}?cursor="))), "{next}");
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
async fn a_client_written_for_page_numbers_still_gets_its_pages() {
    let (app, token) = app_with_token().await;
    let start: chrono::DateTime<chrono::Utc> = "2026-11-01T00:00:00Z".parse().unwrap();
    let mut ids = Vec::new();
    for i in 0..30 {
        ids.push(app.seed(Seed { signed_at: start + chrono::Duration::minutes(i), ..Seed::default() }).await);
    }
    let path = format!("/api/v1/petitions/{SLUG}/signatures");

    let (_, first) = get_json(&app, &format!("{path}?page=1&per_page=25"), &token).await;
    let (_, second) = get_json(&app, &format!("{path}?page=2&per_page=25"), &token).await;

    assert_eq!(first["page"], 1);
    assert_eq!(first["_links"]["next"]["href"], app.url(&format!("{path}?page=2&per_page=25")));
    let rest = second["_embedded"]["osdi:signatures"].as_array().unwrap();
    assert_eq!(rest.len(), 5);
    assert_eq!(rest[4]["identifiers"][0], format!("rallypost:{}", ids[29]));
    assert!(second["_links"].get("next").is_none());
}

#[tokio::test]
async fn a_crm_paging_by_cursor_while_supporters_confirm_gets_every_signature_once() {
    let (app, token) = app_with_token().await;
    let start: chrono::DateTime<chrono::Utc> = "2026-11-01T00:00:00Z".parse().unwrap();
    let mut expected = Vec::new();
    for i in 0..30 {
        expected.push(
            app.seed(Seed { signed_at: start + chrono::Duration::minutes(i), ..Seed::default() }).await,
        );
    }
    // Signed before all the others, confirmed only while the CRM is paging.
    let early = app
        .seed(Seed { status: "pending", signed_at: start - chrono::Duration::days(1), ..Seed::default() })
        .await;
    let path = format!("/api/v1/petitions/{SLUG}/signatures?per_page=7");

    let mut seen = Vec::new();
    let mut next = Some(app.url(&path));
    let mut pages = 0;
    while let Some(href) = next.take() {
        let (status, page) = get_json(&app, href.trim_start_matches(&app.address), &token).await;
        assert_eq!(status, 200, "{page}");
        for s in page["_embedded"]["osdi:signatures"].as_array().unwrap() {
            seen.push(s["identifiers"][0].as_str().unwrap().trim_start_matches("rallypost:").to_owned());
        }
        next = page["_links"]["next"]["href"].as_str().map(str::to_owned);
        pages += 1;
        if pages == 1 {
            // Meanwhile: new supporters confirm, and so does one who signed long ago.
            for i in 0..5 {
                let at = app.clock.now() + chrono::Duration::seconds(i);
                expected.push(app.seed(Seed { signed_at: at, ..Seed::default() }).await);
            }
            confirm(&app, early, app.clock.now()).await;
            expected.push(early);
            // Past the few seconds a confirmation is held back from cursor pages.
            app.clock.advance(chrono::Duration::minutes(10));
        }
        assert!(pages < 20, "the cursor went round in circles");
    }

    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "some signature came twice");
    let mut expected: Vec<String> = expected.iter().map(|id| id.to_string()).collect();
    expected.sort();
    assert_eq!(unique, expected);
    let (_, last) = get_json(&app, &path, &token).await;
    assert_eq!(last["total_records"], 36);
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
async fn a_cursor_the_api_never_gave_gets_a_400_in_json() {
    let (app, token) = app_with_token().await;
    let path = format!("/api/v1/petitions/{SLUG}/signatures");

    for query in ["?cursor=", "?cursor=abc", "?cursor=%FF%00", "?cursor=YzEuMS54"] {
        let (status, json) = get_json(&app, &format!("{path}{query}"), &token).await;
        assert_eq!(status, 400, "{query}");
        assert!(json["error"].as_str().unwrap().contains("cursor"), "{query}");
    }
    let (status, json) = get_json(&app, &format!("{path}?page=1&cursor=abc"), &token).await;
    assert_eq!(status, 400);
    assert!(json["error"].as_str().unwrap().contains("cursor"));
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
