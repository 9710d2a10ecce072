//! Which language a supporter reads: `?lang=` beats the cookie the switch leaves,
//! which beats the browser's `Accept-Language`; right-to-left languages get `dir="rtl"`;
//! a supporter who signed in Dari or Pashto reads it in every email and page after.

use crate::helpers::{ReceivedMail, SLUG, spawn_app, valid_form};

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
async fn dari_and_pashto_pages_are_right_to_left_and_speak_the_campaign_in_that_language() {
    let app = spawn_app().await;

    for (lang, title, button) in [
        ("fa-AF", "اخراج اجباری به افغانستان را متوقف کنید", "امضا کنید"),
        ("ps", "افغانستان ته جبري اخراج ودروئ", "لاسلیک کړئ"),
    ] {
        let (status, page) = app.get_text(&format!("/c/{SLUG}?lang={lang}")).await;

        assert_eq!(status, 200);
        assert_eq!(html_tag(&page), format!("<html lang=\"{lang}\" dir=\"rtl\""));
        assert!(page.contains(&format!("<div lang=\"{lang}\" dir=\"rtl\">\n<h1>{title}</h1>")), "{lang}");
        assert!(page.contains(&format!(">{button}</button>")), "{lang}");
        assert!(!page.contains("class=\"content-note\""), "{lang}: the campaign speaks {lang}");
        assert!(!page.contains("Only the organizers see"), "{lang}: no English words around it");
        // Both are offered in the switch, each named in its own script.
        assert!(page.contains("hreflang=\"fa-AF\"") && page.contains(">دری</a>"), "{lang}");
        assert!(page.contains("hreflang=\"ps\"") && page.contains(">پښتو</a>"), "{lang}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_campaign_without_text_in_the_chosen_language_marks_its_english_text() {
    let app = spawn_app().await;
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/campaigns/end-forced-returns.toml"))
            .unwrap();
    let (before, pashto) = text.split_once("[texts.ps]").unwrap();
    let after = &pashto[pashto.find("\n[").unwrap()..];
    let file = rallypost::campaigns::CampaignFile::parse(&format!("{before}{after}")).unwrap();
    let mut conn = app.pool.get().await.unwrap();
    rallypost::campaigns::upsert(&mut conn, &file, chrono::Utc::now()).await.unwrap();

    let (status, page) = app.get_text(&format!("/c/{SLUG}?lang=ps")).await;

    assert_eq!(status, 200);
    assert_eq!(html_tag(&page), "<html lang=\"ps\" dir=\"rtl\"");
    // The English words are marked as such, so they run left-to-right and screen
    // readers pronounce them as English; the page around them stays Pashto.
    assert!(page.contains("<div lang=\"en\" dir=\"ltr\">\n<h1>End forced returns to Afghanistan</h1>"));
    assert!(page.contains("class=\"content-note\">دا کمپاین لا تر اوسه ستاسو په ژبه نشته"));
    assert!(page.contains(">لاسلیک کړئ</button>"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_asking_for_dari_persian_or_any_pashto_gets_it() {
    let app = spawn_app().await;

    for (header, lang) in [
        ("fa-AF,fa;q=0.9,de;q=0.5", "fa-AF"),
        ("prs", "fa-AF"),
        ("fa-IR,en;q=0.5", "fa-AF"),
        ("ps-AF", "ps"),
        ("pbt-PK,ur;q=0.8,en;q=0.3", "ps"),
        ("pbu", "ps"),
        ("de;q=0.9, ps;q=0.4", "de"),
    ] {
        let response = app
            .bare_client()
            .get(app.url(&format!("/c/{SLUG}")))
            .header("accept-language", header)
            .send()
            .await;

        let page = response.unwrap().text().await.unwrap();
        assert!(
            html_tag(&page).starts_with(&format!("<html lang=\"{lang}\"")),
            "{header}: {}",
            html_tag(&page)
        );
    }
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
    assert!(mails[0].text().starts_with("Hallo \u{2068}Mina Ahmadi\u{2069},"));
    let (_, thanks) = app.get_text(&format!("/c/{SLUG}/thanks?lang=de")).await;
    assert!(thanks.contains("Bitte sehen Sie in Ihr Postfach"));
    let link = mails[0].link(&format!("{}/confirm/", app.address));
    let confirmed = app.client.post(&link).send().await.unwrap().text().await.unwrap();
    assert!(confirmed.contains("Danke, Ihre Unterschrift zählt"));
}

/// What a supporter who signed in `lang` receives and sees, when they open the links from
/// the emails on another device whose browser asks for English.
struct Journey {
    confirmation: ReceivedMail,
    confirm_page: String,
    confirmed_page: String,
    receipt: ReceivedMail,
    withdraw_page: String,
    withdrawn_page: String,
}

async fn sign_confirm_and_withdraw_in(lang: &str) -> Journey {
    let app = spawn_app().await;
    let mut fields = valid_form("farid@example.org");
    fields.push(("lang".into(), lang.into()));
    let response = app.sign(&fields).await;
    assert_eq!(response.headers()["location"], format!("/c/{SLUG}/thanks?lang={lang}"));
    let confirmation = app.mail.wait_for(1).await.remove(0);

    let english_phone = reqwest::Client::builder()
        .cookie_store(true)
        .default_headers(
            [(reqwest::header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9".parse().unwrap())].into_iter().collect(),
        )
        .build()
        .unwrap();
    let open = |link: String| {
        let request = english_phone.get(link);
        async move { request.send().await.unwrap().text().await.unwrap() }
    };
    let press = |link: String| {
        let request = english_phone.post(link);
        async move { request.send().await.unwrap().text().await.unwrap() }
    };
    let link = confirmation.link(&format!("{}/confirm/", app.address));
    let confirm_page = open(link.clone()).await;
    let confirmed_page = press(link).await;
    let receipt = app.mail.wait_for(2).await.remove(1);
    let link = receipt.link(&format!("{}/withdraw/", app.address));
    let withdraw_page = open(link.clone()).await;
    let withdrawn_page = press(link).await;
    Journey { confirmation, confirm_page, confirmed_page, receipt, withdraw_page, withdrawn_page }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supporter_who_signs_in_dari_gets_dari_emails_and_pages_to_the_end() {
    let journey = sign_confirm_and_withdraw_in("fa-AF").await;

    let confirmation = &journey.confirmation;
    assert!(
        confirmation.subject().starts_with("لطفاً امضای خود را تأیید کنید: اخراج اجباری"),
        "{}",
        confirmation.subject()
    );
    assert!(confirmation.text().starts_with("سلام \u{2068}Mina Ahmadi\u{2069}،"), "{}", confirmation.text());
    let html = confirmation.html();
    assert!(html.contains("<html lang=\"fa-AF\" dir=\"rtl\">"), "{html}");
    assert!(html.contains("امضای خود را تأیید کنید</a>"), "the button speaks Dari");
    assert!(html.contains("پس از ۳۰ روز پاک می\u{200c}شود"));

    for page in
        [&journey.confirm_page, &journey.confirmed_page, &journey.withdraw_page, &journey.withdrawn_page]
    {
        assert!(page.contains("<html lang=\"fa-AF\" dir=\"rtl\">"), "{}", html_tag(page));
    }
    assert!(journey.confirm_page.contains(">امضای خود را تأیید می\u{200c}کنم</button>"));
    assert!(journey.confirmed_page.contains("تشکر، امضای شما شمرده شد"));
    let share_text =
        percent_encoding::utf8_percent_encode("با من همصدا شوید", percent_encoding::NON_ALPHANUMERIC);
    assert!(
        journey.confirmed_page.contains(&share_text.to_string()),
        "the share text is the campaign's Dari one"
    );

    let receipt = &journey.receipt;
    assert!(receipt.subject().starts_with("امضای شما تأیید شد: "), "{}", receipt.subject());
    assert!(receipt.text().contains("تشکر: امضای شما تأیید و شمرده شد."));
    assert!(receipt.html().contains("<html lang=\"fa-AF\" dir=\"rtl\">"));
    assert!(journey.withdraw_page.contains(">امضای خود را پس می\u{200c}گیرم</button>"));
    assert!(journey.withdrawn_page.contains("امضای شما پس گرفته شد"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supporter_who_signs_in_pashto_gets_pashto_emails_and_pages_to_the_end() {
    let journey = sign_confirm_and_withdraw_in("ps").await;

    let confirmation = &journey.confirmation;
    assert!(
        confirmation.subject().starts_with("مهرباني وکړئ خپل لاسلیک تایید کړئ: افغانستان ته"),
        "{}",
        confirmation.subject()
    );
    assert!(confirmation.text().starts_with("سلام \u{2068}Mina Ahmadi\u{2069}،"));
    assert!(confirmation.html().contains("<html lang=\"ps\" dir=\"rtl\">"));
    for page in
        [&journey.confirm_page, &journey.confirmed_page, &journey.withdraw_page, &journey.withdrawn_page]
    {
        assert!(page.contains("<html lang=\"ps\" dir=\"rtl\">"), "{}", html_tag(page));
    }
    assert!(journey.confirmed_page.contains("مننه، ستاسو لاسلیک وشمېرل شو"));
    assert!(journey.receipt.text().contains("مننه: ستاسو لاسلیک تایید او وشمېرل شو."));
    assert!(journey.receipt.html().contains("<html lang=\"ps\" dir=\"rtl\">"));
    assert!(journey.withdrawn_page.contains("ستاسو لاسلیک بېرته واخیستل شو"));
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
    assert!(body.contains(&format!("data-count-url=\"/c/{SLUG}/count.json?lang=en\"")));
    assert_eq!(script.status(), 200);
    assert!(script.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));
}
