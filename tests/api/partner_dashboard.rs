//! The dashboard by partner and by source: signed, confirmed, the share confirmed and each
//! partner's opt-ins, kept exact as signatures come and are confirmed between views; the
//! partner filter the roles will use; the embed snippets per partner.

use crate::helpers::{SLUG, TestApp, hidden_value, spawn_app, valid_form};

/// Signs from the page at `query` with `more` fields, as a browser with cookies does;
/// returns the confirmation link.
async fn sign_from(app: &TestApp, email: &str, query: &str, more: &[(&str, &str)]) -> String {
    let before = app.mail.messages().len();
    let (status, page) = app.get_text(&format!("/c/{SLUG}{query}")).await;
    assert_eq!(status, 200);
    let mut fields = valid_form(email);
    for name in ["csrf_token", "lang", "via", "utm_source", "utm_medium", "utm_campaign", "ref"] {
        if let Some(value) = hidden_value(&page, name) {
            fields.push((name.into(), value));
        }
    }
    fields.extend(more.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    assert_eq!(app.post_form(&format!("/c/{SLUG}/sign"), &fields).await.status(), 303);
    app.mail.wait_for(before + 1).await[before].link(&format!("{}/confirm/", app.address))
}

async fn confirm(app: &TestApp, link: &str) {
    assert_eq!(app.client.post(link).send().await.unwrap().status(), 200);
}

/// The cells of the table row that starts with `first`.
fn row(page: &str, table: &str, first: &str) -> Vec<String> {
    let table = &page[page.find(&format!("<table class=\"{table}\">")).unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    let start = table.find(&format!(">{first}</")).unwrap_or_else(|| panic!("no row {first} in {table}"));
    let line = &table[start..table[start..].find("</tr>").unwrap() + start];
    line.split("<td class=\"n\">").skip(1).map(|cell| cell.split('<').next().unwrap().to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn organizers_see_signed_confirmed_and_optins_by_partner_and_by_source() {
    let app = spawn_app().await;
    app.login_as_organizer().await;
    let partner = "?via=exile-network&utm_source=newsletter";
    let a = sign_from(&app, "a@example.org", partner, &[("optin_exile-network", "on")]).await;
    sign_from(&app, "b@example.org", partner, &[]).await;
    let c = sign_from(&app, "c@example.org", "", &[("ref", "news.example")]).await;
    sign_from(&app, "d@example.org", "", &[]).await;
    confirm(&app, &a).await;
    // The first view counts everything; what changes after it must show on the next.
    let (_, first) = app.get_text(&format!("/admin/c/{SLUG}")).await;
    assert_eq!(row(&first, "partners", "Afghan Exile Network"), ["2", "1", "50%", "1"]);
    confirm(&app, &c).await;

    let (status, page) = app.get_text(&format!("/admin/c/{SLUG}")).await;

    assert_eq!(status, 200);
    assert_eq!(row(&page, "partners", "Afghan Exile Network"), ["2", "1", "50%", "1"]);
    assert_eq!(row(&page, "partners", "none (the lead&#39;s own links)")[..3], ["2", "1", "50%"]);
    assert_eq!(row(&page, "partners", "All"), ["4", "2", "50%", "1"]);
    assert_eq!(row(&page, "sources", "newsletter"), ["2", "1", "50%"]);
    assert_eq!(row(&page, "sources", "news.example"), ["1", "1", "100%"], "the referrer's host");
    assert_eq!(row(&page, "sources", "direct"), ["1", "0", "0%"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_filter_keeps_only_that_partners_lines_and_the_whole_totals() {
    let app = spawn_app().await;
    sign_from(&app, "a@example.org", "?via=exile-network&utm_source=newsletter", &[]).await;
    sign_from(&app, "b@example.org", "?utm_source=mastodon", &[]).await;
    let campaign_id = app.campaign_id().await;
    let mut conn = app.pool.get().await.unwrap();
    rallypost::reports::refresh(&mut conn, campaign_id, chrono::Utc::now()).await.unwrap();

    let counts =
        rallypost::reports::referral_counts(&mut conn, campaign_id, Some("exile-network")).await.unwrap();

    let keys =
        |lines: &[rallypost::reports::ReferralLine]| lines.iter().map(|l| l.key.clone()).collect::<Vec<_>>();
    assert_eq!(keys(&counts.by_partner), ["exile-network"]);
    assert_eq!(keys(&counts.by_source), ["newsletter"], "not the sources of others' supporters");
    assert_eq!(counts.totals.signed, 2, "the totals stay whole");
    let all = rallypost::reports::referral_counts(&mut conn, campaign_id, None).await.unwrap();
    assert_eq!(keys(&all.by_source).len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_offers_an_iframe_snippet_for_the_lead_and_each_partner() {
    let app = spawn_app().await;
    app.login_as_organizer().await;

    let (_, page) = app.get_text(&format!("/admin/c/{SLUG}")).await;

    let base = app.settings.base_url.trim_end_matches('/');
    assert!(page.contains(&format!(
        "&lt;iframe src=\"{base}/c/end-forced-returns/embed?via=exile-network&#38;utm_source=exile-network&#38;utm_medium=embed\""
    )), "{page}");
    assert!(page.contains(&format!("&lt;iframe src=\"{base}/c/end-forced-returns/embed?utm_medium=embed\"")));
    assert!(page.contains("<code>https://www.exile-network.example</code>"), "the sites that may frame it");
}
