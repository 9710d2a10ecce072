//! Under an https base URL our cookies carry the `__Host-` prefix, so a cookie planted by a
//! sibling subdomain or a plain-http page is never taken for ours; and every answer tells
//! browsers to keep to https. Plain-http local runs keep the plain names.

use crate::helpers::{
    AppOptions, ORGANIZER, PASSWORD, SLUG, TestApp, encode, hidden_value, set_cookie, spawn_app,
    spawn_app_with, valid_form,
};

async fn app_on_https() -> TestApp {
    spawn_app_with(AppOptions {
        env: vec![("RALLYPOST_BASE_URL", "https://sign.rallypost.example".into())],
        ..Default::default()
    })
    .await
}

/// The name, value and attributes of the first cookie set by `response` whose name ends
/// in `name` (`rp_csrf` finds `__Host-rp_csrf` too).
fn cookie_ending_in(response: &reqwest::Response, name: &str) -> Option<(String, String, Vec<String>)> {
    response.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).find_map(|v| {
        let mut parts = v.split(';').map(|p| p.trim().to_owned());
        let pair = parts.next()?;
        let (cookie_name, value) = pair.split_once('=')?;
        cookie_name.ends_with(name).then(|| (cookie_name.to_owned(), value.to_owned(), parts.collect()))
    })
}

/// A page's CSRF cookie value and the form's token for it, as anyone can fetch them.
async fn csrf_pair(app: &TestApp, path: &str) -> (String, String) {
    let page = app.bare_client().get(app.url(path)).send().await.unwrap();
    let (_, value, _) = cookie_ending_in(&page, "rp_csrf").expect("a CSRF cookie");
    let token = hidden_value(&page.text().await.unwrap(), "csrf_token").unwrap();
    (value, token)
}

async fn sign_with_cookie(app: &TestApp, cookie: &str, token: &str, email: &str) -> u16 {
    let mut fields = valid_form(email);
    fields.push(("csrf_token".into(), token.into()));
    let body = fields.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&");
    let response = app
        .bare_client()
        .post(app.url(&format!("/c/{SLUG}/sign")))
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    response.status().as_u16()
}

async fn login_with_cookie(app: &TestApp, cookie: &str, token: &str) -> reqwest::Response {
    app.bare_client()
        .post(app.url("/admin/login"))
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("email={}&password={}&csrf_token={token}", encode(ORGANIZER), encode(PASSWORD)))
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_https_a_planted_plain_csrf_cookie_is_not_accepted() {
    let app = app_on_https().await;
    app.add_organizer(ORGANIZER, PASSWORD).await;
    // What someone who can plant cookies does: fetch a page, keep its cookie and token,
    // then make the victim's browser carry that cookie under the plain name.
    let (value, token) = csrf_pair(&app, &format!("/c/{SLUG}")).await;
    let (login_value, login_token) = csrf_pair(&app, "/admin/login").await;

    let planted = sign_with_cookie(&app, &format!("rp_csrf={value}"), &token, "victim@example.org").await;
    let planted_login = login_with_cookie(&app, &format!("rp_csrf={login_value}"), &login_token).await;

    assert_eq!(planted, 403, "a signature forged with a planted cookie");
    assert_eq!(planted_login.status(), 403, "a sign-in forged with a planted cookie");
    assert!(app.signatures_by_status().await.is_empty());
    // The same values under the prefixed name, which only we can set, work.
    assert_eq!(
        sign_with_cookie(&app, &format!("__Host-rp_csrf={value}"), &token, "mina@example.org").await,
        303
    );
    let login = login_with_cookie(&app, &format!("__Host-rp_csrf={login_value}"), &login_token).await;
    assert_eq!(login.status(), 303);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_https_cookies_carry_the_host_prefix_and_every_answer_carries_hsts() {
    let app = app_on_https().await;
    app.add_organizer(ORGANIZER, PASSWORD).await;

    let page = app.bare_client().get(app.url(&format!("/c/{SLUG}"))).send().await.unwrap();
    let (name, _, attributes) = cookie_ending_in(&page, "rp_csrf").unwrap();
    assert_eq!(name, "__Host-rp_csrf");
    for attribute in ["Secure", "Path=/", "HttpOnly"] {
        assert!(attributes.iter().any(|a| a == attribute), "{attribute} missing: {attributes:?}");
    }
    assert!(!attributes.iter().any(|a| a.starts_with("Domain")), "{attributes:?}");
    assert_eq!(page.headers()["strict-transport-security"], "max-age=31536000");

    let (value, token) = csrf_pair(&app, "/admin/login").await;
    let login = login_with_cookie(&app, &format!("__Host-rp_csrf={value}"), &token).await;
    let (name, session, attributes) = cookie_ending_in(&login, "rp_admin").expect("a session cookie");
    assert_eq!(name, "__Host-rp_admin");
    for attribute in ["Secure", "Path=/", "HttpOnly"] {
        assert!(attributes.iter().any(|a| a == attribute), "{attribute} missing: {attributes:?}");
    }
    assert!(!attributes.iter().any(|a| a.starts_with("Domain")), "{attributes:?}");
    let (name, _, attributes) = cookie_ending_in(&login, "rp_device").expect("a known-browser cookie");
    assert_eq!(name, "__Host-rp_device");
    for attribute in ["Secure", "Path=/", "HttpOnly"] {
        assert!(attributes.iter().any(|a| a == attribute), "{attribute} missing: {attributes:?}");
    }
    for (cookie, expected) in
        [(format!("__Host-rp_admin={session}"), 200), (format!("rp_admin={session}"), 303)]
    {
        let admin = app.bare_client().get(app.url("/admin")).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(admin.status(), expected, "{cookie}: under https only the prefixed name is read");
    }

    for path in ["/", "/no-such-page", "/admin", "/api/v1/petitions", "/healthz"] {
        let response = app.bare_client().get(app.url(path)).send().await.unwrap();
        assert!(response.headers().contains_key("strict-transport-security"), "GET {path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_plain_http_cookies_keep_their_plain_names_and_there_is_no_hsts() {
    let app = spawn_app().await;
    app.add_organizer(ORGANIZER, PASSWORD).await;

    let page = app.bare_client().get(app.url(&format!("/c/{SLUG}"))).send().await.unwrap();
    assert!(set_cookie(&page, "rp_csrf").is_some_and(|c| !c.contains("Secure")));
    assert!(!page.headers().contains_key("strict-transport-security"));
    let login = app.login(ORGANIZER, PASSWORD).await;
    let session = set_cookie(&login, "rp_admin").expect("a plain session cookie");
    assert!(session.contains("Path=/admin") && !session.contains("Secure"), "{session}");
    assert_eq!(app.get("/admin").await.status(), 200);
}
