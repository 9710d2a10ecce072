//! News mailings: an organizer writes one in the dashboard, it reaches every supporter who
//! asked for news exactly once, in their language, with a one-click unsubscribe that a
//! mail client can use without cookies; bad mailings are refused before anything is
//! queued, and a mailing can be paused and cancelled.

use std::collections::HashSet;

use rallypost::clock::Clock;

use crate::helpers::{AppOptions, SLUG, TestApp, hidden_value, spawn_app_with, valid_form};

/// The app with the workers off: each test decides when mailings are queued and sent.
async fn app() -> TestApp {
    spawn_app_with(AppOptions { workers: false, ..AppOptions::default() }).await
}

impl TestApp {
    /// The signed-in organizer's CSRF token, from the mailings page.
    async fn admin_csrf(&self) -> String {
        let (status, page) = self.get_text(&format!("/admin/c/{SLUG}/mailings")).await;
        assert_eq!(status, 200, "{page}");
        hidden_value(&page, "csrf_token").expect("a csrf_token field")
    }

    /// Posts the mailing form with `fields` (CSRF added); returns the response.
    async fn write_mailing(&self, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut all = vec![("csrf_token".to_owned(), self.admin_csrf().await)];
        all.extend(fields.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        self.post_form(&format!("/admin/c/{SLUG}/mailings"), &all).await
    }

    /// Writes a mailing that must be accepted; returns its page's path.
    async fn mailing(&self, fields: &[(&str, &str)]) -> String {
        let response = self.write_mailing(fields).await;
        assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());
        response.headers()["location"].to_str().unwrap().to_owned()
    }

    /// Presses one of a mailing's buttons (`send`, `pause`, `resume`, `cancel`, `test`).
    async fn press(&self, mailing: &str, action: &str, extra: &[(&str, &str)]) -> reqwest::Response {
        let mut fields = vec![("csrf_token".to_owned(), self.admin_csrf().await)];
        fields.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        self.post_form(&format!("{mailing}/{action}"), &fields).await
    }

    /// Queues what the mailings owe, then delivers everything due; returns messages handled.
    async fn run_mailings(&self) -> usize {
        let mailer = self.mailer();
        mailer.tick().await.unwrap();
        self.sender().send_due().await.unwrap()
    }

    fn news(&self) -> Vec<crate::helpers::ReceivedMail> {
        self.mail.messages().into_iter().filter(|m| m.header("List-Unsubscribe").is_some()).collect()
    }
}

const NEWS: &[(&str, &str)] = &[
    ("subject_en", "The hearing is on Monday"),
    ("text_en", "Dear {name},\n\nthe **hearing** is on Monday. [Read more](https://example.org/hearing)."),
    ("subject_de", "Die Anhörung ist am Montag"),
    ("text_de", "Liebe*r {name},\n\ndie **Anhörung** ist am Montag."),
];

#[tokio::test]
async fn every_supporter_who_asked_for_news_gets_the_mailing_once_in_their_language_with_one_click_headers() {
    let app = app().await;
    app.add_news_readers("reader", 160, "en").await;
    app.add_news_readers("leser", 150, "de").await;
    app.add_news_readers("dari", 5, "fa-AF").await;
    app.add_signatures("quiet", 20, "confirmed", chrono::Utc::now()).await; // no news wanted
    app.add_signatures_with("unsure", 10, "pending", chrono::Utc::now(), true, "en").await;
    app.login_as_organizer().await;

    let mailing = app.mailing(NEWS).await;
    let (_, page) = app.get_text(&mailing).await;
    assert!(page.contains("Dear Mina,") && page.contains("Liebe*r Mina,"), "the preview shows both: {page}");
    assert!(page.contains("<strong>315</strong> not yet queued"), "{page}");
    assert_eq!(app.press(&mailing, "send", &[("at", "")]).await.status(), 303);
    app.run_mailings().await;
    // A second round, as another worker or a restarted one would run it, adds nothing.
    app.run_mailings().await;

    let news = app.news();
    assert_eq!(news.len(), 315);
    let recipients: HashSet<String> = news.iter().map(|m| m.rcpt.clone()).collect();
    assert_eq!(recipients.len(), 315, "nobody got it twice");
    for m in &news {
        let (subject, greeting) = if m.rcpt.starts_with("leser") {
            ("Die Anhörung ist am Montag", "Liebe*r leser,")
        } else {
            // Dari readers get the default language: the mailing has no Dari text.
            ("The hearing is on Monday", "Dear ")
        };
        assert_eq!(m.subject(), subject, "{}", m.rcpt);
        assert!(m.text().contains(greeting), "{}: {}", m.rcpt, m.text());
        assert!(m.html().contains("<strong>"), "{}", m.rcpt);
        let unsubscribe = unfolded(m, "List-Unsubscribe");
        assert!(unsubscribe.starts_with(&format!("<{}/unsubscribe/", app.address)), "{unsubscribe}");
        assert!(
            unsubscribe.contains(", <mailto:campaign@rallypost.example?subject=unsubscribe-"),
            "{unsubscribe}"
        );
        assert_eq!(m.header("List-Unsubscribe-Post").as_deref(), Some("List-Unsubscribe=One-Click"));
        assert!(!m.text().contains("{name}") && !m.text().contains("10115"), "only the given name");
    }
    assert!(news.iter().any(|m| m.rcpt == "reader7@example.org" && m.text().contains("Dear reader,")));
    assert!(!recipients.iter().any(|r| r.starts_with("quiet") || r.starts_with("unsure")));
    let (_, page) = app.get_text(&mailing).await;
    assert!(page.contains("<strong>315</strong> sent") && page.contains("finished"), "{page}");
}

/// A header's value with its folding (a line break before whitespace) undone.
fn unfolded(m: &crate::helpers::ReceivedMail, name: &str) -> String {
    m.header(name).unwrap_or_default().replace("\r\n", "")
}

/// The one-click link of the message `rcpt` received.
fn one_click_url(app: &TestApp, rcpt: &str) -> String {
    let m = app.news().into_iter().find(|m| m.rcpt == rcpt).expect("a mailing to them");
    let header = unfolded(&m, "List-Unsubscribe");
    header[1..header.find('>').unwrap()].to_owned()
}

#[tokio::test]
async fn a_one_click_post_without_cookies_unsubscribes_and_the_next_mailing_skips_them() {
    let app = app().await;
    app.add_news_readers("reader", 3, "de").await;
    app.login_as_organizer().await;
    let first = app.mailing(NEWS).await;
    app.press(&first, "send", &[]).await;
    app.run_mailings().await;
    assert_eq!(app.news().len(), 3);

    let url = one_click_url(&app, "reader1@example.org");
    // A GET (a mail scanner) only shows the button, in German from the link's language.
    let page = app.bare_client().get(format!("{url}?lang=de")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Neuigkeiten abbestellen"));
    // The mail client's RFC 8058 POST: no cookie, no CSRF token.
    let response = app
        .bare_client()
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("Sie erhalten keine Neuigkeiten mehr"));

    let second = app.mailing(&[("subject_en", "Thank you"), ("text_en", "We won, {name}.")]).await;
    assert_eq!(app.press(&second, "send", &[]).await.status(), 303);
    app.run_mailings().await;
    let thanks: Vec<String> =
        app.news().into_iter().filter(|m| m.subject() == "Thank you").map(|m| m.rcpt).collect();
    assert_eq!(thanks.len(), 2);
    assert!(!thanks.contains(&"reader1@example.org".to_owned()));
    let (_, page) = app.get_text(&first).await;
    assert!(page.contains("<strong>1</strong> unsubscribed"), "{page}");

    // A made-up or altered token unsubscribes nobody.
    let (head, last) = url.split_at(url.len() - 2);
    let forged = format!("{head}{}", if last.starts_with('A') { "B" } else { "A" }) + &last[1..];
    let response = app.bare_client().post(&forged).body("List-Unsubscribe=One-Click").send().await.unwrap();
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn a_supporter_who_withdrew_gets_no_mailing_even_after_signing_again() {
    let app = app().await;
    app.add_news_readers("reader", 2, "en").await;
    let mut form = valid_form("leaving@example.org");
    form.push(("updates".into(), "on".into()));
    let sign_and_confirm = async |form: &Vec<(String, String)>| {
        let before = app.mail.messages().len();
        assert_eq!(app.sign(form).await.status(), 303);
        app.sender().send_due().await.unwrap();
        let link = app.mail.wait_for(before + 1).await[before].link(&format!("{}/confirm/", app.address));
        let path = link.trim_start_matches(&app.address).split('?').next().unwrap().to_owned();
        assert_eq!(app.bare_client().post(app.url(&path)).send().await.unwrap().status(), 200);
        app.sender().send_due().await.unwrap();
        let receipt = app.mail.wait_for(before + 2).await;
        receipt[before + 1].link(&format!("{}/withdraw/", app.address))
    };
    let withdraw = sign_and_confirm(&form).await;
    let path = withdraw.trim_start_matches(&app.address).split('?').next().unwrap().to_owned();
    assert_eq!(app.bare_client().post(app.url(&path)).send().await.unwrap().status(), 200);
    // Signing again with news wanted does not lift the withdrawal's suppression.
    sign_and_confirm(&form).await;

    app.login_as_organizer().await;
    let mailing = app.mailing(NEWS).await;
    app.press(&mailing, "send", &[]).await;
    app.run_mailings().await;
    let recipients: Vec<String> = app.news().into_iter().map(|m| m.rcpt).collect();
    assert_eq!(recipients.len(), 2, "{recipients:?}");
    assert!(!recipients.contains(&"leaving@example.org".to_owned()));
}

#[tokio::test]
async fn bad_mailings_are_refused_with_a_clear_message_and_nothing_is_queued() {
    let app = app().await;
    app.login_as_organizer().await;
    let too_large = "a".repeat(100 * 1024 + 1);
    for (fields, says) in [
        (vec![("subject_en", "News\r\nBcc: everyone@example.org"), ("text_en", "Hi")], "must be one line"),
        (
            vec![("subject_en", "News"), ("text_en", "Hi {name}, your address is {email}")],
            "{email}, which is unknown",
        ),
        (vec![("subject_de", "Neu"), ("text_de", "Hallo")], "campaign's default language"),
        (vec![("subject_en", "News"), ("text_en", too_large.as_str())], "larger than 100 KiB"),
        (vec![("subject_en", "News"), ("text_en", "Hi"), ("countries", "DE, Narnia")], "not a country code"),
    ] {
        let response = app.write_mailing(&fields).await;
        assert_eq!(response.status(), 422, "{says}");
        let page = response.text().await.unwrap();
        assert!(page.contains(&says.replace('\'', "&#39;")), "{says}: {page}");
    }
    // Without the session's CSRF token, nothing is written.
    let response =
        app.post_form(&format!("/admin/c/{SLUG}/mailings"), &[("subject_en".into(), "News".into())]).await;
    assert_eq!(response.status(), 403);

    // Nobody asked for news yet: a well-written mailing may be saved, but not sent.
    let mailing = app.mailing(&[("subject_en", "News"), ("text_en", "Hi {name}")]).await;
    let response = app.press(&mailing, "send", &[]).await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("Nobody would receive this mailing"));
    let response = app.press(&mailing, "send", &[("at", "next tuesday")]).await;
    assert_eq!(response.status(), 422);
    assert_eq!(app.run_mailings().await, 0);
    assert!(app.outbox_rows().await.is_empty(), "{:?}", app.outbox_rows().await);
}

#[tokio::test]
async fn a_paused_mailing_waits_until_resumed_and_a_cancelled_one_sends_nothing_more() {
    let app = app().await;
    app.add_news_readers("reader", 40, "en").await;
    app.login_as_organizer().await;

    let mailing = app.mailing(NEWS).await;
    app.press(&mailing, "send", &[]).await;
    let mailer = app.mailer();
    assert_eq!(mailer.tick().await.unwrap(), 40);
    assert_eq!(app.press(&mailing, "pause", &[]).await.status(), 303);
    assert_eq!(app.run_mailings().await, 0);
    assert!(app.news().is_empty());
    let (_, page) = app.get_text(&mailing).await;
    assert!(page.contains("Mailing: paused") && page.contains("<strong>40</strong> queued"), "{page}");
    assert_eq!(app.press(&mailing, "resume", &[]).await.status(), 303);
    assert_eq!(app.run_mailings().await, 40);
    assert_eq!(app.news().len(), 40);

    let other = app.mailing(&[("subject_en", "Second"), ("text_en", "Again, {name}.")]).await;
    app.press(&other, "send", &[]).await;
    assert_eq!(mailer.tick().await.unwrap(), 40);
    assert_eq!(app.press(&other, "cancel", &[]).await.status(), 303);
    assert_eq!(app.run_mailings().await, 0);
    assert_eq!(app.news().len(), 40, "nothing of the cancelled one went");
    let (_, page) = app.get_text(&other).await;
    assert!(page.contains("<strong>40</strong> dropped unsent"), "{page}");
    // A cancelled mailing stays cancelled.
    assert_eq!(app.press(&other, "resume", &[]).await.status(), 422);
}

#[tokio::test]
async fn a_mailing_larger_than_the_queue_ahead_is_queued_as_the_senders_catch_up_and_reaches_everyone_once() {
    let app = app().await;
    app.add_news_readers("reader", 120, "en").await;
    app.login_as_organizer().await;
    let mailing = app.mailing(NEWS).await;
    app.press(&mailing, "send", &[]).await;
    let mailer = app.mailer().with_ahead(50);

    assert_eq!(mailer.tick().await.unwrap(), 50);
    assert_eq!(mailer.tick().await.unwrap(), 0, "nothing more while 50 wait for the senders");
    let (_, page) = app.get_text(&mailing).await;
    assert!(
        page.contains("<strong>50</strong> queued") && page.contains("<strong>70</strong> not yet queued"),
        "{page}"
    );
    assert_eq!(app.sender().send_due().await.unwrap(), 50);
    assert_eq!(mailer.tick().await.unwrap(), 50);
    assert_eq!(app.sender().send_due().await.unwrap(), 50);
    assert_eq!(mailer.tick().await.unwrap(), 20);
    assert_eq!(app.sender().send_due().await.unwrap(), 20);
    assert_eq!(mailer.tick().await.unwrap(), 0);

    let news = app.news();
    let readers: HashSet<_> = news.iter().map(|m| m.rcpt.clone()).collect();
    assert_eq!((news.len(), readers.len()), (120, 120), "everyone once");
    let (_, page) = app.get_text(&mailing).await;
    assert!(page.contains("<strong>120</strong> sent") && page.contains("finished"), "{page}");
}

#[tokio::test]
async fn a_supporters_confirmation_goes_out_before_a_big_mailing_already_waiting() {
    let app = app().await;
    app.add_news_readers("reader", 150, "en").await;
    app.login_as_organizer().await;
    let mailing = app.mailing(NEWS).await;
    app.press(&mailing, "send", &[]).await;
    let mailer = app.mailer();
    assert_eq!(mailer.tick().await.unwrap(), 150);
    // Queued after the whole mailing.
    assert_eq!(app.sign(&valid_form("new@example.org")).await.status(), 303);

    app.sender().send_due().await.unwrap();
    let received = app.mail.messages();
    assert_eq!(received.len(), 151);
    assert_eq!(received[0].rcpt, "new@example.org", "the confirmation went first");
}

#[tokio::test]
async fn an_organizer_can_send_a_test_of_every_language_to_themselves() {
    let app = app().await;
    app.login_as_organizer().await;
    let mailing = app.mailing(NEWS).await;
    let response = app.press(&mailing, "test", &[]).await;
    assert_eq!(response.status(), 200);
    app.sender().send_due().await.unwrap();
    let tests = app.news();
    assert_eq!(tests.len(), 2);
    assert!(tests.iter().all(|m| m.rcpt == crate::helpers::ORGANIZER));
    assert!(tests.iter().any(|m| m.subject() == "Die Anhörung ist am Montag"));
    assert!(tests.iter().any(|m| m.text().contains("Dear organizer,")));
}

#[tokio::test]
async fn a_mailing_sent_for_later_waits_for_its_time() {
    let app = app().await;
    app.add_news_readers("reader", 5, "en").await;
    app.login_as_organizer().await;
    let mailing = app.mailing(NEWS).await;
    let at = app.clock.now() + chrono::Duration::hours(2);
    let at = at.format("%Y-%m-%dT%H:%M").to_string();
    assert_eq!(app.press(&mailing, "send", &[("at", &at)]).await.status(), 303);
    let (_, page) = app.get_text(&mailing).await;
    assert!(page.contains("Mailing: scheduled"), "{page}");

    assert_eq!(app.run_mailings().await, 0);
    app.clock.advance(chrono::Duration::minutes(119));
    assert_eq!(app.run_mailings().await, 0);
    app.clock.advance(chrono::Duration::minutes(2));
    assert_eq!(app.run_mailings().await, 5);
    assert_eq!(app.news().len(), 5);
}

#[tokio::test]
async fn a_queued_mailing_keeps_nothing_of_its_readers_in_the_outbox_and_is_written_for_whoever_can_still_get_it()
 {
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    use rallypost::db::schema::{outbox, signatures};

    let app = app().await;
    app.add_news_readers("reader", 30, "en").await;
    app.login_as_organizer().await;
    let mailing = app.mailing(NEWS).await;
    app.press(&mailing, "send", &[]).await;
    assert_eq!(app.mailer().tick().await.unwrap(), 30);
    type Queued = (uuid::Uuid, Option<uuid::Uuid>, Option<Vec<u8>>, Option<Vec<u8>>);
    let queued: Vec<Queued> = outbox::table
        .filter(outbox::kind.eq("mailing"))
        .select((outbox::id, outbox::signature_id, outbox::recipient, outbox::message))
        .load(&mut app.pool.get().await.unwrap())
        .await
        .unwrap();
    assert_eq!(queued.len(), 30);
    assert!(
        queued.iter().all(|(_, _, recipient, message)| recipient.is_none() && message.is_none()),
        "a queued message holds nothing about its reader until it goes"
    );

    app.mail.reply_with(Some("451 4.3.0 try again later"));
    app.sender().send_due().await.unwrap();
    assert!(app.news().is_empty());
    // Meanwhile one reader's address turns out not to work (a bounce of other mail).
    let (bounced, _, _, _) = queued[0];
    diesel::update(signatures::table.filter(signatures::id.nullable().eq(queued[0].1)))
        .set(signatures::email_undeliverable_at.eq(app.clock.now()))
        .execute(&mut app.pool.get().await.unwrap())
        .await
        .unwrap();
    app.mail.reply_with(None);
    app.clock.advance(chrono::Duration::hours(1));
    app.sender().send_due().await.unwrap();

    let news = app.news();
    let readers: HashSet<_> = news.iter().map(|m| m.rcpt.clone()).collect();
    assert_eq!((news.len(), readers.len()), (29, 29), "everyone else once, after the retry");
    let row_ids: HashSet<String> = queued
        .iter()
        .filter(|row| row.0 != bounced)
        .map(|row| format!("<{}@rallypost.example>", row.0))
        .collect();
    let message_ids: HashSet<String> = news.iter().map(|m| m.header("Message-ID").unwrap()).collect();
    assert_eq!(message_ids, row_ids, "each message is its queued row, the same as first tried");
    assert!(news.iter().all(|m| m.text().contains("Dear reader,")), "written for its reader");
    let (status, error): (String, Option<String>) = outbox::table
        .find(bounced)
        .select((outbox::status, outbox::last_error))
        .first(&mut app.pool.get().await.unwrap())
        .await
        .unwrap();
    assert_eq!(status, "failed");
    assert!(error.unwrap_or_default().contains("nothing to send"));
}

#[tokio::test]
async fn a_campaign_renamed_while_its_mailing_is_under_way_is_named_anew_in_the_messages_still_to_go() {
    let app = app().await;
    app.add_news_readers("reader", 4, "en").await;
    app.login_as_organizer().await;
    let mailing = app.mailing(NEWS).await;
    app.press(&mailing, "send", &[]).await;
    assert_eq!(app.mailer().tick().await.unwrap(), 4);
    // One sender throughout, as in a running worker: it keeps what a mailing's messages
    // share between batches.
    let sender = app.sender();
    app.mail.reply_with(Some("451 4.3.0 try again later"));
    sender.send_due().await.unwrap();
    assert!(app.news().is_empty(), "all refused for now, written with the first name");

    app.edit_campaign_text(|text| {
        text.replacen("End forced returns to Afghanistan", "No deportations to Afghanistan", 1)
    })
    .await;
    // What the sender keeps of a mailing is read again after two seconds
    // (`FRESH_FOR` in src/mailings/compose.rs).
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    app.mail.reply_with(None);
    app.clock.advance(chrono::Duration::hours(1));
    sender.send_due().await.unwrap();

    let news = app.news();
    assert_eq!(news.len(), 4);
    assert!(news.iter().all(|m| m.text().contains("No deportations to Afghanistan")), "{}", news[0].text());
}
