//! Organisations endorse the call: they ask on the public form, confirm by email, an
//! organizer approves or rejects; approved ones are listed on the campaign page, in the API
//! and in their own CSV export, and tell the webhook receivers; they are never counted as
//! signatures; a rejected or withdrawn one keeps no contact address. Bad input gets a 4xx
//! and stores nothing.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use rallypost::crypto::Field;
use rallypost::db::schema::{endorsements, outbox};
use uuid::Uuid;

use crate::helpers::{AppOptions, ORGANIZER, SLUG, TestApp, hidden_value, spawn_app_with};

/// The app with the workers off: each test sends the mail when it wants.
async fn app() -> TestApp {
    spawn_app_with(AppOptions { workers: false, ..AppOptions::default() }).await
}

fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

const PRO_ASYL: &[(&str, &str)] = &[
    ("organisation", "PRO ASYL"),
    ("website", "proasyl.de"),
    ("country", "DE"),
    ("email", "kontakt@proasyl.example"),
];

impl TestApp {
    /// Opens the endorse form (setting the CSRF cookie), posts `pairs` with its token.
    async fn endorse(&self, pairs: &[(&str, &str)]) -> reqwest::Response {
        let (status, page) = self.get_text(&format!("/c/{SLUG}/endorse")).await;
        assert_eq!(status, 200, "{page}");
        let mut all = fields(pairs);
        all.push(("csrf_token".into(), hidden_value(&page, "csrf_token").expect("a csrf_token field")));
        self.post_form(&format!("/c/{SLUG}/endorse"), &all).await
    }

    /// Endorses with `pairs`, sends the mail and confirms by the emailed link.
    async fn endorse_and_confirm(&self, pairs: &[(&str, &str)]) {
        let before = self.mail.messages().len();
        assert_eq!(self.endorse(pairs).await.status(), 303);
        self.sender().send_due().await.unwrap();
        let contact = pairs.iter().find(|(k, _)| *k == "email").unwrap().1;
        let mails = self.mail.wait_for(before + 1).await;
        let mail = mails.iter().find(|m| m.rcpt == contact).expect("the confirmation email");
        let link = mail.link(&format!("{}/endorsement/", self.address));
        assert_eq!(
            self.get(&link.replacen(&self.address, "", 1)).await.status(),
            200,
            "a GET shows a button"
        );
        assert_eq!(self.client.post(&link).send().await.unwrap().status(), 200);
    }

    /// The admin page's CSRF token and the id of the endorsement listed with `organisation`.
    async fn admin_endorsement(&self, organisation: &str) -> (String, Uuid) {
        let (status, page) = self.get_text(&format!("/admin/c/{SLUG}/endorsements")).await;
        assert_eq!(status, 200, "{page}");
        let mut conn = self.pool.get().await.unwrap();
        let id = endorsements::table
            .filter(endorsements::organisation.eq(organisation))
            .select(endorsements::id)
            .first(&mut conn)
            .await
            .unwrap();
        (hidden_value(&page, "csrf_token").expect("a csrf_token field"), id)
    }

    async fn decide(&self, organisation: &str, action: &str) -> reqwest::Response {
        let (csrf, id) = self.admin_endorsement(organisation).await;
        let path = format!("/admin/c/{SLUG}/endorsements/{id}/{action}");
        self.post_form(&path, &fields(&[("csrf_token", &csrf)])).await
    }

    async fn stored_endorsements(&self) -> Vec<(String, String, bool)> {
        let mut conn = self.pool.get().await.unwrap();
        endorsements::table
            .order(endorsements::id)
            .select((
                endorsements::organisation,
                endorsements::status,
                endorsements::contact_email.is_not_null(),
            ))
            .load(&mut conn)
            .await
            .unwrap()
    }

    /// The decrypted bodies of the queued webhooks.
    async fn webhook_bodies(&self) -> Vec<serde_json::Value> {
        let mut conn = self.pool.get().await.unwrap();
        let rows: Vec<(Uuid, String, Option<Vec<u8>>)> = outbox::table
            .filter(outbox::kind.eq("webhook"))
            .select((outbox::id, outbox::key_id, outbox::message))
            .load(&mut conn)
            .await
            .unwrap();
        let keys = self.keys();
        rows.into_iter()
            .map(|(id, key_id, blob)| {
                let plain = keys
                    .decrypt(&key_id, Field { column: "outbox.message", row: &id }, &blob.unwrap())
                    .unwrap();
                serde_json::from_slice(&plain).unwrap()
            })
            .collect()
    }
}

#[tokio::test]
async fn an_organisation_endorses_confirms_and_once_approved_is_listed_everywhere_but_never_counted() {
    let app = app().await;
    let mut conn = app.pool.get().await.unwrap();
    let url = rallypost::webhooks::ReceiverUrl::parse("https://crm.example/hooks").unwrap();
    rallypost::webhooks::add(
        &mut conn,
        &app.keys(),
        &rallypost::webhooks::Whose::Lead,
        &url,
        app.settings.webhook_addresses,
        chrono::Utc::now(),
    )
    .await
    .unwrap();

    let response = app.endorse(PRO_ASYL).await;
    assert_eq!(response.status(), 303);
    assert!(response.headers()["location"].to_str().unwrap().starts_with(&format!("/c/{SLUG}/endorse/sent")));
    app.endorse_and_confirm(&[
        ("organisation", "Asylkoordination Österreich"),
        ("website", "https://asyl.example/"),
        ("country", "AT"),
        ("email", "office@asyl.example"),
        ("lang", "de"),
    ])
    .await;
    let mails = app.mail.messages();
    let mail = mails.iter().find(|m| m.rcpt == "office@asyl.example").unwrap();
    assert!(mail.subject().contains("Bitte bestätigen Sie"), "in the form's language: {}", mail.subject());

    // Not yet approved: not public.
    let (_, page) = app.get_text(&format!("/c/{SLUG}")).await;
    assert!(!page.contains("Asylkoordination"), "unapproved endorsements are not shown");

    app.login_as_organizer().await;
    let (_, admin) = app.get_text(&format!("/admin/c/{SLUG}/endorsements")).await;
    assert!(admin.contains("office@asyl.example") && admin.contains("confirmed"), "{admin}");
    assert_eq!(app.decide("Asylkoordination Österreich", "approve").await.status(), 303);

    let (_, page) = app.get_text(&format!("/c/{SLUG}?lang=en")).await;
    assert!(page.contains("Supported by 1 organisation") && !page.contains("1 organisations"), "{page}");
    assert!(page.contains("href=\"https://asyl.example/\""), "{page}");
    assert!(!page.contains("PRO ASYL"), "the unconfirmed one is not listed");
    assert_eq!(app.confirmed_count().await, 0, "an endorsement is not a signature");

    let token = app.api_token(ORGANIZER).await;
    let api =
        app.bare_client().get(app.url(&format!("/api/v1/petitions/{SLUG}/endorsements"))).bearer_auth(&token);
    let json: serde_json::Value = api.send().await.unwrap().json().await.unwrap();
    assert_eq!(json["total_records"], 1, "{json}");
    let listed = &json["_embedded"]["rallypost:endorsements"][0];
    assert_eq!(listed["name"], "Asylkoordination Österreich");
    assert_eq!(listed["browser_url"], "https://asyl.example/");
    assert!(listed.get("email_addresses").is_none() && !json.to_string().contains("office@"), "no contact");

    let (status, csv) = app.get_text(&format!("/admin/c/{SLUG}/endorsements.csv")).await;
    assert_eq!(status, 200);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "id,organisation,website,country,contact_email,status,asked_at,confirmed_at,decided_at"
    );
    assert_eq!(csv.lines().filter(|l| l.contains("approved")).count(), 1, "{csv}");
    assert!(csv.contains("PRO ASYL,https://proasyl.de/,DE,kontakt@proasyl.example,pending"), "{csv}");

    let hooks = app.webhook_bodies().await;
    assert_eq!(hooks.len(), 1, "{hooks:?}");
    assert_eq!(hooks[0]["type"], "endorsement.approved");
    assert_eq!(hooks[0]["data"]["organization"]["name"], "Asylkoordination Österreich");
    assert_eq!(hooks[0]["data"]["petition"], SLUG);
}

#[tokio::test]
async fn an_endorsement_its_contact_has_not_confirmed_cannot_be_approved() {
    let app = app().await;
    assert_eq!(app.endorse(PRO_ASYL).await.status(), 303);
    app.login_as_organizer().await;
    let response = app.decide("PRO ASYL", "approve").await;
    assert_eq!(response.status(), 409);
    assert!(response.text().await.unwrap().contains("confirmed can be approved"));
    assert_eq!(app.stored_endorsements().await[0].1, "pending");
}

#[tokio::test]
async fn rejecting_or_withdrawing_an_endorsement_erases_its_contact_address_and_takes_it_off_the_page() {
    let app = app().await;
    app.endorse_and_confirm(PRO_ASYL).await;
    assert_eq!(
        app.endorse(&[
            ("organisation", "Spam Inc"),
            ("website", "spam.example"),
            ("country", "DE"),
            ("email", "x@spam.example")
        ])
        .await
        .status(),
        303
    );
    app.login_as_organizer().await;
    assert_eq!(app.decide("PRO ASYL", "approve").await.status(), 303);
    assert!(app.get_text(&format!("/c/{SLUG}")).await.1.contains("PRO ASYL"));

    assert_eq!(app.decide("Spam Inc", "reject").await.status(), 303);
    assert_eq!(app.decide("PRO ASYL", "withdraw").await.status(), 303);

    assert_eq!(
        app.stored_endorsements().await,
        vec![("PRO ASYL".into(), "withdrawn".into(), false), ("Spam Inc".into(), "rejected".into(), false)]
    );
    assert!(!app.get_text(&format!("/c/{SLUG}")).await.1.contains("PRO ASYL"));
    // The rejected one's confirmation email had not gone yet: it never will.
    let before = app.mail.messages().len();
    app.sender().send_due().await.unwrap();
    assert_eq!(app.mail.messages().len(), before, "no mail to a rejected organisation");
    // A final decision stays final.
    assert_eq!(app.decide("Spam Inc", "approve").await.status(), 409);
}

#[tokio::test]
async fn a_bad_endorsement_form_names_each_bad_field_and_stores_nothing() {
    let app = app().await;
    let response = app
        .endorse(&[
            ("organisation", " "),
            ("website", "javascript:alert(1)"),
            ("country", "XX"),
            ("email", "nope"),
        ])
        .await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    for (field, message) in [
        ("organisation", "Please fill in this field."),
        ("website", "Please enter the address of a website"),
        ("country", "Please choose a country from the list."),
        ("email", "Please enter a valid email address"),
    ] {
        assert!(page.contains(&format!("id=\"{field}-error\">{message}")), "{field}: {page}");
    }
    assert!(page.contains("value=\"javascript:alert(1)\""), "what was typed is kept");

    let missing = app.endorse(&[]).await;
    assert_eq!(missing.status(), 422);

    // No CSRF token: 403 with the form again.
    let no_token = app.post_form(&format!("/c/{SLUG}/endorse"), &fields(PRO_ASYL)).await;
    assert_eq!(no_token.status(), 403);
    // Not a form.
    let json = app.post_raw(&format!("/c/{SLUG}/endorse"), "application/json", b"{}".to_vec()).await;
    assert_eq!(json.status(), 415);
    // Too large for the body gate.
    let huge = format!("organisation={}", "a".repeat(20 * 1024));
    let huge = app
        .post_raw(&format!("/c/{SLUG}/endorse"), "application/x-www-form-urlencoded", huge.into_bytes())
        .await;
    assert_eq!(huge.status(), 413);
    // Not UTF-8.
    let bytes = app
        .post_raw(
            &format!("/c/{SLUG}/endorse"),
            "application/x-www-form-urlencoded",
            b"organisation=%FF".to_vec(),
        )
        .await;
    assert_eq!(bytes.status(), 400);
    // A confirmation link that is not one.
    assert_eq!(app.client.post(app.url("/endorsement/not-a-token")).send().await.unwrap().status(), 404);

    assert!(app.stored_endorsements().await.is_empty());
    app.sender().send_due().await.unwrap();
    assert!(app.mail.messages().is_empty());
}

#[tokio::test]
async fn the_endorsements_export_guards_against_formulas() {
    let app = app().await;
    let pairs = [
        ("organisation", "=HYPERLINK(\"http://evil.example\")"),
        ("website", "evil.example"),
        ("country", "DE"),
        ("email", "a@evil.example"),
    ];
    assert_eq!(app.endorse(&pairs).await.status(), 303);
    app.login_as_organizer().await;
    let (_, csv) = app.get_text(&format!("/admin/c/{SLUG}/endorsements.csv")).await;
    assert!(csv.contains("\"'=HYPERLINK(\"\"http://evil.example\"\")\""), "{csv}");
}
