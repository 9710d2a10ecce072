//! Partners' links: the partner and the source travel with the form and are stored with
//! the signature; the partner's own news opt-in, with the wording shown; what withdrawal
//! clears; and the partner and source in the export and the API.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use rallypost::db::schema::signatures;
use sha2::{Digest, Sha256};

use crate::helpers::{SLUG, TempDir, TestApp, fresh_database, hidden_value, spawn_app, valid_form};

const PARTNER_LINK: &str =
    "?via=exile-network&utm_source=newsletter&utm_medium=email&utm_campaign=winter-2026";
const OPTIN_EN: &str =
    "I would like to receive news from the Afghan Exile Network, a partner of this campaign.";
const OPTIN_DE: &str =
    "Ich möchte Neuigkeiten vom Afghan Exile Network erhalten, einer Partnerorganisation dieser Kampagne.";

/// What a signature row says about where it came from and whom it may hear from.
#[derive(Debug, PartialEq, Eq, Queryable)]
struct Source {
    partner_id: Option<String>,
    partner_opt_in: bool,
    partner_consent_sha256: Option<Vec<u8>>,
    utm_source: Option<String>,
    utm_medium: Option<String>,
    utm_campaign: Option<String>,
    referrer_host: Option<String>,
    updates_opt_in: bool,
}

async fn sources(app: &TestApp) -> Vec<Source> {
    let mut conn = app.pool.get().await.unwrap();
    signatures::table
        .select((
            signatures::partner_id,
            signatures::partner_opt_in,
            signatures::partner_consent_sha256,
            signatures::utm_source,
            signatures::utm_medium,
            signatures::utm_campaign,
            signatures::referrer_host,
            signatures::updates_opt_in,
        ))
        .load(&mut conn)
        .await
        .unwrap()
}

fn sha256(text: &str) -> Vec<u8> {
    Sha256::digest(text.as_bytes()).to_vec()
}

/// Opens the campaign page at `query` (as a visitor from `referer`, if given) and returns it.
async fn open_page(app: &TestApp, query: &str, referer: Option<&str>) -> String {
    let mut request = app.client.get(app.url(&format!("/c/{SLUG}{query}")));
    if let Some(referer) = referer {
        request = request.header("referer", referer);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

/// The form's hidden fields on `page`, as a browser would post them back.
fn hidden_fields(page: &str) -> Vec<(String, String)> {
    ["csrf_token", "lang", "via", "utm_source", "utm_medium", "utm_campaign", "ref"]
        .into_iter()
        .filter_map(|name| Some((name.to_owned(), hidden_value(page, name)?)))
        .collect()
}

fn with(mut fields: Vec<(String, String)>, more: &[(&str, &str)]) -> Vec<(String, String)> {
    fields.extend(more.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    fields
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supporter_from_a_partners_link_is_stored_with_the_partner_the_source_and_the_referring_host() {
    let app = spawn_app().await;
    let page =
        open_page(&app, PARTNER_LINK, Some("https://www.exile-network.example/news?id=5&who=me")).await;

    assert!(page.contains("name=\"optin_exile-network\""), "the partner's opt-in is offered");
    assert!(page.contains(OPTIN_EN));
    assert_eq!(hidden_value(&page, "ref").as_deref(), Some("www.exile-network.example"), "the host only");
    let fields = with(hidden_fields(&page), &[("optin_exile-network", "on"), ("updates", "on")]);
    let response =
        app.post_form(&format!("/c/{SLUG}/sign"), &[valid_form("mina@example.org"), fields].concat()).await;

    assert_eq!(response.status(), 303);
    assert_eq!(
        sources(&app).await,
        [Source {
            partner_id: Some("exile-network".into()),
            partner_opt_in: true,
            partner_consent_sha256: Some(sha256(OPTIN_EN)),
            utm_source: Some("newsletter".into()),
            utm_medium: Some("email".into()),
            utm_campaign: Some("winter-2026".into()),
            referrer_host: Some("www.exile-network.example".into()),
            updates_opt_in: true,
        }]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_german_page_shows_the_partners_german_optin_and_records_that_wording() {
    let app = spawn_app().await;
    let page = open_page(&app, &format!("{PARTNER_LINK}&lang=de"), None).await;
    assert!(page.contains(OPTIN_DE), "the partner's sentence in the page's language");
    assert!(!page.contains(OPTIN_EN));
    assert!(hidden_value(&page, "ref").is_none(), "no referrer, no field");

    let fields = with(hidden_fields(&page), &[("optin_exile-network", "on")]);
    let response =
        app.post_form(&format!("/c/{SLUG}/sign"), &[valid_form("mina@example.org"), fields].concat()).await;

    assert_eq!(response.status(), 303);
    let stored = &sources(&app).await[0];
    assert_eq!(stored.partner_consent_sha256, Some(sha256(OPTIN_DE)));
    assert_eq!(stored.referrer_host, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_partners_link_there_is_no_partner_optin_and_none_is_stored() {
    let app = spawn_app().await;
    let page = open_page(&app, "", None).await;
    assert!(!page.contains("optin_"), "only a partner's link brings its opt-in");

    // A hand-made post naming a partner's checkbox, without the partner's link.
    let fields = with(hidden_fields(&page), &[("optin_exile-network", "on")]);
    let response =
        app.post_form(&format!("/c/{SLUG}/sign"), &[valid_form("mina@example.org"), fields].concat()).await;

    assert_eq!(response.status(), 303);
    let stored = &sources(&app).await[0];
    assert_eq!((stored.partner_id.as_deref(), stored.partner_opt_in), (None, false));
    assert_eq!(stored.partner_consent_sha256, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_partner_or_a_mangled_source_is_dropped_and_signing_still_works() {
    let app = spawn_app().await;
    let long = "x".repeat(101);
    let query = format!("?via=nobody&utm_source={long}&utm_medium=e%00mail&utm_campaign=%E2%80%AEevil");
    let page = open_page(&app, &query, Some("javascript:alert(1)")).await;
    assert!(!page.contains("optin_"));
    for name in ["via", "utm_source", "utm_medium", "utm_campaign", "ref"] {
        assert!(hidden_value(&page, name).is_none(), "{name} is not carried");
    }

    // The same values posted straight to the form are dropped too, never refused.
    let fields = with(
        hidden_fields(&page),
        &[
            ("via", "nobody"),
            ("optin_nobody", "on"),
            ("utm_source", &long),
            ("utm_medium", "e\u{0}mail"),
            ("utm_campaign", "a\r\nb"),
            ("ref", "not a host/at all"),
        ],
    );
    let response =
        app.post_form(&format!("/c/{SLUG}/sign"), &[valid_form("mina@example.org"), fields].concat()).await;

    assert_eq!(response.status(), 303);
    let stored = &sources(&app).await[0];
    assert_eq!(
        *stored,
        Source {
            partner_id: None,
            partner_opt_in: false,
            partner_consent_sha256: None,
            utm_source: None,
            utm_medium: None,
            utm_campaign: None,
            referrer_host: None,
            updates_opt_in: false,
        }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_partner_and_source_survive_a_form_sent_back_for_a_mistake_or_an_expired_token() {
    let app = spawn_app().await;
    let page = open_page(&app, PARTNER_LINK, Some("https://exile-network.example/")).await;
    let carried = hidden_fields(&page);
    let chosen = [("optin_exile-network", "on"), ("anonymous", "on")];

    // No name: 422, and the form comes back with the partner, the source and the choices.
    let mut form = with(carried.clone(), &chosen);
    form.extend(valid_form("mina@example.org").into_iter().filter(|(k, _)| k != "name"));
    let refused = app.post_form(&format!("/c/{SLUG}/sign"), &form).await;
    assert_eq!(refused.status(), 422);
    let refused = refused.text().await.unwrap();
    // An expired token: 403, the same.
    let mut form = with(carried.into_iter().filter(|(k, _)| k != "csrf_token").collect(), &chosen);
    form.push(("csrf_token".into(), "expired".into()));
    form.extend(valid_form("mina@example.org"));
    let expired = app.post_form(&format!("/c/{SLUG}/sign"), &form).await;
    assert_eq!(expired.status(), 403);
    let expired = expired.text().await.unwrap();

    for page in [&refused, &expired] {
        assert_eq!(hidden_value(page, "via").as_deref(), Some("exile-network"));
        assert_eq!(hidden_value(page, "utm_source").as_deref(), Some("newsletter"));
        assert_eq!(hidden_value(page, "utm_medium").as_deref(), Some("email"));
        assert_eq!(hidden_value(page, "utm_campaign").as_deref(), Some("winter-2026"));
        assert_eq!(hidden_value(page, "ref").as_deref(), Some("exile-network.example"));
        assert!(page.contains("name=\"optin_exile-network\" value=\"on\" checked"), "{page}");
        assert!(page.contains("name=\"anonymous\" value=\"on\" checked"));
    }

    // Sent again from the refused page, it is stored with where it came from.
    let form = with(hidden_fields(&refused), &chosen);
    let response =
        app.post_form(&format!("/c/{SLUG}/sign"), &[valid_form("mina@example.org"), form].concat()).await;
    assert_eq!(response.status(), 303);
    let stored = &sources(&app).await[0];
    assert_eq!(stored.partner_id.as_deref(), Some("exile-network"));
    assert_eq!(stored.referrer_host.as_deref(), Some("exile-network.example"));
    assert!(stored.partner_opt_in);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withdrawing_clears_the_news_consent_of_every_organisation() {
    let app = spawn_app().await;
    let page = open_page(&app, PARTNER_LINK, None).await;
    let fields = with(hidden_fields(&page), &[("optin_exile-network", "on"), ("updates", "on")]);
    let response =
        app.post_form(&format!("/c/{SLUG}/sign"), &[valid_form("mina@example.org"), fields].concat()).await;
    assert_eq!(response.status(), 303);
    let link = app.mail.wait_for(1).await[0].link(&format!("{}/confirm/", app.address));
    app.client.post(&link).send().await.unwrap();
    let withdraw = app.mail.wait_for(2).await[1].link(&format!("{}/withdraw/", app.address));
    let before = &sources(&app).await[0];
    assert!(before.partner_opt_in && before.updates_opt_in);

    assert_eq!(app.client.post(&withdraw).send().await.unwrap().status(), 200);

    let after = &sources(&app).await[0];
    assert!(!after.partner_opt_in, "the partner's news");
    assert!(!after.updates_opt_in, "the organisers' news");
    assert_eq!(after.partner_consent_sha256, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn organizers_see_the_partner_and_source_in_the_export_and_the_api() {
    let app = spawn_app().await;
    let page = open_page(&app, PARTNER_LINK, Some("https://www.exile-network.example/")).await;
    let fields = with(hidden_fields(&page), &[("anonymous", "on")]);
    app.post_form(&format!("/c/{SLUG}/sign"), &[valid_form("mina@example.org"), fields].concat()).await;
    let link = app.mail.wait_for(1).await[0].link(&format!("{}/confirm/", app.address));
    app.client.post(&link).send().await.unwrap();
    app.login_as_organizer().await;

    let csv = app.get(&format!("/admin/c/{SLUG}/signatures.csv")).await.text().await.unwrap();
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().ends_with(",anonymous,partner,source,medium,utm_campaign"));
    let row = lines.next().expect("the signature");
    assert!(row.contains("Mina Ahmadi"), "organizers see the name of an anonymous signer: {row}");
    assert!(row.ends_with(",true,exile-network,newsletter,email,winter-2026"), "{row}");

    let token = app.api_token(crate::helpers::ORGANIZER).await;
    let response = app
        .client
        // By page number: the cursor pages hold back the last seconds' confirmations.
        .get(app.url(&format!("/api/v1/petitions/{SLUG}/signatures?page=1")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let json: serde_json::Value = response.json().await.unwrap();
    let signature = &json["_embedded"]["osdi:signatures"][0];
    assert_eq!(
        signature["referrer_data"],
        serde_json::json!({
            "source": "newsletter",
            "referrer": "exile-network",
            "website": "www.exile-network.example",
            "medium": "email",
            "campaign": "winter-2026",
        })
    );
    assert_eq!(signature["_embedded"]["osdi:person"]["custom_fields"]["anonymous"], true);
}

#[test]
fn campaign_import_refuses_a_broken_partner_block_with_one_line_naming_it() {
    let db = fresh_database();
    let dir = TempDir::new("rallypost-import");
    let file = dir.path().join("partners.toml");
    let shipped =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/campaigns/end-forced-returns.toml"))
            .unwrap();
    std::fs::write(&file, shipped.replace("https://exile-network.example", "exile-network dot example"))
        .unwrap();

    let mut import = std::process::Command::new(env!("CARGO_BIN_EXE_rallypost"));
    for (key, _) in std::env::vars().filter(|(key, _)| key.starts_with("RALLYPOST_") || key == "DATABASE_URL")
    {
        import.env_remove(key);
    }
    let output =
        import.args(["campaign", "import"]).arg(&file).env("RALLYPOST_DATABASE_URL", &db).output().unwrap();

    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("exile-network") && stderr.contains("website"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supporter_who_switches_language_keeps_the_partner_and_source() {
    let app = spawn_app().await;
    let page = open_page(&app, PARTNER_LINK, Some("https://www.exile-network.example/")).await;
    let carried = "via=exile-network&utm_source=newsletter&utm_medium=email&utm_campaign=winter-2026\
        &ref=www.exile-network.example";
    let switch = format!("href=\"/c/{SLUG}?lang=fa-AF&{carried}\"").replace('&', "&#38;");
    assert!(page.contains(&switch), "{page}");

    // Following the switch (our pages send no Referer).
    let dari = open_page(&app, &format!("?lang=fa-AF&{carried}"), None).await;

    assert!(dari.contains("(Afghan Exile Network)"), "the partner's opt-in, in Dari");
    let referral = |page: &str| -> Vec<(String, String)> {
        hidden_fields(page).into_iter().filter(|(k, _)| k != "csrf_token" && k != "lang").collect()
    };
    assert_eq!(referral(&dari), referral(&page));
    assert_eq!(referral(&dari).len(), 5);
}
