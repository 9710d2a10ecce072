//! Bounces through a real IMAP server (Dovecot, started per test): each message goes out
//! with its own return path, real delivery status notifications are delivered into the
//! bounce mailbox, and the workers' reader turns them into suppressions, counts and the
//! dashboard's list of bounced letters and a mailing's bounced count.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use rallypost::campaigns::DispatchMode;
use rallypost::db::schema::{bounces, signatures, suppressions};
use rallypost::domain::SupporterEmail;

use crate::helpers::{
    AppOptions, ImapServer, ReceivedMail, SLUG, TestApp, hidden_value, spawn_app_with, valid_form,
};

async fn app_with_mailbox() -> (TestApp, ImapServer) {
    let imap = ImapServer::start().await;
    let env = vec![("RALLYPOST_BOUNCE_IMAP_URL", imap.url())];
    let app = spawn_app_with(AppOptions { workers: false, env, ..Default::default() }).await;
    (app, imap)
}

fn reader(app: &TestApp) -> rallypost::bounces::Reader {
    rallypost::startup::bounce_reader(&app.settings, app.pool.clone(), app.clock.clone(), app.keys())
        .unwrap()
        .expect("a reader, as the bounce mailbox is set")
}

/// Signs with `email` and delivers the confirmation it causes; returns that message.
async fn signed_and_mailed(app: &TestApp, email: &str) -> ReceivedMail {
    assert_eq!(app.sign(&valid_form(email)).await.status(), 303);
    app.sender().send_due().await.unwrap();
    app.mail.messages().into_iter().rev().find(|m| m.rcpt == email).expect("the confirmation")
}

/// A delivery status notification (RFC 3464) as a mail server writes it, sent to `to`
/// (the bounced message's return path), about `recipient`.
fn dsn(message_id: &str, to: &str, recipient: &str, action: &str, status: &str, diagnostic: &str) -> Vec<u8> {
    format!(
        "Return-Path: <>\r\n\
         Delivered-To: {to}\r\n\
         From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\r\n\
         To: {to}\r\n\
         Subject: Undelivered Mail Returned to Sender\r\n\
         Message-ID: <{message_id}@mx.example.org>\r\n\
         Date: Tue, 01 Dec 2026 12:00:00 +0000\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"B0UND\"\r\n\
         \r\n\
         --B0UND\r\n\
         Content-Type: text/plain; charset=us-ascii\r\n\
         \r\n\
         This is the mail system at host mx.example.org.\r\n\
         I'm sorry to have to inform you that your message could not be delivered.\r\n\
         \r\n\
         --B0UND\r\n\
         Content-Type: message/delivery-status\r\n\
         \r\n\
         Reporting-MTA: dns; mx.example.org\r\n\
         Arrival-Date: Tue, 01 Dec 2026 11:59:58 +0000\r\n\
         \r\n\
         Final-Recipient: rfc822; {recipient}\r\n\
         Original-Recipient: rfc822;{recipient}\r\n\
         Action: {action}\r\n\
         Status: {status}\r\n\
         Remote-MTA: dns; in.example.org\r\n\
         Diagnostic-Code: smtp; {diagnostic}\r\n\
         \r\n\
         --B0UND\r\n\
         Content-Type: text/rfc822-headers\r\n\
         \r\n\
         Return-Path: <{to}>\r\n\
         From: End forced returns <campaign@rallypost.example>\r\n\
         To: {recipient}\r\n\
         Subject: Please confirm your signature\r\n\
         \r\n\
         --B0UND--\r\n"
    )
    .into_bytes()
}

fn hard(message_id: &str, to: &str, recipient: &str) -> Vec<u8> {
    let diagnostic = format!("550 5.1.1 <{recipient}>: Recipient address rejected: User unknown");
    dsn(message_id, to, recipient, "failed", "5.1.1", &diagnostic)
}

fn soft(message_id: &str, to: &str, recipient: &str) -> Vec<u8> {
    dsn(message_id, to, recipient, "delayed", "4.2.2", "452 4.2.2 Mailbox full")
}

impl TestApp {
    async fn email_key(&self, email: &str) -> Vec<u8> {
        self.keys().email_lookup(&SupporterEmail::parse(email).unwrap().canonical())
    }

    async fn is_suppressed(&self, email: &str) -> bool {
        let key = self.email_key(email).await;
        let mut conn = self.pool.get().await.unwrap();
        let n: i64 = suppressions::table
            .filter(suppressions::email_key.eq(key))
            .filter(suppressions::sender.eq("*"))
            .count()
            .get_result(&mut conn)
            .await
            .unwrap();
        n == 1
    }

    async fn undeliverable_since(&self, email: &str) -> Option<DateTime<Utc>> {
        let key = self.email_key(email).await;
        let mut conn = self.pool.get().await.unwrap();
        signatures::table
            .filter(signatures::email_key.eq(key))
            .select(signatures::email_undeliverable_at)
            .first(&mut conn)
            .await
            .unwrap()
    }

    /// Bounces recorded: (hard, reason), oldest first.
    async fn bounces(&self) -> Vec<(bool, String)> {
        let mut conn = self.pool.get().await.unwrap();
        bounces::table
            .order(bounces::bounced_at)
            .select((bounces::hard, bounces::reason))
            .load(&mut conn)
            .await
            .unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hard_bounce_for_a_supporter_suppresses_them_and_marks_their_signature_undeliverable() {
    let (app, imap) = app_with_mailbox().await;
    let mail = signed_and_mailed(&app, "mina@example.org").await;
    let return_path = mail.mail_from.clone();
    assert!(
        return_path.starts_with("bounce+") && return_path.ends_with("@rallypost.example"),
        "{return_path}"
    );
    let other = signed_and_mailed(&app, "farid@example.org").await;
    assert_ne!(other.mail_from, return_path, "each message has its own return path");

    imap.deliver(&hard("dsn-1", &return_path, "mina@example.org")).await;
    let pass = reader(&app).read_once().await.unwrap();

    assert_eq!((pass.read, pass.bounces), (1, 1));
    assert!(app.is_suppressed("mina@example.org").await);
    assert!(app.undeliverable_since("mina@example.org").await.is_some());
    assert!(!app.is_suppressed("farid@example.org").await, "only the address that bounced");
    assert!(app.undeliverable_since("farid@example.org").await.is_none());
    let bounces = app.bounces().await;
    assert_eq!(bounces.len(), 1);
    assert!(bounces[0].0, "hard");
    assert!(bounces[0].1.contains("550 5.1.1") && !bounces[0].1.contains('@'), "{:?}", bounces[0].1);
    assert_eq!(imap.counts().await, (0, 0), "a bounce handled is deleted from the mailbox");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_soft_bounces_within_fourteen_days_suppress_and_older_ones_do_not_count() {
    let (app, imap) = app_with_mailbox().await;
    let mail = signed_and_mailed(&app, "mina@example.org").await;
    let reader = reader(&app);

    imap.deliver(&soft("soft-1", &mail.mail_from, "mina@example.org")).await;
    reader.read_once().await.unwrap();
    app.clock.advance(Duration::days(15));
    imap.deliver(&soft("soft-2", &mail.mail_from, "mina@example.org")).await;
    imap.deliver(&soft("soft-3", &mail.mail_from, "mina@example.org")).await;
    reader.read_once().await.unwrap();
    assert_eq!(app.bounces().await.len(), 3, "each counted");
    assert!(!app.is_suppressed("mina@example.org").await, "two within 14 days, the first is older");
    assert!(app.undeliverable_since("mina@example.org").await.is_none());

    app.clock.advance(Duration::days(13));
    imap.deliver(&soft("soft-4", &mail.mail_from, "mina@example.org")).await;
    reader.read_once().await.unwrap();
    assert!(app.is_suppressed("mina@example.org").await, "the third within 14 days");
    assert!(app.undeliverable_since("mina@example.org").await.is_some());
    assert!(app.bounces().await.iter().all(|(hard, _)| !hard));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_bounce_read_twice_counts_once() {
    let (app, imap) = app_with_mailbox().await;
    let mail = signed_and_mailed(&app, "mina@example.org").await;
    let reader = reader(&app);
    let bounce = soft("the-same", &mail.mail_from, "mina@example.org");

    // Delivered three times (a retrying server), and read again after a crash left one
    // unflagged: still one bounce, and one soft bounce is not three.
    imap.deliver(&bounce).await;
    imap.deliver(&bounce).await;
    reader.read_once().await.unwrap();
    imap.deliver(&bounce).await;
    let pass = reader.read_once().await.unwrap();

    assert_eq!((pass.read, pass.bounces), (1, 1), "known, and taken out of the mailbox");
    assert_eq!(app.bounces().await.len(), 1);
    assert!(!app.is_suppressed("mina@example.org").await);
    assert_eq!(imap.counts().await, (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bounce_to_a_forged_return_path_suppresses_no_one() {
    let (app, imap) = app_with_mailbox().await;
    let mail = signed_and_mailed(&app, "mina@example.org").await;
    // The row id is right, the tag is not: what someone who saw one return path and
    // guessed at others would send.
    let (local, domain) = mail.mail_from.split_once('@').unwrap();
    let forged = format!("{}{}@{domain}", &local[..local.len() - 16], "0123456789abcdef");
    assert_ne!(forged, mail.mail_from);

    imap.deliver(&hard("forged", &forged, "mina@example.org")).await;
    let pass = reader(&app).read_once().await.unwrap();

    assert_eq!((pass.read, pass.bounces, pass.others), (1, 0, 1));
    assert!(!app.is_suppressed("mina@example.org").await);
    assert!(app.undeliverable_since("mina@example.org").await.is_none());
    assert!(app.bounces().await.is_empty());
    assert_eq!(imap.counts().await, (1, 0), "kept, read, for someone to look at");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bounce_without_a_delivery_report_is_read_from_its_text() {
    let (app, imap) = app_with_mailbox().await;
    let mail = signed_and_mailed(&app, "mina@example.org").await;
    // qmail's style: no multipart/report, the reply quoted in the text.
    let bounce = format!(
        "From: MAILER-DAEMON@mx.example.org\r\nTo: {}\r\nSubject: failure notice\r\n\
         Message-ID: <qmail-1@mx.example.org>\r\n\r\n\
         Hi. This is the qmail-send program at mx.example.org.\r\n\
         I'm afraid I wasn't able to deliver your message to the following addresses.\r\n\r\n\
         <mina@example.org>:\r\nRemote host said: 550 5.1.1 The email account that you tried to reach does not exist.\r\n",
        mail.mail_from
    );

    imap.deliver(bounce.as_bytes()).await;
    reader(&app).read_once().await.unwrap();

    assert!(app.is_suppressed("mina@example.org").await);
    assert!(app.bounces().await[0].0, "hard");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_at_send_time_counts_as_a_hard_bounce() {
    let app = spawn_app_with(AppOptions { workers: false, ..Default::default() }).await;
    app.mail.reply_with(Some("550 5.1.1 <mina@example.org>: Recipient address rejected"));
    assert_eq!(app.sign(&valid_form("mina@example.org")).await.status(), 303);

    app.sender().send_due().await.unwrap();

    assert!(app.is_suppressed("mina@example.org").await);
    assert!(app.undeliverable_since("mina@example.org").await.is_some());
    let bounces = app.bounces().await;
    assert_eq!(bounces.len(), 1);
    assert!(bounces[0].0 && bounces[0].1.contains("5.1.1") && !bounces[0].1.contains('@'), "{bounces:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_letter_that_bounced_appears_on_the_dashboard_with_its_target_and_reason() {
    let (app, imap) = app_with_mailbox().await;
    app.set_dispatch(|d| {
        d.mode = DispatchMode::Individual;
        d.per_target_per_hour = 60;
        d.timezone = chrono_tz::Europe::Berlin;
        d.window_days = ["Mon", "Tue", "Wed", "Thu", "Fri"].map(|day| day.parse().unwrap()).to_vec();
        d.window_start = "08:00".parse().unwrap();
        d.window_end = "18:00".parse().unwrap();
    })
    .await;
    // Monday 30 November 2026, 10:00 in Berlin.
    let now: DateTime<Utc> = "2026-11-30T09:00:00Z".parse().unwrap();
    app.clock.set(now);
    app.add_signatures("Letter", 1, "confirmed", now - Duration::minutes(5)).await;
    app.scheduler().tick().await.unwrap();
    app.sender().send_due().await.unwrap();
    let letter = app.letters().into_iter().find(|m| m.rcpt == "poststelle@bmi.example").expect("a letter");

    let reason = "550 5.2.1 The mailbox poststelle is disabled";
    imap.deliver(&dsn("letter-1", &letter.mail_from, "poststelle@bmi.example", "failed", "5.2.1", reason))
        .await;
    reader(&app).read_once().await.unwrap();
    app.login_as_organizer().await;
    let (status, page) = app.get_text(&format!("/admin/c/{SLUG}")).await;

    assert_eq!(status, 200);
    let table = &page[page.find("Letters that bounced").expect("the section")..];
    let table = &table[..table.find("</table>").expect("a table")];
    assert!(
        table.contains("Federal Minister of the Interior, Bundesministerium des Innern (Germany), Berlin")
    );
    assert!(table.contains("2026-11-30 09:00 UTC"), "when: {table}");
    assert!(table.contains(reason), "the reason: {table}");
    assert!(!app.is_suppressed("letter0@example.org").await, "a letter's bounce is not the signer's");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mailing_shows_how_many_of_its_messages_bounced() {
    let (app, imap) = app_with_mailbox().await;
    app.add_news_readers("reader", 3, "en").await;
    app.login_as_organizer().await;
    let (_, page) = app.get_text(&format!("/admin/c/{SLUG}/mailings")).await;
    let csrf = hidden_value(&page, "csrf_token").unwrap();
    let fields = [("csrf_token", csrf.as_str()), ("subject_en", "News"), ("text_en", "Dear {name}, news.")];
    let fields: Vec<(String, String)> = fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let response = app.post_form(&format!("/admin/c/{SLUG}/mailings"), &fields).await;
    assert_eq!(response.status(), 303);
    let mailing = response.headers()["location"].to_str().unwrap().to_owned();
    let send = vec![("csrf_token".to_owned(), csrf.clone())];
    assert_eq!(app.post_form(&format!("{mailing}/send"), &send).await.status(), 303);
    let mailer = app.mailer();
    assert_eq!(mailer.tick().await.unwrap(), 3);
    app.sender().send_due().await.unwrap();
    let news = app.mail.messages().into_iter().find(|m| m.rcpt == "reader1@example.org").expect("the news");

    imap.deliver(&hard("news-1", &news.mail_from, "reader1@example.org")).await;
    reader(&app).read_once().await.unwrap();
    let (_, page) = app.get_text(&mailing).await;

    assert!(page.contains("<strong>1</strong> bounced"), "{page}");
    assert!(page.contains("<strong>3</strong> sent"), "{page}");
    assert!(app.is_suppressed("reader1@example.org").await);
    assert!(!app.is_suppressed("reader0@example.org").await);
}
