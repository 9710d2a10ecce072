//! The write API for partner sites (`POST /api/v1/petitions/{slug}/signatures`): a partner
//! posts a signature, the supporter confirms it by email, organizers see the partner and
//! the source; retries with an `Idempotency-Key` write and mail once; every bad input gets
//! its own 4xx in JSON; viewers, strangers and a token in a hurry are refused.

use chrono::Duration;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use rallypost::db::schema::{api_idempotency_keys, signatures};
use rallypost::organizers::Role;
use serde_json::{Value, json};

use crate::helpers::{AppOptions, ORGANIZER, SLUG, TestApp, spawn_app, spawn_app_with};

const PARTNER: &str = "exile-network";

fn path(slug: &str) -> String {
    format!("/api/v1/petitions/{slug}/signatures")
}

/// A token of a new organizer with `role` over the shipped campaign (and `partner`).
async fn token_of(app: &TestApp, email: &str, role: Role, partner: Option<&str>) -> String {
    let campaigns: &[&str] = if role == Role::Owner { &[] } else { &[SLUG] };
    app.add_organizer_with_grant(email, role, campaigns, partner).await;
    app.api_token(email).await
}

/// Where a stored signature came from.
#[derive(Debug, Queryable)]
struct Source {
    id: uuid::Uuid,
    partner_id: Option<String>,
    partner_opt_in: bool,
    referrer_host: Option<String>,
}

async fn source_of(app: &TestApp, email: &str) -> Source {
    let canonical = rallypost::domain::SupporterEmail::parse(email).unwrap().canonical();
    let mut conn = app.pool.get().await.unwrap();
    signatures::table
        .filter(signatures::email_key.eq(app.keys().email_lookup(&canonical)))
        .select((
            signatures::id,
            signatures::partner_id,
            signatures::partner_opt_in,
            signatures::referrer_host,
        ))
        .first(&mut conn)
        .await
        .unwrap()
}

/// What a partner site's form sends for a supporter.
fn signature(email: &str) -> Value {
    json!({
        "person": {
            "given_name": "Mina",
            "family_name": "Ahmadi",
            "email_addresses": [{ "address": email }],
            "postal_addresses": [{ "postal_code": "10115", "country": "DE" }],
            "languages_spoken": ["de"],
        },
        "comments": "Keine Abschiebungen nach Afghanistan.",
        "referrer_data": { "source": "newsletter", "website": "https://www.exile-network.example/aktion" },
        "rallypost": { "consent": true, "partner_opt_in": true },
    })
}

async fn post(app: &TestApp, token: &str, body: &Value, key: Option<&str>) -> (u16, Value) {
    let mut request = app.bare_client().post(app.url(&path(SLUG))).bearer_auth(token).json(body);
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_site_posts_a_signature_and_the_supporter_confirms_it_by_email() {
    let app = spawn_app().await;
    let token = token_of(&app, "partner@rallypost.example", Role::Partner, Some(PARTNER)).await;

    let (status, answer) = post(&app, &token, &signature("mina@example.org"), None).await;

    assert_eq!(status, 202, "{answer}");
    assert_eq!(answer["status"], "pending");
    let stored = source_of(&app, "mina@example.org").await;
    assert_eq!(answer["id"], stored.id.to_string());
    // A partner never confirms for a supporter: nothing counts until they click.
    assert_eq!(app.confirmed_count().await, 0);
    let mail = &app.mail.wait_for(1).await[0];
    assert_eq!(mail.rcpt, "mina@example.org");
    assert!(mail.subject().contains("Bitte bestätigen"), "in the supporter's language: {}", mail.subject());
    let link = mail.link(&format!("{}/confirm/", app.address));
    assert_eq!(app.client.post(&link).send().await.unwrap().status(), 200);
    assert_eq!(app.confirmed_count().await, 1);

    app.login_as_organizer().await;
    let csv = app.get(&format!("/admin/c/{SLUG}/signatures.csv")).await.text().await.unwrap();
    let row = csv.lines().nth(1).expect("the signature in the export");
    assert!(row.contains("Mina Ahmadi") && row.contains("mina@example.org"), "{row}");
    assert!(row.ends_with(",false,exile-network,newsletter,,"), "the partner and the source: {row}");
    assert_eq!(stored.referrer_host.as_deref(), Some("www.exile-network.example"));
    assert!(stored.partner_opt_in, "the partner's news, as the supporter chose");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lead_organizers_token_posts_for_no_partner_unless_it_names_one() {
    let app = spawn_app().await;
    let token = token_of(&app, "manager@rallypost.example", Role::Manager, None).await;
    let mut named = signature("named@example.org");
    named["referrer_data"]["referrer"] = json!(PARTNER);

    let (lead_status, _) = post(&app, &token, &signature("lead@example.org"), None).await;
    let (named_status, _) = post(&app, &token, &named, None).await;

    assert_eq!((lead_status, named_status), (202, 202));
    let lead = source_of(&app, "lead@example.org").await;
    assert_eq!(lead.partner_id, None);
    assert!(!lead.partner_opt_in, "no partner, so no partner's news");
    assert_eq!(source_of(&app, "named@example.org").await.partner_id.as_deref(), Some(PARTNER));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_with_the_same_idempotency_key_writes_and_mails_once() {
    let app = spawn_app().await;
    let token = token_of(&app, "partner@rallypost.example", Role::Partner, Some(PARTNER)).await;
    let body = signature("mina@example.org");

    let (first_status, first) = post(&app, &token, &body, Some("retry-1")).await;
    app.mail.wait_for(1).await;
    // Long enough that signing again would send the confirmation again.
    app.clock.advance(Duration::minutes(11));
    let (again_status, again) = post(&app, &token, &body, Some("retry-1")).await;
    let (other_status, other) = post(&app, &token, &signature("someone@example.org"), Some("retry-1")).await;

    assert_eq!((first_status, again_status), (202, 202));
    assert_eq!(again, first, "the stored answer, with the same id");
    assert_eq!(other_status, 422, "{other}");
    assert!(other["error"].as_str().unwrap().contains("Idempotency-Key"), "{other}");
    app.wait_for_outbox_drained().await;
    assert_eq!(app.mail.messages().len(), 1, "one confirmation email");
    assert_eq!(app.signatures_by_status().await, [("pending".to_string(), 1)]);

    // A day later the key is forgotten, by housekeeping too.
    app.clock.advance(Duration::hours(25));
    app.housekeeping().tick().await.unwrap();
    let mut conn = app.pool.get().await.unwrap();
    let kept: i64 = api_idempotency_keys::table.count().get_result(&mut conn).await.unwrap();
    assert_eq!(kept, 0, "housekeeping forgot the expired key");
    let (later_status, later) = post(&app, &token, &body, Some("retry-1")).await;
    assert_eq!(later_status, 202);
    assert_ne!(later["id"], first["id"]);
}

#[tokio::test]
async fn every_bad_input_gets_its_own_4xx_in_json_and_nothing_is_stored() {
    let app = spawn_app().await;
    let token = token_of(&app, "partner@rallypost.example", Role::Partner, Some(PARTNER)).await;
    let mut no_consent = signature("mina@example.org");
    no_consent["rallypost"]["consent"] = json!(false);
    let mut bad_fields = signature("not an address");
    bad_fields["person"]["postal_addresses"][0]["country"] = json!("XX");
    bad_fields["person"]["given_name"] = json!("");
    bad_fields["person"]["family_name"] = json!(null);
    let mut other_partner = signature("mina@example.org");
    other_partner["referrer_data"]["referrer"] = json!("someone-else");
    let mut too_large = signature("mina@example.org");
    too_large["comments"] = json!("x".repeat(17 * 1024));
    let json = |v: &Value| v.to_string().into_bytes();
    // What is sent (content type, body) and what comes back (status, fields named).
    type Case<'a> = (&'a str, &'a str, Vec<u8>, u16, &'a [&'a str]);
    let cases: Vec<Case<'_>> = vec![
        ("malformed JSON", "application/json", b"{\"person\": {".to_vec(), 400, &[]),
        ("not JSON at all", "application/json", b"name=Mina".to_vec(), 400, &[]),
        (
            "a form instead of JSON",
            "application/x-www-form-urlencoded",
            json(&signature("a@example.org")),
            415,
            &[],
        ),
        (
            "a wrong type",
            "application/json",
            br#"{"person": {"given_name": 7}}"#.to_vec(),
            400,
            &["person.given_name"],
        ),
        (
            "an unknown field",
            "application/json",
            br#"{"person": {"given_name": "Mina"}, "add_tags": ["x"]}"#.to_vec(),
            400,
            &["add_tags"],
        ),
        ("a body over 16 KiB", "application/json", json(&too_large), 413, &[]),
        ("no consent", "application/json", json(&no_consent), 422, &["rallypost.consent"]),
        (
            "fields that do not validate",
            "application/json",
            json(&bad_fields),
            422,
            &["person.email_addresses[0].address", "person.given_name", "person.postal_addresses[0].country"],
        ),
        ("another partner named", "application/json", json(&other_partner), 422, &["referrer_data.referrer"]),
    ];

    for (what, content_type, body, expected, fields) in cases {
        let response = app
            .bare_client()
            .post(app.url(&path(SLUG)))
            .bearer_auth(&token)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let answer: Value = response.json().await.unwrap_or_else(|e| panic!("{what}: no JSON: {e}"));
        assert_eq!(status, expected, "{what}: {answer}");
        assert!(answer["error"].as_str().is_some_and(|e| !e.is_empty()), "{what}: {answer}");
        for field in fields {
            assert!(answer["fields"][field].is_string(), "{what} names {field}: {answer}");
        }
    }
    let (status, answer) = post(&app, &token, &signature("mina@example.org"), Some("has space")).await;
    assert_eq!(status, 400, "a malformed Idempotency-Key: {answer}");
    assert!(app.signatures_by_status().await.is_empty(), "nothing stored");
    assert!(app.mail.messages().is_empty(), "nothing mailed");
}

#[tokio::test]
async fn a_viewer_is_forbidden_a_stranger_unauthorized_and_an_unknown_campaign_not_found() {
    let app = spawn_app().await;
    let viewer = token_of(&app, "viewer@rallypost.example", Role::Viewer, None).await;
    let owner = token_of(&app, ORGANIZER, Role::Owner, None).await;
    let body = signature("mina@example.org");
    let client = app.bare_client();

    let (viewer_status, viewer_answer) = post(&app, &viewer, &body, None).await;
    let anonymous = client.post(app.url(&path(SLUG))).json(&body).send().await.unwrap();
    let wrong =
        client.post(app.url(&path(SLUG))).bearer_auth("A".repeat(43)).json(&body).send().await.unwrap();
    let unknown =
        client.post(app.url(&path("no-such-campaign"))).bearer_auth(&owner).json(&body).send().await.unwrap();

    assert_eq!(viewer_status, 403);
    assert!(viewer_answer["error"].as_str().unwrap().contains("does not allow"), "{viewer_answer}");
    for (what, response, expected) in
        [("no token", anonymous, 401), ("a wrong token", wrong, 401), ("unknown", unknown, 404)]
    {
        assert_eq!(response.status().as_u16(), expected, "{what}");
        let answer: Value = response.json().await.unwrap();
        assert!(answer["error"].is_string(), "{what}: {answer}");
    }
    assert!(app.signatures_by_status().await.is_empty());
}

#[tokio::test]
async fn a_token_posting_faster_than_its_limit_is_told_when_to_come_back() {
    let app = spawn_app_with(AppOptions {
        env: vec![("RALLYPOST_API_SIGN_RATE", "2/minute".into())],
        ..AppOptions::default()
    })
    .await;
    let hurried = token_of(&app, "partner@rallypost.example", Role::Partner, Some(PARTNER)).await;
    let other = token_of(&app, "manager@rallypost.example", Role::Manager, None).await;

    let mut statuses = Vec::new();
    for i in 0..3 {
        statuses.push(post(&app, &hurried, &signature(&format!("s{i}@example.org")), None).await.0);
    }
    let response = app
        .bare_client()
        .post(app.url(&path(SLUG)))
        .bearer_auth(&hurried)
        .json(&signature("late@example.org"))
        .send()
        .await
        .unwrap();
    let (other_status, _) = post(&app, &other, &signature("other@example.org"), None).await;

    assert_eq!(statuses, [202, 202, 429]);
    assert_eq!(response.status(), 429);
    let wait: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=30).contains(&wait), "{wait}");
    let answer: Value = response.json().await.unwrap();
    assert!(answer["error"].is_string());
    assert_eq!(other_status, 202, "another token has its own limit");
    assert_eq!(app.signatures_by_status().await, [("pending".to_string(), 3)]);
}
