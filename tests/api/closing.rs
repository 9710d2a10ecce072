//! A campaign's closing time (`closes_at`): shown while open, closing by itself at the
//! hour without a re-import, and the final digest that follows it.

use chrono::{DateTime, Duration, Utc};
use rallypost::campaigns::DispatchMode;
use rallypost::clock::Clock;

use crate::helpers::{AppOptions, ORGANIZER, SLUG, TestApp, spawn_app_with, valid_form};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

async fn app_closing_at(closes: DateTime<Utc>, mode: DispatchMode) -> TestApp {
    let app = spawn_app_with(AppOptions { workers: false, ..Default::default() }).await;
    app.edit_campaign(|file| {
        file.closes_at = Some(closes);
        file.dispatch.timezone = chrono_tz::Europe::Berlin;
        file.dispatch.mode = mode;
        file.dispatch.schedule = "0 9 * * MON".parse().unwrap();
    })
    .await;
    app
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supporter_sees_when_signing_ends_in_their_language_and_after_it_gets_410_without_anyone_reimporting()
 {
    // 18:00 in Berlin on 1 March 2027.
    let closes = at("2027-03-01T17:00:00Z");
    let app = app_closing_at(closes, DispatchMode::Individual).await;
    app.clock.set(closes - Duration::hours(1));

    let (status, page) = app.get_text(&format!("/c/{SLUG}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Signatures are collected until 1 March 2027, 18:00 (UTC+1)."), "{page}");
    assert!(page.contains(&format!("action=\"/c/{SLUG}/sign\"")));
    let (_, german) = app.get_text(&format!("/c/{SLUG}?lang=de")).await;
    assert!(german.contains("bis zum 1. März 2027, 18:00 Uhr (UTC+1) gesammelt"), "{german}");
    let (_, dari) = app.get_text(&format!("/c/{SLUG}?lang=fa-AF")).await;
    assert!(dari.contains("۱ مارچ ۲۰۲۷"), "in Dari digits, from CLDR: {dari}");
    assert_eq!(app.sign(&valid_form("before@example.org")).await.status(), 303);
    app.sender().send_due().await.unwrap();
    let link = app.mail.messages()[0].link(&format!("{}/confirm/", app.address));
    assert_eq!(app.client.post(&link).send().await.unwrap().status(), 200);
    let csrf_token = app.csrf_token().await;

    // The hour passes; nobody touches the campaign file.
    app.clock.set(closes + Duration::seconds(1));

    let (status, page) = app.get_text(&format!("/c/{SLUG}?lang=en")).await;
    assert_eq!(status, 200);
    assert!(page.contains("This campaign is closed and no longer takes signatures."), "{page}");
    assert!(!page.contains("<form class=\"sign\""), "no form after closing");
    assert!(!page.contains("Signatures are collected until"));
    let mut form = valid_form("after@example.org");
    form.push(("csrf_token".into(), csrf_token));
    let refused = app.post_form(&format!("/c/{SLUG}/sign"), &form).await;
    assert_eq!(refused.status(), 410);
    assert!(refused.text().await.unwrap().contains("This campaign is closed"));
    assert_eq!(app.signatures_by_status().await, [("confirmed".to_string(), 1)], "nothing stored");
    // What was signed stays readable, and organizers see the campaign closed.
    assert_eq!(app.confirmed_count().await, 1);
    app.login_as_organizer().await;
    let (_, admin) = app.get_text("/admin").await;
    assert!(admin.contains("<td>closed</td>"), "{admin}");
    // A token made now, by the test's clock (the helper's would have expired by 2027).
    let mut conn = app.pool.get().await.unwrap();
    let email = rallypost::organizers::OrganizerEmail::parse(ORGANIZER).unwrap();
    let (organizer, _) = rallypost::organizers::find_by_email(&mut conn, &email).await.unwrap().unwrap();
    let token = rallypost::organizers::issue_token(&mut conn, &organizer, app.clock.now()).await.unwrap();
    let api = app.bare_client().get(app.url(&format!("/api/v1/petitions/{SLUG}"))).bearer_auth(token);
    assert_eq!(api.send().await.unwrap().status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_closing_each_target_gets_one_final_digest_with_the_last_confirmations_and_none_after() {
    // Digests every Monday 09:00 in Berlin; the campaign closes on Wednesday 2 December 2026
    // at 18:00 there, between two digests.
    let closes = at("2026-12-02T17:00:00Z");
    let app = app_closing_at(closes, DispatchMode::Digest).await;
    let (scheduler, sender) = (app.scheduler(), app.sender());
    app.add_signatures("Early", 2, "confirmed", at("2026-11-29T12:00:00Z")).await;
    app.clock.set(at("2026-11-30T08:03:00Z"));
    assert_eq!(scheduler.tick().await.unwrap(), 3, "Monday's digest");
    sender.send_due().await.unwrap();

    // Confirmed after Monday's digest, before closing; and one confirmed after closing.
    app.add_signatures("Last", 2, "confirmed", at("2026-12-02T16:30:00Z")).await;
    app.add_signatures("Late", 1, "confirmed", at("2026-12-02T17:30:00Z")).await;

    app.clock.set(closes + Duration::minutes(1));
    assert_eq!(scheduler.tick().await.unwrap(), 0, "the final digest waits for late commits");
    app.clock.set(closes + Duration::minutes(3));
    assert_eq!(scheduler.tick().await.unwrap(), 3, "one final digest per target, soon after closing");
    sender.send_due().await.unwrap();
    let letters = app.letters();
    assert_eq!(letters.len(), 6);
    for letter in &letters[3..] {
        let csv = letter.attachment_text().unwrap();
        assert!(csv.contains("Last 0,") && csv.contains("Last 1,"), "{csv}");
        assert!(!csv.contains("Early") && !csv.contains("Late"), "{csv}");
    }

    // Next Monday, and the one after: nothing more.
    for monday in ["2026-12-07T08:05:00Z", "2026-12-14T08:05:00Z"] {
        app.clock.set(at(monday));
        assert_eq!(scheduler.tick().await.unwrap(), 0, "{monday}");
    }
    assert_eq!(app.letters().len(), 6);
}
