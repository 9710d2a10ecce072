//! The dashboard's counts come from a per-day table refreshed on each view: they must stay
//! exact as signatures are made, confirmed, withdrawn and purged between views, including
//! changes to days already counted.

use chrono::{Duration, Utc};
use rallypost::clock::Clock;

use crate::helpers::{ORGANIZER, PASSWORD, SLUG, Seed, TestApp, spawn_app};

/// Pending, confirmed and withdrawn as the campaign dashboard shows them.
async fn dashboard_totals(app: &TestApp) -> (i64, i64, i64, String) {
    let (status, page) = app.get_text(&format!("/admin/c/{SLUG}")).await;
    assert_eq!(status, 200, "{page}");
    let total = |label: &str| -> i64 {
        let end = page.find(&format!("</strong> {label}")).unwrap_or_else(|| panic!("no {label} in {page}"));
        let start = page[..end].rfind("<strong>").unwrap() + "<strong>".len();
        page[start..end].parse().unwrap()
    };
    (total("pending"), total("confirmed"), total("withdrawn"), page)
}

/// The same totals counted directly.
async fn counted(app: &TestApp) -> (i64, i64, i64) {
    let by = app.signatures_by_status().await;
    let get = |s: &str| by.iter().find(|(status, _)| status == s).map_or(0, |(_, n)| *n);
    (get("pending"), get("confirmed"), get("withdrawn"))
}

async fn assert_dashboard_matches_the_table(app: &TestApp, expected: (i64, i64, i64), step: &str) {
    // Days pass in this test and sessions last 12 hours: sign in again.
    assert_eq!(app.login(ORGANIZER, PASSWORD).await.status(), 303);
    let (pending, confirmed, withdrawn, _) = dashboard_totals(app).await;
    assert_eq!((pending, confirmed, withdrawn), counted(app).await, "{step}: dashboard against a count");
    assert_eq!((pending, confirmed, withdrawn), expected, "{step}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_totals_stay_exact_as_signatures_change_on_days_already_counted() {
    let app = spawn_app().await;
    app.login_as_organizer().await;
    let long_ago = Utc::now() - Duration::days(40);
    app.seed(Seed { status: "pending", signed_at: long_ago, ..Seed::default() }).await;
    app.seed(Seed { status: "confirmed", email: "a@example.org", ..Seed::default() }).await;
    assert_dashboard_matches_the_table(&app, (1, 1, 0), "first view counts everything").await;

    // Today: a new signature, counted on the next view.
    let link = app.sign_and_get_link("mina@example.org").await;
    assert_dashboard_matches_the_table(&app, (2, 1, 0), "signed today").await;

    // Two days later it is confirmed: its signing day, counted already, must change.
    app.clock.advance(Duration::days(2));
    assert_dashboard_matches_the_table(&app, (2, 1, 0), "two days later, nothing new").await;
    assert_eq!(app.client.post(&link).send().await.unwrap().status(), 200);
    assert_dashboard_matches_the_table(&app, (1, 2, 0), "confirmed two days after signing").await;

    // A week later it is withdrawn.
    app.clock.advance(Duration::days(7));
    let receipt = &app.mail.wait_for(2).await[1];
    let withdraw = receipt.link(&format!("{}/withdraw/", app.address));
    assert_eq!(app.client.post(&withdraw).send().await.unwrap().status(), 200);
    assert_dashboard_matches_the_table(&app, (1, 1, 1), "withdrawn a week later").await;

    // The purge deletes the 40-day-old pending signature: a deletion leaves no timestamp.
    let mut conn = app.pool.get().await.unwrap();
    let purged = rallypost::signatures::purge_unconfirmed(&mut conn, app.clock.now()).await.unwrap();
    assert_eq!(purged, 1);
    assert_dashboard_matches_the_table(&app, (0, 1, 1), "after the purge").await;

    // The chart still shows the day of the withdrawn signature (made, whatever became of it).
    let (_, _, _, page) = dashboard_totals(&app).await;
    assert!(page.contains("<title>2026-11-01: 1</title>"), "{page}");
    let signed_day = (app.clock.now() - Duration::days(9)).date_naive();
    assert!(page.contains(&format!("<title>{signed_day}: 1</title>")), "{page}");
    assert!(page.contains("<td>Germany (DE)</td><td class=\"n\">1</td>"), "{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_campaign_list_shows_the_same_exact_totals() {
    let app = spawn_app().await;
    app.login_as_organizer().await;
    app.seed(Seed { status: "confirmed", ..Seed::default() }).await;
    let (_, before) = app.get_text("/admin").await;

    app.sign_and_get_link("mina@example.org").await;
    let (status, after) = app.get_text("/admin").await;

    assert_eq!(status, 200);
    // Confirmed, pending, withdrawn.
    let row = |c, p, w| format!("<td class=\"n\">{c}</td><td class=\"n\">{p}</td><td class=\"n\">{w}</td>");
    assert!(before.contains(&row(1, 0, 0)), "{before}");
    assert!(after.contains(&row(1, 1, 0)), "{after}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organizer_sees_how_many_of_each_days_signers_confirmed() {
    let app = spawn_app().await;
    app.login_as_organizer().await;
    let today = app.clock.now();
    let yesterday = today - Duration::days(1);
    for (i, status) in ["confirmed", "confirmed", "withdrawn", "pending"].into_iter().enumerate() {
        let email = ["y0@example.org", "y1@example.org", "y2@example.org", "y3@example.org"][i];
        app.seed(Seed { status, email, signed_at: yesterday, ..Seed::default() }).await;
    }
    app.seed(Seed { status: "pending", email: "t0@example.org", signed_at: today, ..Seed::default() }).await;
    // Signed long ago: its unconfirmed neighbours are deleted by now, so it is not shown.
    app.seed(Seed { status: "confirmed", signed_at: today - Duration::days(45), ..Seed::default() }).await;

    let (status, page) = app.get_text(&format!("/admin/c/{SLUG}")).await;

    assert_eq!(status, 200);
    let start = page.find("<table class=\"conversion\">").expect("a conversion table");
    let table = &page[start..start + page[start..].find("</table>").unwrap()];
    let cells = |day: chrono::DateTime<Utc>| format!("<tr><td>{}</td><td class=\"n\">", day.date_naive());
    let row = |day| {
        let at = table.find(&cells(day)).unwrap_or_else(|| panic!("no row for {day} in {table}"));
        let end = at + table[at..].find("</tr>").unwrap();
        table[at..end]
            .split("<td class=\"n\">")
            .skip(1)
            .map(|c| c.split('<').next().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(row(yesterday), ["4", "3", "75%"], "three of yesterday's four confirmed");
    assert_eq!(row(today), ["1", "0", "0%"]);
    assert!(!table.contains(&(today - Duration::days(45)).date_naive().to_string()), "{table}");
    assert!(table.find(&cells(today)).unwrap() < table.find(&cells(yesterday)).unwrap(), "latest first");
}
