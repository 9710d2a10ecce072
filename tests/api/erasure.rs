//! What the outbox keeps of delivered mail: supporters' mail loses its address and body
//! once delivered; letters keep theirs as the record until 90 days after the campaign
//! closed, then lose the body too. Rows stay either way.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use rallypost::campaigns::DispatchMode;
use rallypost::db::schema::outbox;

use crate::helpers::{AppOptions, TestApp, spawn_app_with, valid_form};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

type Sealed = Option<Vec<u8>>;

/// (kind, status, whether a sent time is kept, whether the body is kept) per row.
async fn outbox_kept(app: &TestApp) -> Vec<(String, String, bool, bool)> {
    let mut conn = app.pool.get().await.unwrap();
    let rows: Vec<(String, String, Option<DateTime<Utc>>, Sealed)> = outbox::table
        .select((outbox::kind, outbox::status, outbox::sent_at, outbox::message))
        .order((outbox::kind, outbox::status))
        .load(&mut conn)
        .await
        .unwrap();
    rows.into_iter().map(|(k, s, sent, body)| (k, s, sent.is_some(), body.is_some())).collect()
}

fn row(kind: &str, status: &str, sent: bool, body: bool) -> (String, String, bool, bool) {
    (kind.into(), status.into(), sent, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivered_letters_lose_their_bodies_ninety_days_after_closing_and_their_rows_stay() {
    let app = spawn_app_with(AppOptions { workers: false, ..Default::default() }).await;
    // Monday 30 November 2026, 09:00 in Berlin; one letter per target an hour.
    let closes = at("2026-11-30T08:30:00Z");
    app.clock.set(at("2026-11-30T08:00:00Z"));
    app.edit_campaign(|file| {
        file.closes_at = Some(closes);
        file.dispatch.mode = DispatchMode::Individual;
        file.dispatch.per_target_per_hour = 1;
        file.dispatch.timezone = chrono_tz::Europe::Berlin;
        file.dispatch.window_days = ["Mon", "Tue", "Wed", "Thu", "Fri"].map(|d| d.parse().unwrap()).to_vec();
        file.dispatch.window_start = "08:00".parse().unwrap();
        file.dispatch.window_end = "18:00".parse().unwrap();
    })
    .await;
    app.add_signatures("Named", 2, "confirmed", at("2026-11-30T07:00:00Z")).await;
    assert_eq!(app.scheduler().tick().await.unwrap(), 6);
    app.sender().send_due().await.unwrap();
    assert_eq!(app.letters().len(), 3, "the first letter to each target went; three wait");
    let before = vec![row("letter", "pending", false, true), row("letter", "sent", true, true)];
    let dedup = |mut rows: Vec<(String, String, bool, bool)>| {
        rows.dedup();
        rows
    };
    assert_eq!(dedup(outbox_kept(&app).await), before);

    app.clock.set(closes + Duration::days(89));
    app.housekeeping().tick().await.unwrap();
    assert_eq!(dedup(outbox_kept(&app).await), before, "kept up to 90 days after closing");

    app.clock.set(closes + Duration::days(91));
    app.housekeeping().tick().await.unwrap();
    let after = outbox_kept(&app).await;
    assert_eq!(after.len(), 6, "every row stays");
    assert_eq!(
        dedup(after),
        [row("letter", "pending", false, true), row("letter", "sent", true, false)],
        "delivered letters lost their bodies; those not yet delivered kept theirs"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivered_confirmation_keeps_its_row_but_not_the_supporters_address_or_message() {
    let app = spawn_app_with(AppOptions { workers: false, ..Default::default() }).await;
    assert_eq!(app.sign(&valid_form("mina@example.org")).await.status(), 303);
    app.sender().send_due().await.unwrap();
    // The SMTP server goes away: the next confirmation waits to be tried again.
    app.mail.stop();
    assert_eq!(app.sign(&valid_form("not-yet@example.org")).await.status(), 303);
    app.sender().send_due().await.unwrap();

    assert_eq!(
        outbox_kept(&app).await,
        [row("confirmation", "pending", false, true), row("confirmation", "sent", true, false)]
    );
    let mut conn = app.pool.get().await.unwrap();
    let recipients: Vec<(String, Option<Vec<u8>>)> =
        outbox::table.select((outbox::status, outbox::recipient)).load(&mut conn).await.unwrap();
    for (status, recipient) in recipients {
        assert_eq!(recipient.is_some(), status == "pending", "the address is kept only until delivery");
    }
}
