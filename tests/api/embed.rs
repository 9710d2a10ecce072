//! The form inside a partner's `<iframe>` (`/c/{slug}/embed`): framable only by the
//! campaign's `embed_origins`, signing without any cookie (browsers block third-party
//! ones), proven by a signed, single-use form token bound to the campaign; a replayed,
//! expired, foreign or forged token is refused with the form again and nothing stored.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use rallypost::clock::Clock;
use rallypost::db::schema::signatures;
use rallypost::embed::{EmbedOrigin, FormTokens, TOKEN_LIFETIME};

use crate::helpers::{SLUG, TestApp, encode, hidden_value, spawn_app, valid_form};

const EMBED_LINK: &str = "?via=exile-network&utm_source=partner-site&utm_medium=embed";
const PARTNER_PAGE: &str = "https://www.exile-network.example/act-now";

fn csp(response: &reqwest::Response) -> String {
    response.headers().get("content-security-policy").unwrap().to_str().unwrap().to_owned()
}

/// Lets a second partner site frame the form.
async fn allow_second_origin(app: &TestApp) {
    app.edit_campaign(|file| file.embed_origins.push(EmbedOrigin::parse("http://127.0.0.1:8081").unwrap()))
        .await;
}

/// Opens the embed as a browser in a partner's frame would: no cookies, the partner's
/// page as referrer.
async fn open_embed(app: &TestApp, slug: &str, query: &str) -> String {
    let response = app
        .bare_client()
        .get(app.url(&format!("/c/{slug}/embed{query}")))
        .header("referer", PARTNER_PAGE)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

/// The embedded form's hidden fields, as a browser would post them back.
fn hidden_fields(page: &str) -> Vec<(String, String)> {
    ["form_token", "lang", "via", "utm_source", "utm_medium", "utm_campaign", "ref"]
        .into_iter()
        .filter_map(|name| Some((name.to_owned(), hidden_value(page, name)?)))
        .collect()
}

/// Posts the embedded form without a cookie jar, as a framed page with third-party
/// cookies blocked does.
async fn post_embed(app: &TestApp, slug: &str, fields: &[(String, String)]) -> reqwest::Response {
    let body =
        fields.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&");
    app.bare_client()
        .post(app.url(&format!("/c/{slug}/embed")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn stored(app: &TestApp) -> Vec<(Option<String>, Option<String>, Option<String>, Option<String>)> {
    let mut conn = app.pool.get().await.unwrap();
    signatures::table
        .select((
            signatures::partner_id,
            signatures::utm_source,
            signatures::utm_medium,
            signatures::referrer_host,
        ))
        .load(&mut conn)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_listed_partner_sites_may_frame_the_embed_and_nothing_may_frame_the_campaign_page() {
    let app = spawn_app().await;
    allow_second_origin(&app).await;

    let embed = app.bare_client().get(app.url(&format!("/c/{SLUG}/embed{EMBED_LINK}"))).send().await.unwrap();
    assert_eq!(embed.status(), 200);
    assert!(
        csp(&embed).ends_with("frame-ancestors https://www.exile-network.example http://127.0.0.1:8081"),
        "{}",
        csp(&embed)
    );
    assert!(embed.headers().get("x-frame-options").is_none(), "it would forbid every frame");
    assert!(embed.headers().get("set-cookie").is_none(), "a framed page may get no cookie: it sets none");
    let page = embed.text().await.unwrap();
    assert!(page.contains("name=\"form_token\""));
    assert!(!page.contains("name=\"csrf_token\""));
    assert!(page.contains("action=\"/c/end-forced-returns/embed\""));
    assert!(page.contains("name=\"optin_exile-network\""), "the partner's opt-in, as on the page");

    let campaign_page = app.get(&format!("/c/{SLUG}{EMBED_LINK}")).await;
    assert!(csp(&campaign_page).ends_with("frame-ancestors 'none'"), "{}", csp(&campaign_page));
    assert_eq!(campaign_page.headers()["x-frame-options"], "DENY");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supporter_signs_inside_the_frame_without_cookies_and_the_signature_carries_partner_and_source() {
    let app = spawn_app().await;
    let page = open_embed(&app, SLUG, EMBED_LINK).await;
    assert_eq!(hidden_value(&page, "ref").as_deref(), Some("www.exile-network.example"));

    let response =
        post_embed(&app, SLUG, &[valid_form("mina@example.org"), hidden_fields(&page)].concat()).await;

    assert_eq!(response.status(), 303);
    let thanks = response.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(
        thanks, "/c/end-forced-returns/embed/thanks?lang=en&via=exile-network",
        "the thanks stay in the frame, and their share links keep the partner"
    );
    let thanks = app.bare_client().get(app.url(&thanks)).send().await.unwrap();
    assert_eq!(thanks.status(), 200);
    assert!(csp(&thanks).ends_with("frame-ancestors https://www.exile-network.example"));
    assert_eq!(
        stored(&app).await,
        [(
            Some("exile-network".into()),
            Some("partner-site".into()),
            Some("embed".into()),
            Some("www.exile-network.example".into())
        )]
    );
    let confirmation = app.mail.wait_for(1).await;
    assert!(confirmation[0].link("/confirm/").contains("/confirm/"), "the usual confirmation email");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_form_token_is_refused_in_the_frame_and_nothing_is_stored_twice() {
    let app = spawn_app().await;
    let page = open_embed(&app, SLUG, EMBED_LINK).await;
    let fields = hidden_fields(&page);
    let first = post_embed(&app, SLUG, &[valid_form("mina@example.org"), fields.clone()].concat()).await;
    assert_eq!(first.status(), 303);

    let replay =
        post_embed(&app, SLUG, &[valid_form("someone-else@example.org"), fields.clone()].concat()).await;

    assert_eq!(replay.status(), 403);
    assert!(
        csp(&replay).ends_with("frame-ancestors https://www.exile-network.example"),
        "still in the frame"
    );
    let again = replay.text().await.unwrap();
    assert!(again.contains("This form was already sent"), "says why");
    assert!(again.contains("someone-else@example.org"), "keeps what was typed");
    let fresh = hidden_value(&again, "form_token").unwrap();
    assert_ne!(Some(&fresh), fields.iter().find(|(k, _)| k == "form_token").map(|(_, v)| v));
    assert_eq!(stored(&app).await.len(), 1, "nothing stored twice");

    // The fresh token from the answer works, once.
    let retry =
        post_embed(&app, SLUG, &[valid_form("someone-else@example.org"), hidden_fields(&again)].concat())
            .await;
    assert_eq!(retry.status(), 303);
    assert_eq!(stored(&app).await.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_token_and_one_made_for_another_campaign_are_refused() {
    let app = spawn_app().await;
    app.edit_campaign(|file| file.slug = "second-campaign".into()).await;
    let page = open_embed(&app, SLUG, EMBED_LINK).await;
    let second = open_embed(&app, "second-campaign", "").await;

    let foreign =
        post_embed(&app, SLUG, &[valid_form("mina@example.org"), hidden_fields(&second)].concat()).await;
    assert_eq!(foreign.status(), 403, "a token for another campaign");
    assert!(foreign.text().await.unwrap().contains("This form had expired"));

    app.clock.advance(TOKEN_LIFETIME + chrono::Duration::minutes(1));
    let late = post_embed(&app, SLUG, &[valid_form("mina@example.org"), hidden_fields(&page)].concat()).await;
    assert_eq!(late.status(), 403, "an expired token");
    let again = late.text().await.unwrap();
    assert!(again.contains("mina@example.org"), "the form comes back filled in");

    assert!(stored(&app).await.is_empty());
    let renewed =
        post_embed(&app, SLUG, &[valid_form("mina@example.org"), hidden_fields(&again)].concat()).await;
    assert_eq!(renewed.status(), 303, "the token the refusal gave works");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_or_missing_token_is_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    let page = open_embed(&app, SLUG, EMBED_LINK).await;
    let campaign_id = app.campaign_id().await;
    let wrong_key =
        FormTokens::new(b"a secret this server does not have").issue(campaign_id, app.clock.now());
    let without_token: Vec<(String, String)> =
        hidden_fields(&page).into_iter().filter(|(k, _)| k != "form_token").collect();
    let mut tampered = hidden_value(&page, "form_token").unwrap();
    let last = if tampered.ends_with('A') { 'B' } else { 'A' };
    tampered.pop();
    tampered.push(last);

    for (what, token) in [
        ("another key", Some(wrong_key)),
        ("altered", Some(tampered)),
        ("made up", Some("x".repeat(75))),
        ("missing", None),
    ] {
        let mut fields = [valid_form("mina@example.org"), without_token.clone()].concat();
        if let Some(token) = token {
            fields.push(("form_token".into(), token));
        }
        let response = post_embed(&app, SLUG, &fields).await;
        assert_eq!(response.status(), 403, "{what}");
        assert!(hidden_value(&response.text().await.unwrap(), "form_token").is_some(), "{what}: a fresh one");
    }
    assert!(stored(&app).await.is_empty());

    // A campaign page's CSRF proof does not sign in the embed either.
    let csrf = app.csrf_token().await;
    let fields = [valid_form("mina@example.org"), vec![("csrf_token".into(), csrf)]].concat();
    assert_eq!(app.post_form(&format!("/c/{SLUG}/embed"), &fields).await.status(), 403);
    assert!(stored(&app).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mistake_in_the_frame_comes_back_in_the_frame_with_a_fresh_token_in_every_language() {
    let app = spawn_app().await;
    for (lang, heading) in [
        ("en", "There is a problem"),
        ("de", "Bitte prüfen Sie Ihre Angaben"),
        ("fa-AF", "مشکلی پیش آمده است"),
        ("ps", "یوه ستونزه شته"),
    ] {
        let page = open_embed(&app, SLUG, &format!("{EMBED_LINK}&lang={lang}")).await;
        assert!(page.contains(&format!("<html lang=\"{lang}\"")), "{lang}");
        let mut fields = [valid_form("not-an-address"), hidden_fields(&page)].concat();
        fields.retain(|(k, _)| k != "consent");

        let response = post_embed(&app, SLUG, &fields).await;

        assert_eq!(response.status(), 422, "{lang}");
        assert!(csp(&response).ends_with("frame-ancestors https://www.exile-network.example"), "{lang}");
        let again = response.text().await.unwrap();
        assert!(again.contains(heading), "{lang}");
        assert!(again.contains("not-an-address"), "{lang}: keeps what was typed");
        assert_eq!(hidden_value(&again, "via").as_deref(), Some("exile-network"), "{lang}");
        assert_ne!(hidden_value(&again, "form_token"), hidden_value(&page, "form_token"), "{lang}");
    }
    assert!(stored(&app).await.is_empty());
}
