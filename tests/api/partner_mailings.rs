//! News mailings from a partner: a partner's organizer writes to the supporters who opted in
//! to that partner (and nobody else), in their language, under the partner's name, with a
//! one-click unsubscribe that stops that partner's news only; the lead's mailings stay out
//! of the partner organizer's sight and reach, and the lead's managers see every mailing
//! with its sender.

use std::collections::BTreeSet;

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use rallypost::db::schema::{mailings, signatures, suppressions};
use rallypost::organizers::Role;

use crate::helpers::{AppOptions, ReceivedMail, SLUG, TestApp, hidden_value, spawn_app_with};

/// The shipped campaign's partner.
const PARTNER: &str = "exile-network";
const PARTNER_NAME: &str = "Afghan Exile Network";
const PARTNER_CONTACT: &str = "news@exile-network.example";

/// One organizer's own signed-in browser.
struct Organizer {
    client: reqwest::Client,
}

impl Organizer {
    /// Adds an organizer with `role` on the shipped campaign (for `partner`, if given) and
    /// signs them in.
    async fn new(app: &TestApp, email: &str, role: Role, partner: Option<&str>) -> Organizer {
        app.add_organizer_with_grant(email, role, &[SLUG], partner).await;
        Organizer { client: app.signed_in_client(email).await }
    }

    async fn get(&self, app: &TestApp, path: &str) -> (u16, String) {
        let response = self.client.get(app.url(path)).send().await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    async fn csrf(&self, app: &TestApp) -> String {
        let (status, page) = self.get(app, &format!("/admin/c/{SLUG}/mailings")).await;
        assert_eq!(status, 200, "{page}");
        hidden_value(&page, "csrf_token").unwrap()
    }

    async fn post(&self, app: &TestApp, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let csrf = self.csrf(app).await;
        let mut all = vec![("csrf_token", csrf.as_str())];
        all.extend_from_slice(fields);
        self.client.post(app.url(path)).form(&all).send().await.unwrap()
    }

    /// Writes a mailing that must be accepted; returns its page's path.
    async fn write(&self, app: &TestApp, fields: &[(&str, &str)]) -> String {
        let response = self.post(app, &format!("/admin/c/{SLUG}/mailings"), fields).await;
        assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());
        response.headers()["location"].to_str().unwrap().to_owned()
    }

    /// Presses a mailing's button (`send`, `pause`, `cancel`, `test`...).
    async fn press(&self, app: &TestApp, mailing: &str, action: &str) -> u16 {
        self.post(app, &format!("{mailing}/{action}"), &[]).await.status().as_u16()
    }
}

impl TestApp {
    /// `n` confirmed supporters brought by the partner, as `add_news_readers` names them,
    /// who asked for the lead's news and, if `opted_in`, for the partner's too.
    async fn add_partner_supporters(&self, prefix: &str, n: usize, language: &str, opted_in: bool) {
        self.add_news_readers(prefix, n, language).await;
        let keys = self.keys();
        let mut conn = self.pool.get().await.unwrap();
        for i in 0..n {
            let key = keys.email_lookup(&format!("{prefix}{i}@example.org"));
            diesel::update(signatures::table.filter(signatures::email_key.eq(key)))
                .set((signatures::partner_id.eq(PARTNER), signatures::partner_opt_in.eq(opted_in)))
                .execute(&mut conn)
                .await
                .unwrap();
        }
    }

    /// Queues what the mailings owe, then delivers everything due.
    async fn send_mailings(&self) {
        let mailer = self.mailer();
        mailer.tick().await.unwrap();
        self.sender().send_due().await.unwrap();
    }

    /// The news mailings received with this subject.
    fn news_titled(&self, subject: &str) -> Vec<ReceivedMail> {
        self.mail
            .messages()
            .into_iter()
            .filter(|m| m.header("List-Unsubscribe").is_some() && m.subject() == subject)
            .collect()
    }

    /// Which senders' lists hold this address's keyed hash.
    async fn suppressed_for(&self, address: &str) -> BTreeSet<String> {
        let mut conn = self.pool.get().await.unwrap();
        suppressions::table
            .filter(suppressions::email_key.eq(self.keys().email_lookup(address)))
            .select(suppressions::sender)
            .load::<String>(&mut conn)
            .await
            .unwrap()
            .into_iter()
            .collect()
    }
}

fn recipients(mail: &[ReceivedMail]) -> BTreeSet<String> {
    mail.iter().map(|m| m.rcpt.clone()).collect()
}

/// A header's value with its folding undone.
fn unfolded(m: &ReceivedMail, name: &str) -> String {
    m.header(name).unwrap_or_default().replace("\r\n", "")
}

const PARTNER_NEWS: &[(&str, &str)] = &[
    ("subject_en", "Our vigil on Friday"),
    ("text_en", "Dear {name},\n\njoin our **vigil** on Friday."),
    ("subject_de", "Unsere Mahnwache am Freitag"),
    ("text_de", "Liebe*r {name},\n\nkommen Sie zu unserer **Mahnwache** am Freitag."),
];

#[tokio::test]
async fn a_partners_organizer_reaches_only_those_who_opted_in_to_the_partner_and_unsubscribing_leaves_the_leads_news_coming()
 {
    let app = spawn_app_with(AppOptions { workers: false, ..AppOptions::default() }).await;
    app.edit_campaign(|file| file.partners[0].contact = Some(PARTNER_CONTACT.into())).await;
    app.add_partner_supporters("partner-en", 4, "en", true).await;
    app.add_partner_supporters("partner-de", 3, "de", true).await;
    app.add_partner_supporters("brought", 2, "en", false).await;
    app.add_news_readers("lead", 3, "en").await;
    let partner = Organizer::new(&app, "partner@exile-network.example", Role::Partner, Some(PARTNER)).await;
    let manager = Organizer::new(&app, "manager@rallypost.example", Role::Manager, None).await;

    let mailing = partner.write(&app, PARTNER_NEWS).await;
    let (_, page) = partner.get(&app, &mailing).await;
    assert!(page.contains(&format!("From: <strong>{PARTNER_NAME}</strong>")), "{page}");
    assert!(page.contains("<strong>7</strong> not yet queued"), "{page}");
    assert_eq!(partner.press(&app, &mailing, "send").await, 303);
    app.send_mailings().await;

    let mut news = app.news_titled("Our vigil on Friday");
    news.extend(app.news_titled("Unsere Mahnwache am Freitag"));
    let expected: BTreeSet<String> = (0..4)
        .map(|i| format!("partner-en{i}@example.org"))
        .chain((0..3).map(|i| format!("partner-de{i}@example.org")))
        .collect();
    assert_eq!(recipients(&news), expected, "only those who opted in to the partner");
    assert_eq!(news.len(), 7, "each once");
    for m in &news {
        let german = m.rcpt.starts_with("partner-de");
        assert_eq!(m.subject(), if german { "Unsere Mahnwache am Freitag" } else { "Our vigil on Friday" });
        let parsed = m.parsed();
        let from = parsed.from().and_then(|a| a.first()).unwrap();
        assert_eq!(from.name(), Some(PARTNER_NAME), "the partner's name on the From");
        assert_eq!(from.address(), Some("campaign@rallypost.example"), "the campaign's own address (DMARC)");
        let reply_to = parsed.reply_to().and_then(|a| a.first()).unwrap();
        assert_eq!(reply_to.address(), Some(PARTNER_CONTACT));
        let footer = if german { "Neuigkeiten von" } else { "asked for news from" };
        assert!(m.text().contains(footer) && m.text().contains(PARTNER_NAME), "{}", m.text());
        let unsubscribe = unfolded(m, "List-Unsubscribe");
        assert!(unsubscribe.starts_with(&format!("<{}/unsubscribe/", app.address)), "{unsubscribe}");
        assert!(unsubscribe.contains(", <mailto:campaign@rallypost.example?subject=unsubscribe-"));
        assert_eq!(m.header("List-Unsubscribe-Post").as_deref(), Some("List-Unsubscribe=One-Click"));
    }

    // The mail client's RFC 8058 one-click POST: no cookie, no CSRF token.
    let leaving = news.iter().find(|m| m.rcpt == "partner-de0@example.org").unwrap();
    let header = unfolded(leaving, "List-Unsubscribe");
    let url = &header[1..header.find('>').unwrap()];
    let response = app
        .bare_client()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let stored = format!("partner:{PARTNER}");
    assert_eq!(app.suppressed_for("partner-de0@example.org").await, BTreeSet::from([stored]));

    // The lead's next mailing still reaches them, and everyone else who asked for its news.
    let lead = manager.write(&app, &[("subject_en", "The hearing"), ("text_en", "Dear {name},")]).await;
    assert_eq!(manager.press(&app, &lead, "send").await, 303);
    // The partner's next one does not.
    let again = partner.write(&app, &[("subject_en", "Thank you"), ("text_en", "Dear {name},")]).await;
    assert_eq!(partner.press(&app, &again, "send").await, 303);
    app.send_mailings().await;

    let lead_news = app.news_titled("The hearing");
    assert_eq!(lead_news.len(), 12, "{:?}", recipients(&lead_news));
    assert!(recipients(&lead_news).contains("partner-de0@example.org"));
    let lead_from = lead_news[0].parsed().from().and_then(|a| a.first()).unwrap().name().map(str::to_owned);
    assert_ne!(lead_from.as_deref(), Some(PARTNER_NAME));
    let thanks = recipients(&app.news_titled("Thank you"));
    assert_eq!(thanks.len(), 6, "{thanks:?}");
    assert!(!thanks.contains("partner-de0@example.org"));

    // The lead's managers see every mailing with its sender; the partner's list shows theirs.
    let (_, list) = manager.get(&app, &format!("/admin/c/{SLUG}/mailings")).await;
    assert!(list.contains(PARTNER_NAME) && list.contains("Lead organisation"), "{list}");
    assert!(list.contains("Our vigil on Friday") && list.contains("The hearing"), "{list}");
    let (_, list) = partner.get(&app, &format!("/admin/c/{SLUG}/mailings")).await;
    assert!(list.contains("Our vigil on Friday") && !list.contains("The hearing"), "{list}");
    let (_, page) = partner.get(&app, &mailing).await;
    assert!(
        page.contains("<strong>7</strong> sent") && page.contains("<strong>1</strong> unsubscribed"),
        "{page}"
    );
}

#[tokio::test]
async fn a_partners_organizer_cannot_see_send_or_pause_the_leads_mailing_and_the_lead_can_stop_the_partners()
{
    let app = spawn_app_with(AppOptions { workers: false, ..AppOptions::default() }).await;
    app.add_news_readers("lead", 3, "en").await;
    let partner = Organizer::new(&app, "partner@exile-network.example", Role::Partner, Some(PARTNER)).await;
    let lead = app.add_mailing("The lead's own news", "Dear {name},").await;
    let path = format!("/admin/c/{SLUG}/mailings/{lead}");

    let (status, list) = partner.get(&app, &format!("/admin/c/{SLUG}/mailings")).await;
    assert_eq!(status, 200);
    assert!(!list.contains("The lead&#39;s own news") && !list.contains(&lead.to_string()), "{list}");
    assert_eq!(partner.get(&app, &path).await.0, 404);
    for action in ["send", "test", "pause", "cancel"] {
        assert_eq!(partner.press(&app, &path, action).await, 404, "{action}");
    }

    let status = |id: uuid::Uuid| {
        let pool = app.pool.clone();
        async move {
            let mut conn = pool.get().await.unwrap();
            mailings::table.find(id).select(mailings::status).first::<String>(&mut conn).await.unwrap()
        }
    };
    assert_eq!(status(lead).await, "draft", "the lead's mailing is untouched");
    app.send_mailings().await;
    assert!(app.mail.messages().is_empty(), "nothing went, not even a test");

    // The other way round: the lead's manager sees the partner's draft and may cancel it,
    // but sending words in the partner's name is the partner's decision.
    let manager = Organizer::new(&app, "manager@rallypost.example", Role::Manager, None).await;
    let theirs = partner.write(&app, &[("subject_en", "Partner news"), ("text_en", "Hi {name}")]).await;
    let (status_code, page) = manager.get(&app, &theirs).await;
    assert_eq!(status_code, 200);
    assert!(page.contains(&format!("From: <strong>{PARTNER_NAME}</strong>")), "{page}");
    let response = manager.post(&app, &format!("{theirs}/send"), &[]).await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("organizers send its mailings"));
    assert_eq!(manager.press(&app, &theirs, "cancel").await, 303);
    let id: uuid::Uuid = theirs.rsplit('/').next().unwrap().parse().unwrap();
    assert_eq!(status(id).await, "cancelled");
}
