//! The targets' replies: an organizer records one with its date, a summary per language and
//! the original (PDF or text, kept in the database); the campaign page shows each target's
//! status in the visitor's language, the API lists replies, organizers download the
//! original, a receiver is told (`response.recorded`), and a reply prefills a mailing for
//! the organizer to edit. Bad uploads get a 4xx and store nothing.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use rallypost::db::schema::replies;
use rallypost::outbox::{Kind, NewMessage};
use uuid::Uuid;

use crate::helpers::{AppOptions, ORGANIZER, SLUG, TestApp, hidden_value, spawn_app_with};

const BOUNDARY: &str = "----rallypostTestBoundary7MA4YWxk";

async fn app() -> TestApp {
    spawn_app_with(AppOptions { workers: false, ..AppOptions::default() }).await
}

/// A `multipart/form-data` body with `fields` and, if given, one file named `original`.
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &str, &[u8])>) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n").bytes(),
        );
        body.extend(value.bytes());
        body.extend(b"\r\n");
    }
    if let Some((file_name, content_type, bytes)) = file {
        body.extend(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"original\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .bytes(),
        );
        body.extend(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{BOUNDARY}--\r\n").bytes());
    body
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";
const SUMMARY_EN: &str = "The ministry says it will review deportations to Afghanistan.";
const SUMMARY_DE: &str = "Das Ministerium will die Abschiebungen nach Afghanistan prüfen.";

impl TestApp {
    async fn replies_csrf(&self) -> String {
        let (status, page) = self.get_text(&format!("/admin/c/{SLUG}/replies")).await;
        assert_eq!(status, 200, "{page}");
        hidden_value(&page, "csrf_token").expect("a csrf_token field")
    }

    async fn post_reply(
        &self,
        fields: &[(&str, &str)],
        file: Option<(&str, &str, &[u8])>,
    ) -> reqwest::Response {
        let csrf = self.replies_csrf().await;
        let mut all = vec![("csrf_token", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(
            &format!("/admin/c/{SLUG}/replies"),
            &format!("multipart/form-data; boundary={BOUNDARY}"),
            multipart(&all, file),
        )
        .await
    }

    /// A letter to `target` that went `days_ago`, as the outbox records one.
    async fn letter_sent(&self, target: &str, days_ago: i64) {
        let mut conn = self.pool.get().await.unwrap();
        let campaign_id = self.campaign_id().await;
        let id = Uuid::now_v7();
        let letter = NewMessage {
            id,
            kind: Kind::Letter,
            campaign_id: Some(campaign_id),
            signature_id: None,
            target_id: Some(target.to_owned()),
            recipient: "post@bmi.example".into(),
            message: b"Subject: a letter\r\n\r\n...".to_vec(),
        };
        let at = Utc::now() - Duration::days(days_ago);
        rallypost::outbox::enqueue(&mut conn, &self.keys(), letter, at).await.unwrap();
        rallypost::outbox::mark_sent(&mut conn, &[(id, Kind::Letter)], at).await.unwrap();
    }

    async fn reply_count(&self) -> i64 {
        let mut conn = self.pool.get().await.unwrap();
        replies::table.count().get_result(&mut conn).await.unwrap()
    }
}

#[tokio::test]
async fn an_organizer_records_a_reply_and_every_visitor_sees_each_targets_status_in_their_language() {
    let app = app().await;
    let mut conn = app.pool.get().await.unwrap();
    let url = rallypost::webhooks::ReceiverUrl::parse("https://crm.example/hooks").unwrap();
    let (lead, policy) = (rallypost::webhooks::Whose::Lead, app.settings.webhook_addresses);
    rallypost::webhooks::add(&mut conn, &app.keys(), &lead, &url, policy, Utc::now()).await.unwrap();
    let (_, page) = app.get_text(&format!("/c/{SLUG}?lang=en")).await;
    assert!(!page.contains("What the ministries answered"), "nothing to say before any letter went");

    app.letter_sent("de-bmi", 20).await;
    app.letter_sent("at-bmi", 10).await;
    app.login_as_organizer().await;
    let response = app
        .post_reply(
            &[
                ("target", "de-bmi"),
                ("date", "2026-11-20"),
                ("summary_en", SUMMARY_EN),
                ("summary_de", SUMMARY_DE),
            ],
            Some(("Antwort BMI.pdf", "application/pdf", PDF)),
        )
        .await;
    assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());

    let (_, german) = app.get_text(&format!("/c/{SLUG}?lang=de")).await;
    assert!(
        german.contains("Bundesministerium des Innern (Germany), Berlin hat am 2026-11-20 geantwortet."),
        "{german}"
    );
    assert!(german.contains(SUMMARY_DE) && !german.contains(SUMMARY_EN), "{german}");
    let since = (Utc::now() - Duration::days(10)).date_naive();
    assert!(
        german.contains(&format!(
            "Bundesministerium für Inneres (Austria), Vienna: Antwort steht seit {since} aus."
        )),
        "{german}"
    );
    assert!(
        german.contains("European Commission, Brussels: Es ist noch kein Schreiben verschickt worden."),
        "{german}"
    );
    let (_, dari) = app.get_text(&format!("/c/{SLUG}?lang=fa-AF")).await;
    assert!(dari.contains("در تاریخ 2026-11-20 پاسخ داد"), "{dari}");
    assert!(
        dari.contains(&format!("lang=\"en\" dir=\"ltr\" style=\"white-space:pre-line\">{SUMMARY_EN}")),
        "the default language's summary, marked as such: {dari}"
    );
    assert!(dari.contains("این خلاصه به زبان شما در دسترس نیست."));

    // The original, for organizers, as uploaded.
    let mut conn = app.pool.get().await.unwrap();
    let id: Uuid = replies::table.select(replies::id).first(&mut conn).await.unwrap();
    let original = app.get(&format!("/admin/c/{SLUG}/replies/{id}/original")).await;
    assert_eq!(original.status(), 200);
    assert_eq!(original.headers()["content-type"], "application/pdf");
    assert_eq!(original.headers()["content-disposition"], "attachment; filename=\"Antwort_BMI.pdf\"");
    assert_eq!(original.bytes().await.unwrap(), PDF);
    let stranger = app
        .bare_client()
        .get(app.url(&format!("/admin/c/{SLUG}/replies/{id}/original")))
        .send()
        .await
        .unwrap();
    assert_eq!(stranger.status(), 303, "organizers only");

    // The API lists it.
    let token = app.api_token(ORGANIZER).await;
    let api =
        app.bare_client().get(app.url(&format!("/api/v1/petitions/{SLUG}/replies"))).bearer_auth(&token);
    let json: serde_json::Value = api.send().await.unwrap().json().await.unwrap();
    assert_eq!(json["total_records"], 1, "{json}");
    let listed = &json["_embedded"]["rallypost:replies"][0];
    assert_eq!(
        (listed["target"].as_str(), listed["replied_date"].as_str()),
        (Some("de-bmi"), Some("2026-11-20"))
    );
    assert_eq!(listed["summaries"]["de"], SUMMARY_DE);

    // The receivers are told.
    let mut conn = app.pool.get().await.unwrap();
    let hooks: i64 = rallypost::db::schema::outbox::table
        .filter(rallypost::db::schema::outbox::kind.eq("webhook"))
        .count()
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(hooks, 1, "response.recorded queued for the one receiver");

    // A mailing from it: the form comes filled in, to be edited before it is saved.
    let (status, form) = app.get_text(&format!("/admin/c/{SLUG}/mailings?from_reply={id}")).await;
    assert_eq!(status, 200);
    assert!(form.contains("Bundesministerium des Innern (Germany), Berlin hat geantwortet"), "{form}");
    assert!(form.contains(SUMMARY_DE) && form.contains(SUMMARY_EN), "{form}");
    assert_eq!(
        app.get(&format!("/admin/c/{SLUG}/mailings?from_reply={}", Uuid::now_v7())).await.status(),
        404
    );
}

#[tokio::test]
async fn a_bad_reply_is_refused_with_a_clear_4xx_and_nothing_is_stored() {
    let app = app().await;
    app.login_as_organizer().await;
    let good = [("target", "de-bmi"), ("date", "2026-11-20"), ("summary_en", SUMMARY_EN)];

    let empty = app.post_reply(&[], None).await;
    assert_eq!(empty.status(), 422);
    let page = empty.text().await.unwrap();
    for message in [
        "Choose one of the campaign&#39;s targets.",
        "Give the date of the reply as YYYY-MM-DD",
        "Write a summary in English",
        "Attach the original reply",
    ] {
        assert!(page.contains(message), "{message}: {page}");
    }

    let tomorrow = (Utc::now() + Duration::days(2)).date_naive().to_string();
    let future = app
        .post_reply(
            &[("target", "de-bmi"), ("date", &tomorrow), ("summary_en", SUMMARY_EN)],
            Some(("a.pdf", "application/pdf", PDF)),
        )
        .await;
    assert_eq!(future.status(), 422);

    let png = app.post_reply(&good, Some(("a.png", "image/png", b"\x89PNG\r\n\x1a\n\0\0\0"))).await;
    assert_eq!(png.status(), 422);
    assert!(png.text().await.unwrap().contains("must be a PDF or a UTF-8 text file"));

    let just_over = vec![b'a'; rallypost::replies::MAX_ORIGINAL_BYTES + 1];
    let too_big = app.post_reply(&good, Some(("a.txt", "text/plain", &just_over))).await;
    assert_eq!(too_big.status(), 422);
    assert!(too_big.text().await.unwrap().contains("larger than 5 MiB"));

    let huge = vec![b'a'; rallypost::web::body::MAX_REPLY_BODY + 1];
    let over_the_gate = app.post_reply(&good, Some(("a.txt", "text/plain", &huge))).await;
    assert_eq!(over_the_gate.status(), 413);

    let csrf = app.replies_csrf().await;
    let not_multipart =
        app.post_form(&format!("/admin/c/{SLUG}/replies"), &[("csrf_token".into(), csrf.clone())]).await;
    assert_eq!(not_multipart.status(), 415);
    let malformed = app
        .post_raw(
            &format!("/admin/c/{SLUG}/replies"),
            &format!("multipart/form-data; boundary={BOUNDARY}"),
            b"--nope".to_vec(),
        )
        .await;
    assert_eq!(malformed.status(), 400);
    let no_token = app
        .post_raw(
            &format!("/admin/c/{SLUG}/replies"),
            &format!("multipart/form-data; boundary={BOUNDARY}"),
            multipart(&good, Some(("a.pdf", "application/pdf", PDF))),
        )
        .await;
    assert_eq!(no_token.status(), 403);

    assert_eq!(app.reply_count().await, 0);
    // A text file is as welcome as a PDF.
    let text = app.post_reply(&good, Some(("reply.txt", "text/plain", "پاسخ وزارت".as_bytes()))).await;
    assert_eq!(text.status(), 303);
    assert_eq!(app.reply_count().await, 1);
}
