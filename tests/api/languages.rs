//! Which language a supporter reads: `?lang=` beats the cookie the switch leaves,
//! which beats the browser's `Accept-Language`; right-to-left languages get `dir="rtl"`.

use crate::helpers::{SLUG, spawn_app, valid_form};

fn html_tag(page: &str) -> &str {
    let start = page.find("<html").expect("an <html> tag");
    &page[start..start + page[start..].find('>').unwrap()]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_query_beats_the_cookie_which_beats_accept_language() {
    let app = spawn_app().await;
    let page = |query: &'static str| {
        let url = app.url(&format!("/c/{SLUG}{query}"));
        let request = app.client.get(url).header("accept-language", "de-DE,de;q=0.9");
        async move { request.send().await.unwrap() }
    };

    let first = page("").await;
    let vary: Vec<_> =
        first.headers().get_all("vary").iter().map(|v| v.to_str().unwrap().to_owned()).collect();
    assert!(vary.iter().any(|v| v.contains("Accept-Language") && v.contains("Cookie")), "{vary:?}");
    let by_header = first.text().await.unwrap();
    assert!(html_tag(&by_header).contains("lang=\"de\""), "{}", html_tag(&by_header));
    assert!(by_header.contains("Unterschreiben"));

    let chosen = page("?lang=en").await;
    let cookie = chosen.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("lang=en;"), "{cookie}");
    assert!(html_tag(&chosen.text().await.unwrap()).contains("lang=\"en\""));

    let by_cookie = page("").await.text().await.unwrap();
    assert!(html_tag(&by_cookie).contains("lang=\"en\""), "the cookie beats the header");
    assert!(by_cookie.contains(">Sign<"));

    let by_query = page("?lang=de").await.text().await.unwrap();
    assert!(html_tag(&by_query).contains("lang=\"de\""), "the query beats the cookie");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dari_pages_are_right_to_left_and_mark_the_english_campaign_text() {
    let app = spawn_app().await;

    let (status, page) = app.get_text(&format!("/c/{SLUG}?lang=fa-AF")).await;

    assert_eq!(status, 200);
    assert_eq!(html_tag(&page), "<html lang=\"fa-AF\" dir=\"rtl\"");
    assert!(page.contains("امضا کنید"), "the Dari sign button");
    // The campaign has no Dari text: its English words are marked as such, so they
    // run left-to-right and screen readers pronounce them as English.
    assert!(page.contains("<div lang=\"en\" dir=\"ltr\">\n<h1>End forced returns to Afghanistan</h1>"));
    assert!(page.contains("class=\"content-note\""));
    // Words the stub lacks fall back to English rather than to a key.
    assert!(page.contains("Withdraw") || page.contains("Only the organizers see"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_asking_for_dari_is_not_sent_to_the_unfinished_translation() {
    let app = spawn_app().await;

    let response = app
        .client
        .get(app.url(&format!("/c/{SLUG}")))
        .header("accept-language", "fa-AF,fa;q=0.9,de;q=0.5")
        .send()
        .await
        .unwrap();

    let page = response.text().await.unwrap();
    assert_eq!(html_tag(&page), "<html lang=\"de\" dir=\"ltr\"");
    assert!(!page.contains("aria-current=\"true\">دری"), "Dari is not offered yet");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supporter_who_signs_in_german_gets_german_emails_and_pages() {
    let app = spawn_app().await;
    let mut fields = valid_form("jana@example.org");
    fields.push(("lang".into(), "de".into()));

    let response = app.sign(&fields).await;

    assert_eq!(response.headers()["location"], format!("/c/{SLUG}/thanks?lang=de"));
    let mails = app.mail.wait_for(1).await;
    assert!(mails[0].subject().starts_with("Bitte bestätigen Sie Ihre Unterschrift"));
    assert!(mails[0].text().starts_with("Hallo Mina Ahmadi,"));
    let (_, thanks) = app.get_text(&format!("/c/{SLUG}/thanks?lang=de")).await;
    assert!(thanks.contains("Bitte sehen Sie in Ihr Postfach"));
    let link = mails[0].link(&format!("{}/confirm/", app.address));
    let confirmed = app.client.post(&link).send().await.unwrap().text().await.unwrap();
    assert!(confirmed.contains("Danke, Ihre Unterschrift zählt"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supporter_on_the_draft_dari_page_gets_a_whole_english_email() {
    let app = spawn_app().await;
    let mut fields = valid_form("farid@example.org");
    fields.push(("lang".into(), "fa-AF".into()));

    let response = app.sign(&fields).await;

    assert_eq!(response.headers()["location"], format!("/c/{SLUG}/thanks?lang=fa-AF"));
    let mails = app.mail.wait_for(1).await;
    assert!(mails[0].text().starts_with("Hello Mina Ahmadi,"));
    assert!(mails[0].html().contains("<html lang=\"en\" dir=\"ltr\">"));
    let (_, thanks) = app.get_text(&format!("/c/{SLUG}/thanks?lang=fa-AF")).await;
    assert!(thanks.contains("<html lang=\"fa-AF\" dir=\"rtl\">"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_language_switch_on_a_refused_form_leads_to_the_campaign_page() {
    let app = spawn_app().await;
    let mut fields = valid_form("not-an-address");
    fields.push(("lang".into(), "en".into()));

    let response = app.sign(&fields).await;

    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains(&format!("href=\"/c/{SLUG}?lang=de\"")), "the switch names the GET page");
    assert!(!page.contains("/sign?lang="));
    assert_eq!(app.get(&format!("/c/{SLUG}?lang=de")).await.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_count_script_is_served_by_the_app_and_allowed_by_the_policy() {
    let app = spawn_app().await;

    let page = app.get(&format!("/c/{SLUG}")).await;
    let policy = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    let body = page.text().await.unwrap();
    let script = app.get("/assets/count.js").await;

    assert!(policy.starts_with("default-src 'self'"), "{policy}");
    assert!(!policy.contains("script-src"), "scripts fall under default-src 'self'");
    assert!(body.contains("<script src=\"/assets/count.js\" defer></script>"));
    assert!(body.contains(&format!("data-count-url=\"/c/{SLUG}/count.json\"")));
    assert_eq!(script.status(), 200);
    assert!(script.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));
}
