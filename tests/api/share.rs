//! Sharing that previews: the Open Graph and Twitter card tags of a campaign page in each
//! language, the share image they point at (a 1200x630 PNG with the title and the count,
//! redrawn at most every five minutes), the share links on the thanks and confirmed pages,
//! and what the campaign page weighs with the tags added.

use std::path::PathBuf;

use chrono::Duration;
use rallypost::campaigns::CampaignFile;
use rallypost::domain::Lang;
use rallypost::share::{Card, FRESH_FOR};

use crate::helpers::{AppOptions, SLUG, TestApp, hidden_value, spawn_app, spawn_app_with, valid_form};

/// The `content` of `<meta property="og:..." content="...">` (or `name=`), unescaped as
/// far as the tags here need.
fn meta(page: &str, key: &str) -> Option<String> {
    let at = page.find(&format!("=\"{key}\" content=\""))?;
    let start = at + key.len() + 13;
    Some(page[start..].split('"').next()?.replace("&amp;", "&").replace("&#38;", "&"))
}

fn metas(page: &str, key: &str) -> Vec<String> {
    page.split(&format!("=\"{key}\" content=\""))
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_owned())
        .collect()
}

fn shipped_campaign() -> CampaignFile {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/campaigns/end-forced-returns.toml");
    CampaignFile::parse(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The image the application should answer for `lang` when `count` have signed.
fn expected_image(app: &TestApp, lang: Lang, count: i64) -> Vec<u8> {
    let file = shipped_campaign();
    let (title_lang, text) = file.text_for(lang);
    let site = url::Url::parse(&app.settings.base_url).unwrap().host_str().unwrap().to_owned();
    Card { title: &text.title, title_lang, lang, count, goal: file.goal, site: &site }.render_png().unwrap()
}

/// Width and height from the PNG's header, decoded by the `png` crate.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    let reader = png::Decoder::new(std::io::Cursor::new(bytes)).read_info().expect("a PNG");
    (reader.info().width, reader.info().height)
}

/// Where images go for a person to look at (the Dari one shows its title shaped).
fn artifacts() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/test-artifacts/share");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_campaign_link_previews_in_each_language_with_absolute_addresses_and_its_own_image() {
    let app = spawn_app().await;
    let base = &app.settings.base_url;

    for lang in Lang::ALL {
        let code = lang.code();
        let (status, page) = app.get_text(&format!("/c/{SLUG}?lang={code}")).await;
        assert_eq!(status, 200);

        let page_url = format!("{base}/c/{SLUG}?lang={code}");
        let image_url = format!("{base}/c/{SLUG}/share.png?lang={code}");
        assert!(base.starts_with("http://") || base.starts_with("https://"));
        assert_eq!(meta(&page, "og:url").as_deref(), Some(page_url.as_str()), "{code}");
        assert_eq!(meta(&page, "og:image").as_deref(), Some(image_url.as_str()), "{code}");
        assert_eq!(meta(&page, "twitter:image").as_deref(), Some(image_url.as_str()), "{code}");
        assert_eq!(meta(&page, "twitter:card").as_deref(), Some("summary_large_image"));
        let title = shipped_campaign().text(lang).title.clone();
        assert_eq!(meta(&page, "og:title"), Some(title.clone()), "{code}");
        assert_eq!(meta(&page, "twitter:title"), Some(title), "{code}");
        assert!(meta(&page, "og:description").is_some_and(|d| !d.is_empty()));
        let locale = ["en_US", "de_DE", "fa_AF", "ps_AF"][Lang::ALL.iter().position(|l| *l == lang).unwrap()];
        assert_eq!(meta(&page, "og:locale").as_deref(), Some(locale), "{code}");
        assert_eq!(metas(&page, "og:locale:alternate").len(), 3, "the other languages the campaign speaks");
        assert_eq!(meta(&page, "og:image:width").as_deref(), Some("1200"));
        assert_eq!(meta(&page, "og:image:height").as_deref(), Some("630"));

        // What the crawler fetches next: the address exactly as the page gives it.
        let image = app.bare_client().get(&image_url).send().await.unwrap();
        assert_eq!(image.status(), 200, "{code}");
        assert_eq!(image.headers()["content-type"], "image/png");
        assert!(image.headers().get("set-cookie").is_none(), "an image sets no language cookie");
        assert_eq!(image.headers()["cache-control"], "public, max-age=300");
        let bytes = image.bytes().await.unwrap();
        assert_eq!(png_size(&bytes), (1200, 630), "{code}");
        assert_eq!(bytes, expected_image(&app, lang, 0), "{code}: the title in its language, nobody yet");
        std::fs::write(artifacts().join(format!("{code}.png")), &bytes).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_share_image_shows_a_new_signature_once_five_minutes_have_passed() {
    let app = spawn_app_with(AppOptions { workers: false, ..Default::default() }).await;
    let image = || async {
        let response = app.get(&format!("/c/{SLUG}/share.png?lang=fa-AF")).await;
        assert_eq!(response.status(), 200);
        let max_age = response.headers()["cache-control"].to_str().unwrap().to_owned();
        (response.bytes().await.unwrap().to_vec(), max_age)
    };
    let (before, _) = image().await;
    assert_eq!(before, expected_image(&app, Lang::FaAf, 0));

    assert_eq!(app.sign(&valid_form("mina@example.org")).await.status(), 303);
    app.sender().send_due().await.unwrap();
    let link = app.mail.messages()[0].link(&format!("{}/confirm/", app.address));
    assert_eq!(app.client.post(&link).send().await.unwrap().status(), 200);
    assert_eq!(app.confirmed_count().await, 1);

    app.clock.advance(FRESH_FOR - Duration::seconds(60));
    let (cached, max_age) = image().await;
    assert_eq!(cached, before, "still the image drawn before the signature");
    assert_eq!(max_age, "public, max-age=60", "kept only until it is drawn again");

    app.clock.advance(Duration::seconds(60));
    let (after, max_age) = image().await;
    assert_eq!(after, expected_image(&app, Lang::FaAf, 1), "drawn again, with the new count");
    assert_ne!(after, before);
    assert_eq!(max_age, "public, max-age=300");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_share_image_in_a_language_rallypost_does_not_speak_or_of_no_campaign_is_refused() {
    let app = spawn_app().await;
    let (status, page) = app.get_text(&format!("/c/{SLUG}/share.png?lang=xx")).await;
    assert_eq!(status, 400);
    assert!(page.contains("lang=fa-AF"), "says which languages there are: {page}");
    assert_eq!(app.get_text(&format!("/c/{SLUG}/share.png?lang=%FF")).await.0, 400);
    assert_eq!(app.get_text("/c/no-such-campaign/share.png?lang=en").await.0, 404);
    // Without a language: the campaign's own.
    let default = app.get(&format!("/c/{SLUG}/share.png")).await;
    assert_eq!(default.status(), 200);
    assert_eq!(default.bytes().await.unwrap(), expected_image(&app, shipped_campaign().default_lang(), 0));
}

/// The hrefs of the share box's links, and the address in its copy field.
fn share_box(page: &str) -> (Vec<String>, String) {
    let start = page.find("<ul class=\"share\">").expect("share links");
    let list = &page[start..start + page[start..].find("</ul>").unwrap()];
    let unescape = |s: &str| s.replace("&amp;", "&").replace("&#38;", "&");
    let hrefs = list.split("href=\"").skip(1).map(|s| unescape(s.split('"').next().unwrap())).collect();
    let copy = page.split("id=\"share-link\"").nth(1).unwrap();
    (hrefs, unescape(copy.split("value=\"").nth(1).unwrap().split('"').next().unwrap()))
}

fn assert_channels(page: &str, via: Option<&str>) {
    let (hrefs, copy) = share_box(page);
    assert_eq!(hrefs.len(), 3, "WhatsApp, Telegram and email");
    let sources = ["whatsapp", "telegram", "email"];
    for (href, source) in hrefs.iter().zip(sources) {
        assert!(href.contains(&format!("utm_source%3D{source}%26utm_medium%3Dshare")), "{href}");
        match via {
            Some(via) => assert!(href.contains(&format!("via%3D{via}")), "{href}"),
            None => assert!(!href.contains("via%3D"), "{href}"),
        }
    }
    assert!(hrefs[0].starts_with("https://wa.me/?text="));
    assert!(hrefs[1].starts_with("https://t.me/share/url?url="));
    assert!(hrefs[2].starts_with("mailto:?subject="));
    assert!(copy.contains("utm_source=copy&utm_medium=share"), "{copy}");
    assert_eq!(copy.contains(&format!("via={}", via.unwrap_or("-"))), via.is_some(), "{copy}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supporter_who_came_through_a_partner_shares_links_that_name_the_channel_and_keep_the_partner() {
    let app = spawn_app_with(AppOptions { workers: false, ..Default::default() }).await;
    let (_, page) = app.get_text(&format!("/c/{SLUG}?via=exile-network&lang=ps")).await;
    let mut form = valid_form("gul@example.org");
    for name in ["csrf_token", "lang", "via"] {
        form.push((name.into(), hidden_value(&page, name).unwrap()));
    }

    let signed = app.post_form(&format!("/c/{SLUG}/sign"), &form).await;
    assert_eq!(signed.status(), 303);
    let thanks = signed.headers()["location"].to_str().unwrap().to_owned();
    let (status, thanks_page) = app.get_text(&thanks).await;
    assert_eq!(status, 200);
    assert_channels(&thanks_page, Some("exile-network"));
    assert!(thanks_page.contains("lang%3Dps"), "the language they read");

    app.sender().send_due().await.unwrap();
    let link = app.mail.messages()[0].link(&format!("{}/confirm/", app.address));
    let confirmed = app.client.post(&link).send().await.unwrap();
    assert_eq!(confirmed.status(), 200);
    assert_channels(&confirmed.text().await.unwrap(), Some("exile-network"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supporter_without_a_partner_shares_links_that_name_the_channel_only() {
    let app = spawn_app_with(AppOptions { workers: false, ..Default::default() }).await;
    assert_eq!(app.sign(&valid_form("mina@example.org")).await.status(), 303);
    let (_, thanks) = app.get_text(&format!("/c/{SLUG}/thanks?lang=en&via=nobody")).await;
    assert_channels(&thanks, None);
    assert!(thanks.contains("Copy link"), "the copy button's words");

    app.sender().send_due().await.unwrap();
    let link = app.mail.messages()[0].link(&format!("{}/confirm/", app.address));
    let confirmed = app.client.post(&link).send().await.unwrap().text().await.unwrap();
    assert_channels(&confirmed, None);
}

/// What a browser transfers for the campaign page and its script, compressed as it asks.
async fn compressed_size(app: &TestApp, path: &str) -> usize {
    let response =
        app.bare_client().get(app.url(path)).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(response.status(), 200);
    let headers: usize = response.headers().iter().map(|(k, v)| k.as_str().len() + v.len() + 4).sum();
    headers + response.bytes().await.unwrap().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_campaign_page_with_its_preview_tags_stays_under_15_kb_in_every_language() {
    const LIMIT: usize = 15_000;
    let app = spawn_app().await;
    let script = compressed_size(&app, "/assets/count.js").await;
    for lang in Lang::ALL {
        let page = compressed_size(&app, &format!("/c/{SLUG}?lang={}", lang.code())).await;
        let total = page + script;
        println!(
            "/c/{SLUG} in {}: {total} bytes with count.js, {:.2} of {LIMIT}",
            lang.code(),
            total as f64 / LIMIT as f64
        );
        assert!(total < LIMIT, "{}: {total} bytes", lang.code());
    }
}
