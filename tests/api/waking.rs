//! The mail sender wakes as soon as mail is queued, also when another process queued it:
//! its polling is only the fallback.

use rallypost::startup::{self, Options};

use crate::helpers::{AppOptions, spawn_app_with, valid_form};

/// Longer than any test runs: mail that arrives came through a wake-up, not a poll.
const HOURLY: &str = "3600000";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supporter_signing_on_a_web_process_gets_the_confirmation_from_a_worker_that_polls_hourly() {
    // A web process without workers, and a worker of its own beside it: they share
    // nothing but the database, as `serve --no-workers` and `worker` on two hosts do.
    let app = spawn_app_with(AppOptions {
        workers: false,
        env: vec![("RALLYPOST_OUTBOX_POLL_MS", HOURLY.into())],
        ..AppOptions::default()
    })
    .await;
    let worker = startup::start(
        app.settings.clone(),
        &app.db_url,
        app.clock.clone(),
        Options { listener: None, workers: true },
    )
    .await
    .unwrap();

    assert_eq!(app.sign(&valid_form("mina@example.org")).await.status(), 303);
    app.mail.wait_for(1).await;
    // The worker has looked at the outbox at least once by now, so the second email can
    // only go out because the signature's commit woke it.
    assert_eq!(app.sign(&valid_form("farid@example.org")).await.status(), 303);
    let mails = app.mail.wait_for(2).await;

    let mut recipients: Vec<_> = mails.iter().map(|m| m.rcpt.clone()).collect();
    recipients.sort();
    assert_eq!(recipients, ["farid@example.org", "mina@example.org"]);
    assert!(mails.iter().all(|m| m.text().contains("/confirm/")));
    worker.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_transaction_pooler_a_worker_still_sends_by_polling() {
    // No LISTEN behind a pooler: the poll is what brings the mail.
    let app = spawn_app_with(AppOptions {
        workers: false,
        env: vec![
            ("RALLYPOST_DATABASE_POOLER", "transaction".into()),
            ("RALLYPOST_OUTBOX_POLL_MS", "100".into()),
        ],
        ..AppOptions::default()
    })
    .await;
    let worker = startup::start(
        app.settings.clone(),
        &app.db_url,
        app.clock.clone(),
        Options { listener: None, workers: true },
    )
    .await
    .unwrap();

    assert_eq!(app.sign(&valid_form("mina@example.org")).await.status(), 303);
    let mails = app.mail.wait_for(1).await;

    assert_eq!(mails[0].rcpt, "mina@example.org");
    worker.stop().await;
}
