//! Signing through the real form: answers, stored rows and emails.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{Duration, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use rallypost::campaigns::Campaign;
use rallypost::clock::Clock;
use rallypost::domain::{Country, Lang, SupporterEmail, SupporterName};
use rallypost::signatures::{MailContext, NewSignature, SignContext, SignIntake, SignOutcome, prepare};

use crate::helpers::{AppOptions, SLUG, hidden_value, spawn_app, spawn_app_with, valid_form};

fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_valid_signature_is_redirected_to_thanks_and_emailed_a_confirmation_link() {
    let app = spawn_app().await;

    let response = app.sign(&valid_form("mina@example.org")).await;

    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], format!("/c/{SLUG}/thanks?lang=en"));
    let mails = app.mail.wait_for(1).await;
    assert_eq!(mails[0].rcpt, "mina@example.org");
    assert!(mails[0].text().contains(&format!("{}/confirm/", app.address)));
    assert!(mails[0].html().contains(&format!("{}/confirm/", app.address)));
    assert!(mails[0].subject().contains("confirm"));
    assert_eq!(app.signatures_by_status().await, [("pending".to_string(), 1)]);
    let (status, page) = app.get_text(&format!("/c/{SLUG}/thanks")).await;
    assert_eq!(status, 200);
    assert!(page.contains("check your inbox"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_twice_with_the_same_address_gives_the_same_answer_and_one_email() {
    let app = spawn_app().await;

    let first = app.sign(&valid_form("mina@example.org")).await;
    let second = app.sign(&valid_form("  MINA@Example.ORG ")).await;

    assert_eq!(first.status(), 303);
    assert_eq!(second.status(), first.status());
    assert_eq!(second.headers()["location"], first.headers()["location"]);
    app.wait_for_outbox_drained().await;
    assert_eq!(app.signatures_by_status().await, [("pending".to_string(), 1)]);
    assert_eq!(app.outbox_rows().await, [("confirmation".into(), "sent".into(), 1)]);
    assert_eq!(app.mail.messages().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pending_signature_gets_its_email_again_only_after_ten_minutes() {
    let app = spawn_app().await;
    let old_link = app.sign_and_get_link("mina@example.org").await;
    // The email arrives a moment before its row is marked sent; nine minutes on, a row
    // still claimed would have outlived its five-minute lease and go out again.
    app.wait_for_outbox_drained().await;

    app.clock.advance(Duration::minutes(9));
    assert_eq!(app.sign(&valid_form("mina@example.org")).await.status(), 303);
    app.wait_for_outbox_drained().await;
    assert_eq!(app.mail.messages().len(), 1);

    app.clock.advance(Duration::minutes(2));
    assert_eq!(app.sign(&valid_form("mina@example.org")).await.status(), 303);
    let mails = app.mail.wait_for(2).await;
    let new_link = mails[1].link(&format!("{}/confirm/", app.address));
    assert_ne!(new_link, old_link);
    assert_eq!(app.client.post(&new_link).send().await.unwrap().status(), 200);
    assert_eq!(app.confirmed_count().await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_fields_are_shown_again_with_messages_and_the_values_kept() {
    let app = spawn_app().await;
    let fields = form(&[
        ("name", "   "),
        ("email", "not-an-address"),
        ("country", "XX"),
        ("postcode", "12345678901234567"),
        ("comment", "<b>kept</b> & \"quoted\""),
    ]);

    let response = app.sign(&fields).await;

    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    for id in ["name-error", "email-error", "country-error", "postcode-error", "consent-error"] {
        assert!(page.contains(&format!("id=\"{id}\"")), "no {id} in the page");
    }
    assert!(!page.contains("id=\"comment-error\""));
    assert!(page.contains("aria-invalid=\"true\""));
    assert!(page.contains("value=\"not-an-address\""));
    assert!(page.contains("&#60;b&#62;kept&#60;/b&#62; &#38; &#34;quoted&#34;"), "comment kept, escaped");
    assert!(!page.contains("<b>kept</b>"));
    assert!(app.signatures_by_status().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_are_in_the_language_of_the_form() {
    let app = spawn_app().await;
    let mut fields = form(&[("name", "Jürgen"), ("email", "x"), ("country", "AT"), ("consent", "on")]);
    fields.push(("lang".into(), "de".into()));

    let response = app.sign(&fields).await;

    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains("lang=\"de\""));
    assert!(page.contains("gültige E-Mail-Adresse"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_campaign_is_404() {
    let app = spawn_app().await;
    let token = app.csrf_token().await;
    let mut fields = valid_form("mina@example.org");
    fields.push(("csrf_token".into(), token));

    assert_eq!(app.post_form("/c/no-such-campaign/sign", &fields).await.status(), 404);
    assert_eq!(app.get("/c/no-such-campaign").await.status(), 404);
    assert_eq!(app.get("/c/no-such-campaign/count.json").await.status(), 404);
    assert_eq!(app.get("/nothing/here").await.status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_campaign_is_410_and_stores_nothing() {
    let app = spawn_app().await;
    let token = app.csrf_token().await;
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/campaigns/end-forced-returns.toml"))
            .unwrap()
            .replace("status = \"open\"", "status = \"closed\"");
    let file = rallypost::campaigns::CampaignFile::parse(&text).unwrap();
    let mut conn = app.pool.get().await.unwrap();
    rallypost::campaigns::upsert(&mut conn, &file, app.clock.now()).await.unwrap();
    // Each process reads a campaign again at most every two seconds.
    app.clock.advance(chrono::Duration::seconds(2));
    let mut fields = valid_form("mina@example.org");
    fields.push(("csrf_token".into(), token));

    let response = app.post_form(&format!("/c/{SLUG}/sign"), &fields).await;

    assert_eq!(response.status(), 410);
    assert!(app.signatures_by_status().await.is_empty());
    let (_, page) = app.get_text(&format!("/c/{SLUG}")).await;
    assert!(page.contains("closed") && !page.contains("<form class=\"sign\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_16_kib_is_413() {
    let app = spawn_app().await;
    let token = app.csrf_token().await;
    let mut fields = valid_form("mina@example.org");
    fields.push(("csrf_token".into(), token));
    fields.push(("comment".into(), "x".repeat(17 * 1024)));

    let response = app.post_form(&format!("/c/{SLUG}/sign"), &fields).await;

    assert_eq!(response.status(), 413);
    assert!(app.signatures_by_status().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_is_not_a_form_is_415() {
    let app = spawn_app().await;
    for content_type in ["application/json", "multipart/form-data; boundary=x", "text/plain"] {
        let response =
            app.post_raw(&format!("/c/{SLUG}/sign"), content_type, b"{\"name\":\"Mina\"}".to_vec()).await;
        assert_eq!(response.status(), 415, "{content_type}");
    }
    let response = app.client.post(app.url(&format!("/c/{SLUG}/sign"))).body("name=x").send().await.unwrap();
    assert_eq!(response.status(), 415, "no content type");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_or_forged_csrf_token_is_403_with_the_form_and_values_kept() {
    let app = spawn_app().await;
    let _ = app.csrf_token().await;
    let mut forged = valid_form("mina@example.org");
    forged.push(("csrf_token".into(), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into()));

    for fields in [valid_form("mina@example.org"), forged] {
        let response = app.post_form(&format!("/c/{SLUG}/sign"), &fields).await;
        assert_eq!(response.status(), 403);
        let page = response.text().await.unwrap();
        assert!(page.contains("value=\"mina@example.org\""));
        assert!(page.contains("value=\"Mina Ahmadi\""));
        // The page carries a fresh token that works.
        let token = hidden_value(&page, "csrf_token").unwrap();
        let mut retry = valid_form("mina@example.org");
        retry.push(("csrf_token".into(), token));
        assert_eq!(app.post_form(&format!("/c/{SLUG}/sign"), &retry).await.status(), 303);
    }
    assert_eq!(app.signatures_by_status().await, [("pending".to_string(), 1)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_from_another_browser_is_refused() {
    let app = spawn_app().await;
    let token = app.csrf_token().await;
    let stranger = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let _ = stranger.get(app.url(&format!("/c/{SLUG}"))).send().await.unwrap();
    let mut fields = valid_form("mina@example.org");
    fields.push(("csrf_token".into(), token));

    let response = stranger
        .post(app.url(&format!("/c/{SLUG}/sign")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(
            fields
                .iter()
                .map(|(k, v)| format!("{k}={}", crate::helpers::encode(v)))
                .collect::<Vec<_>>()
                .join("&"),
        )
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_signatures_from_one_client_get_429_with_retry_after() {
    let app = spawn_app_with(AppOptions { sign_rate: "3/minute", ..Default::default() }).await;

    for i in 0..3 {
        let response = app.sign(&valid_form(&format!("person{i}@example.org"))).await;
        assert_eq!(response.status(), 303);
    }
    let response = app.sign(&valid_form("person4@example.org")).await;

    assert_eq!(response.status(), 429);
    let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=20).contains(&retry_after), "{retry_after}");
    assert_eq!(app.signatures_by_status().await, [("pending".to_string(), 3)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_filled_honeypot_gets_the_normal_answer_and_stores_nothing() {
    let app = spawn_app().await;
    let mut fields = valid_form("bot@example.org");
    fields.push(("website".into(), "http://spam.example".into()));

    let response = app.sign(&fields).await;

    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], format!("/c/{SLUG}/thanks?lang=en"));
    assert!(app.signatures_by_status().await.is_empty());
    assert!(app.outbox_rows().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_campaign_page_shows_the_call_count_goal_and_form_in_the_asked_language() {
    let app = spawn_app().await;

    let (status, en) = app.get_text(&format!("/c/{SLUG}")).await;
    let de = app
        .client
        .get(app.url(&format!("/c/{SLUG}")))
        .header("accept-language", "de-AT,de;q=0.9,en;q=0.5")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let (_, de_by_query) = app.get_text(&format!("/c/{SLUG}?lang=de")).await;

    assert_eq!(status, 200);
    assert!(en.contains("<html lang=\"en\" dir=\"ltr\">"));
    assert!(en.contains("End forced returns to Afghanistan"));
    assert!(en.contains("non-refoulement"));
    assert!(en.contains("50000"));
    for field in
        ["name", "email", "country", "postcode", "comment", "consent", "updates", "website", "csrf_token"]
    {
        assert!(en.contains(&format!("name=\"{field}\"")), "no {field} field");
    }
    for de_page in [de, de_by_query] {
        assert!(de_page.contains("<html lang=\"de\""));
        assert!(de_page.contains("Abschiebungen nach Afghanistan stoppen"));
    }
    let (_, index) = app.get_text("/").await;
    assert!(index.contains(&format!("/c/{SLUG}")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_supporters_signing_at_once_are_each_stored_and_emailed_once() {
    let app = spawn_app().await;
    let token = app.csrf_token().await;
    // Thirty addresses, each sent twice at the same moment: sixty requests in flight,
    // written several to a transaction, repeats landing in the same or another one.
    let requests = (0..60).map(|i| {
        let mut fields = valid_form(&format!("supporter{}@example.org", i % 30));
        fields.push(("csrf_token".into(), token.clone()));
        let app = &app;
        async move { app.post_form(&format!("/c/{SLUG}/sign"), &fields).await.status().as_u16() }
    });
    let statuses = futures_util::future::join_all(requests).await;

    assert!(statuses.iter().all(|&s| s == 303), "{statuses:?}");
    app.wait_for_outbox_drained().await;
    assert_eq!(app.signatures_by_status().await, [("pending".to_string(), 30)]);
    let mut recipients: Vec<String> = app.mail.messages().into_iter().map(|m| m.rcpt).collect();
    recipients.sort();
    let expected: BTreeSet<String> = (0..30).map(|i| format!("supporter{i}@example.org")).collect();
    assert_eq!(recipients, expected.into_iter().collect::<Vec<_>>(), "one email per address");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signature_that_cannot_be_stored_fails_alone_not_the_others_in_its_transaction() {
    let app = spawn_app_with(AppOptions { workers: false, ..AppOptions::default() }).await;
    let keys = app.keys();
    let mail = MailContext { from: app.settings.mail_from.clone(), base_url: app.address.clone() };
    let campaign = {
        let mut conn = app.pool.get().await.unwrap();
        rallypost::campaigns::find_by_slug(&mut conn, SLUG).await.unwrap().unwrap()
    };
    // A campaign deleted meanwhile: its row breaks any transaction it is in.
    let gone = Campaign { id: uuid::Uuid::new_v4(), ..campaign.clone() };
    let signature = |campaign: &Campaign, email: &str| {
        let new = NewSignature {
            name: SupporterName::parse("Mina Ahmadi").unwrap(),
            email: SupporterEmail::parse(email).unwrap(),
            country: Country::parse("DE").unwrap(),
            postcode: None,
            comment: None,
            updates_opt_in: false,
            partner_opt_in: false,
            anonymous: false,
            referral: Default::default(),
            lang: Lang::En,
        };
        prepare(campaign, &new, &SignContext { keys: &keys, mail: &mail }, Utc::now()).unwrap()
    };
    let intake = Arc::new(SignIntake::start(app.pool.clone(), keys.clone(), 1));

    // Hold the campaign row: the first signature's transaction waits on it, and the rest
    // queue up behind it, to be written together once it is released.
    let mut blocker = AsyncPgConnection::establish(&app.db_url).await.unwrap();
    diesel::sql_query("begin").execute(&mut blocker).await.unwrap();
    diesel::sql_query(format!("select 1 from campaigns where id = '{}' for update", campaign.id))
        .execute(&mut blocker)
        .await
        .unwrap();
    let first = tokio::spawn({
        let (intake, prepared) = (intake.clone(), signature(&campaign, "first@example.org"));
        async move { intake.sign(prepared).await }
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let mut rest = Vec::new();
    for (c, email) in [(&campaign, "a@example.org"), (&gone, "bad@example.org"), (&campaign, "b@example.org")]
    {
        let (intake, prepared) = (intake.clone(), signature(c, email));
        rest.push(tokio::spawn(async move { intake.sign(prepared).await }));
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    diesel::sql_query("commit").execute(&mut blocker).await.unwrap();

    assert_eq!(first.await.unwrap().unwrap(), SignOutcome::Created);
    let rest: Vec<_> = futures_util::future::join_all(rest).await.into_iter().map(Result::unwrap).collect();
    assert_eq!(rest[0].as_ref().unwrap(), &SignOutcome::Created);
    assert!(rest[1].is_err(), "the signature for a missing campaign fails");
    assert_eq!(rest[2].as_ref().unwrap(), &SignOutcome::Created);
    assert_eq!(app.signatures_by_status().await, [("pending".to_string(), 3)]);
    assert_eq!(app.outbox_rows().await, [("confirmation".into(), "pending".into(), 3)]);
}
