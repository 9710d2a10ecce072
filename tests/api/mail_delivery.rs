//! The outbox against a real SMTP server that accepts, refuses, or is away.

use chrono::Duration;
use rallypost::clock::Clock;
use rallypost::outbox::Kind;

use crate::helpers::{AppOptions, TestApp, spawn_app, spawn_app_with, valid_form};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emails_are_well_formed_with_text_and_html_parts() {
    let app = spawn_app().await;
    app.sign(&valid_form("mina@example.org")).await;

    let mail = &app.mail.wait_for(1).await[0];

    assert_eq!(mail.header("From").unwrap(), "\"End forced returns\" <campaign@rallypost.example>");
    assert_eq!(mail.header("To").unwrap(), "mina@example.org");
    let message_id = mail.header("Message-ID").unwrap();
    assert!(message_id.starts_with('<') && message_id.ends_with("@rallypost.example>"), "{message_id}");
    assert!(mail.header("Date").is_some());
    assert!(!mail.text().is_empty() && mail.html().contains("<a href="));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_smtp_server_that_is_down_gets_every_email_exactly_once_when_it_returns() {
    let app = spawn_app().await;
    app.mail.stop();
    for i in 0..3 {
        assert_eq!(app.sign(&valid_form(&format!("person{i}@example.org"))).await.status(), 303);
    }
    app.wait_for_outbox("three failed attempts", |rows| {
        rows.len() == 3
            && rows.iter().all(|r| r.status == "pending" && r.attempts >= 1 && r.last_error.is_some())
    })
    .await;

    app.mail.restart();
    app.clock.advance(Duration::minutes(10));

    let mails = app.mail.wait_for(3).await;
    app.wait_for_outbox_drained().await;
    let mut recipients: Vec<_> = app.mail.messages().into_iter().map(|m| m.rcpt).collect();
    recipients.sort();
    assert_eq!(recipients, ["person0@example.org", "person1@example.org", "person2@example.org"]);
    assert_eq!(mails.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_temporary_refusal_is_retried_later() {
    let app = spawn_app().await;
    app.mail.reply_with(Some("451 4.7.500 Server busy, try later"));
    app.sign(&valid_form("mina@example.org")).await;
    let rows = app
        .wait_for_outbox("a 451 recorded", |rows| {
            rows.first().is_some_and(|r| r.last_error.as_deref().is_some_and(|e| e.contains("451")))
        })
        .await;
    assert_eq!(rows[0].status, "pending");

    app.mail.reply_with(None);
    app.clock.advance(Duration::minutes(1));

    assert_eq!(app.mail.wait_for(1).await.len(), 1);
    app.wait_for_outbox("sent", |rows| rows[0].status == "sent").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanent_refusal_marks_the_email_failed_with_the_servers_reply() {
    let app = spawn_app().await;
    app.mail.reply_with(Some("550 5.1.1 Mailbox does not exist"));
    app.sign(&valid_form("mina@example.org")).await;

    let rows = app.wait_for_outbox("failed", |rows| rows.first().is_some_and(|r| r.status == "failed")).await;

    let reply = rows[0].last_error.as_deref().unwrap();
    assert!(reply.contains("550") && reply.contains("Mailbox does not exist"), "{reply}");
    assert_eq!(rows[0].attempts, 1);
    assert_eq!(rows[0].recipient, None, "a supporter's address is not kept once the outbox is done");
    app.clock.advance(Duration::hours(1));
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    assert!(app.mail.messages().is_empty());
    assert_eq!(app.outbox_details().await[0].attempts, 1, "never tried again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_offers_pipelining_gets_each_emails_commands_in_one_write() {
    let app = spawn_app().await;

    three_supporters_get_their_confirmations(&app).await;

    assert_eq!(app.mail.pipelined(), 3, "MAIL, RCPT and DATA of each email in one write");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_without_pipelining_gets_every_email_command_by_command() {
    let app = spawn_app().await;
    app.mail.offer_pipelining(false);

    three_supporters_get_their_confirmations(&app).await;

    assert_eq!(app.mail.pipelined(), 0, "each command waited for its reply");
}

/// Three supporters sign; returns once each got their confirmation and the outbox is done.
async fn three_supporters_get_their_confirmations(app: &TestApp) {
    for i in 0..3 {
        app.sign(&valid_form(&format!("person{i}@example.org"))).await;
    }
    let mails = app.mail.wait_for(3).await;
    app.wait_for_outbox_drained().await;
    let mut recipients: Vec<_> = mails.into_iter().map(|m| m.rcpt).collect();
    recipients.sort();
    assert_eq!(recipients, ["person0@example.org", "person1@example.org", "person2@example.org"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recipient_refused_before_data_marks_the_email_failed_and_the_next_email_still_goes() {
    let app = spawn_app().await;
    app.mail.refuse_recipients_with(Some("550 5.1.1 No such user here"));
    app.sign(&valid_form("gone@example.org")).await;

    let rows = app.wait_for_outbox("failed", |rows| rows.first().is_some_and(|r| r.status == "failed")).await;
    let reply = rows[0].last_error.as_deref().unwrap();
    assert!(reply.contains("550") && reply.contains("No such user"), "{reply}");

    app.mail.refuse_recipients_with(None);
    app.sign(&valid_form("mina@example.org")).await;
    let mails = app.mail.wait_for(1).await;
    app.wait_for_outbox("the second sent", |rows| rows.iter().any(|r| r.status == "sent")).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].rcpt, "mina@example.org", "the refused message was never delivered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_smtp_server_emails_are_written_as_eml_files() {
    let app = spawn_app_with(AppOptions { smtp: false, ..Default::default() }).await;
    app.sign(&valid_form("mina@example.org")).await;

    app.wait_for_outbox_drained().await;

    let dir = app.data_dir.path().join("outbox");
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert!(text.contains("To: mina@example.org"));
    assert!(text.contains("/confirm/"));
    assert!(app.mail.messages().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supporter_waiting_for_their_confirmation_comes_before_receipts_queued_earlier() {
    let app = spawn_app_with(AppOptions { workers: false, ..AppOptions::default() }).await;
    let keys = app.keys();
    let mut conn = app.pool.get().await.unwrap();
    let queue = |kind, to: String, due| {
        let message = rallypost::outbox::NewMessage {
            id: rallypost::ids::new_id(),
            kind,
            campaign_id: None,
            signature_id: None,
            target_id: None,
            recipient: to,
            message: b"Subject: hello\r\n\r\nHello.\r\n".to_vec(),
        };
        (message, due)
    };
    // More receipts than one batch of the sender, all due a minute before the confirmation.
    let now = app.clock.now();
    for i in 0..70 {
        let (message, due) =
            queue(Kind::Receipt, format!("receipt{i}@example.org"), now - Duration::minutes(1));
        rallypost::outbox::enqueue(&mut conn, &keys, message, due).await.unwrap();
    }
    let (message, due) = queue(Kind::Confirmation, "waiting@example.org".into(), now);
    rallypost::outbox::enqueue(&mut conn, &keys, message, due).await.unwrap();

    app.sender().send_due().await.unwrap();

    let order: Vec<String> = app.mail.messages().into_iter().map(|m| m.rcpt).collect();
    assert_eq!(order.len(), 71);
    assert_eq!(order[0], "waiting@example.org", "the confirmation waited behind receipts");
}
