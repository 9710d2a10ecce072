//! Confirmation reminders, driven by the clock: when they come, in which language, how
//! many, to whom not, and that two workers queue each one once.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use rallypost::clock::Clock;
use rallypost::db::schema::outbox;

use crate::helpers::{AppOptions, ReceivedMail, TestApp, spawn_app_with, valid_form};

async fn app_with(env: Vec<(&'static str, String)>) -> TestApp {
    spawn_app_with(AppOptions { workers: false, env, ..Default::default() }).await
}

/// Housekeeping, then the sender, as a worker would do them at this moment.
async fn worker_round(app: &TestApp) {
    app.housekeeping().tick().await.unwrap();
    app.sender().send_due().await.unwrap();
}

fn reminders_to(app: &TestApp, rcpt: &str) -> Vec<ReceivedMail> {
    app.mail.messages().into_iter().filter(|m| m.rcpt == rcpt && is_reminder(m)).collect()
}

/// Reminders in every shipped language say "remind" in their subject.
fn is_reminder(mail: &ReceivedMail) -> bool {
    let subject = mail.subject();
    ["Reminder", "Erinnerung", "یادآوری", "یادونه"].iter().any(|word| subject.contains(word))
}

async fn sign_in(app: &TestApp, email: &str, lang: &str) {
    let mut form = valid_form(email);
    form.push(("lang".into(), lang.into()));
    assert_eq!(app.sign(&form).await.status(), 303);
    app.sender().send_due().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supporter_who_does_not_confirm_gets_one_reminder_after_two_days_in_their_language_and_its_link_confirms()
 {
    let app = app_with(Vec::new()).await;
    sign_in(&app, "shirin@example.org", "fa-AF").await;
    let first_link = app.mail.messages()[0].link(&format!("{}/confirm/", app.address));

    app.clock.advance(Duration::hours(47));
    worker_round(&app).await;
    assert!(reminders_to(&app, "shirin@example.org").is_empty(), "nothing before two days");

    app.clock.advance(Duration::hours(2));
    worker_round(&app).await;
    let reminders = reminders_to(&app, "shirin@example.org");
    assert_eq!(reminders.len(), 1, "one reminder after 49 hours");
    let reminder = &reminders[0];
    assert!(reminder.subject().starts_with("یادآوری"), "{}", reminder.subject());
    assert!(reminder.html().contains("lang=\"fa-AF\"") && reminder.html().contains("dir=\"rtl\""));
    assert!(reminder.text().contains("Mina Ahmadi"), "greets the signer by name");
    let link = reminder.link(&format!("{}/confirm/", app.address));
    assert!(link.ends_with("?lang=fa-AF"), "{link}");
    assert_ne!(link, first_link, "a fresh link");

    app.clock.advance(Duration::days(3));
    worker_round(&app).await;
    assert_eq!(reminders_to(&app, "shirin@example.org").len(), 1, "RALLYPOST_REMINDERS=1 by default");

    // The reminder's link replaced the first one.
    assert_eq!(app.client.post(&first_link).send().await.unwrap().status(), 404);
    let confirmed = app.client.post(&link).send().await.unwrap();
    assert_eq!(confirmed.status(), 200);
    assert!(confirmed.text().await.unwrap().contains("lang=\"fa-AF\""));
    assert_eq!(app.confirmed_count().await, 1);

    // Delivered, the reminder's row stays but holds neither the address nor the message.
    let mut conn = app.pool.get().await.unwrap();
    type Sealed = Option<Vec<u8>>;
    let rows: Vec<(String, String, Sealed, Sealed)> = outbox::table
        .filter(outbox::kind.eq("reminder"))
        .select((outbox::kind, outbox::status, outbox::recipient, outbox::message))
        .load(&mut conn)
        .await
        .unwrap();
    assert_eq!(rows, [("reminder".into(), "sent".into(), None, None)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supporters_who_confirmed_or_withdrew_get_no_reminder() {
    let app = app_with(Vec::new()).await;
    sign_in(&app, "confirmed@example.org", "en").await;
    sign_in(&app, "withdrawn@example.org", "de").await;
    sign_in(&app, "waiting@example.org", "de").await;
    let links: Vec<String> =
        app.mail.messages().iter().map(|m| m.link(&format!("{}/confirm/", app.address))).collect();
    for link in &links[..2] {
        assert_eq!(app.client.post(link).send().await.unwrap().status(), 200);
    }
    app.sender().send_due().await.unwrap();
    let receipt = app
        .mail
        .messages()
        .into_iter()
        .find(|m| m.rcpt == "withdrawn@example.org" && m.text().contains("/withdraw/"))
        .unwrap();
    let withdraw = receipt.link(&format!("{}/withdraw/", app.address));
    assert_eq!(app.client.post(&withdraw).send().await.unwrap().status(), 200);

    app.clock.advance(Duration::hours(49));
    worker_round(&app).await;

    assert!(reminders_to(&app, "confirmed@example.org").is_empty());
    assert!(reminders_to(&app, "withdrawn@example.org").is_empty());
    let waiting = reminders_to(&app, "waiting@example.org");
    assert_eq!(waiting.len(), 1);
    assert!(waiting[0].subject().starts_with("Erinnerung"), "{}", waiting[0].subject());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_two_reminders_allowed_they_come_at_least_a_day_apart_and_no_third_follows() {
    // Reminders every two hours, if the day's limit let them.
    let app =
        app_with(vec![("RALLYPOST_REMINDERS", "2".into()), ("RALLYPOST_REMINDER_AFTER", "2h".into())]).await;
    let signed = app.clock.now();
    sign_in(&app, "farid@example.org", "en").await;

    let mut arrived: Vec<DateTime<Utc>> = Vec::new();
    for _ in 0..(5 * 24) {
        app.clock.advance(Duration::hours(1));
        worker_round(&app).await;
        if reminders_to(&app, "farid@example.org").len() > arrived.len() {
            arrived.push(app.clock.now());
        }
    }

    assert_eq!(arrived.len(), 2, "two reminders and no more: {arrived:?}");
    assert!(arrived[0] - signed >= Duration::hours(24), "a day after the confirmation email: {arrived:?}");
    assert!(arrived[1] - arrived[0] >= Duration::hours(24), "a day apart: {arrived:?}");
    let links: Vec<String> = reminders_to(&app, "farid@example.org")
        .iter()
        .map(|m| m.link(&format!("{}/confirm/", app.address)))
        .collect();
    assert_eq!(app.client.post(&links[0]).send().await.unwrap().status(), 404, "only the newest works");
    assert_eq!(app.client.post(&links[1]).send().await.unwrap().status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_looking_at_once_queue_each_reminder_once() {
    let app = app_with(Vec::new()).await;
    let signed: DateTime<Utc> = "2026-11-01T10:05:00Z".parse().unwrap();
    app.add_signatures("Waiting", 300, "pending", signed).await;
    app.clock.set(signed + Duration::days(3));

    let (a, b) = (app.housekeeping(), app.housekeeping());
    let (first, second) = tokio::join!(a.tick(), b.tick());
    first.unwrap();
    second.unwrap();
    app.housekeeping().tick().await.unwrap();

    let reminders = app.outbox_rows().await;
    assert_eq!(reminders, [("reminder".into(), "pending".into(), 300)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supporters_of_a_campaign_that_has_closed_get_no_reminder() {
    let app = app_with(Vec::new()).await;
    sign_in(&app, "late@example.org", "en").await;
    let closes = app.clock.now() + Duration::hours(24);
    app.edit_campaign(|file| file.closes_at = Some(closes)).await;

    app.clock.advance(Duration::hours(49));
    worker_round(&app).await;

    assert!(
        reminders_to(&app, "late@example.org").is_empty(),
        "signing has ended: no one is asked to confirm"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_that_bounced_gets_no_reminder() {
    use rallypost::db::schema::signatures;
    let app = app_with(Vec::new()).await;
    sign_in(&app, "bounced@example.org", "en").await;
    sign_in(&app, "fine@example.org", "en").await;
    // A bounce said the first address takes no mail.
    let lookup = app.keys().email_lookup("bounced@example.org");
    let mut conn = app.pool.get().await.unwrap();
    diesel::update(signatures::table.filter(signatures::email_key.eq(lookup)))
        .set(signatures::email_undeliverable_at.eq(app.clock.now()))
        .execute(&mut conn)
        .await
        .unwrap();

    app.clock.advance(Duration::hours(49));
    worker_round(&app).await;

    assert!(reminders_to(&app, "bounced@example.org").is_empty());
    assert_eq!(reminders_to(&app, "fine@example.org").len(), 1);
}
