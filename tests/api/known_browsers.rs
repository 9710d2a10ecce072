//! Account lockout without a lockout weapon: a stranger who knows an organizer's address
//! can make cookie-less sign-ins for that account wait, but not the browser the organizer
//! signed in with before (OWASP's device cookie), which keeps a limit of its own.

use crate::helpers::{AppOptions, ORGANIZER, PASSWORD, TestApp, encode, hidden_value, spawn_app_with};

/// Behind a proxy on 127.0.0.1, so that each browser can come from an address of its own.
async fn behind_a_proxy() -> TestApp {
    let app = spawn_app_with(AppOptions {
        env: vec![("RALLYPOST_TRUSTED_PROXIES", "127.0.0.1".into())],
        ..Default::default()
    })
    .await;
    app.add_organizer(ORGANIZER, PASSWORD).await;
    app
}

/// One browser: its own cookie jar, seen by the server at `address`.
struct Browser<'a> {
    app: &'a TestApp,
    client: reqwest::Client,
    address: String,
}

impl<'a> Browser<'a> {
    fn new(app: &'a TestApp, address: &str) -> Browser<'a> {
        let client = crate::helpers::client_builder().cookie_store(true).build().unwrap();
        Browser { app, client, address: address.to_owned() }
    }

    fn from(&mut self, address: &str) -> &mut Self {
        self.address = address.to_owned();
        self
    }

    async fn sign_in(&self, password: &str) -> u16 {
        let page = self.client.get(self.app.url("/admin/login")).header("x-forwarded-for", &self.address);
        let page = page.send().await.unwrap().text().await.unwrap();
        let csrf = hidden_value(&page, "csrf_token").unwrap();
        self.client
            .post(self.app.url("/admin/login"))
            .header("x-forwarded-for", &self.address)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("email={}&password={}&csrf_token={csrf}", encode(ORGANIZER), encode(password)))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }
}

#[tokio::test]
async fn a_strangers_failures_from_many_addresses_do_not_lock_out_the_organizers_known_browser() {
    let app = behind_a_proxy().await;
    let organizers_browser = Browser::new(&app, "192.0.2.10");
    assert_eq!(organizers_browser.sign_in(PASSWORD).await, 303);
    let mut stranger = Browser::new(&app, "");

    for i in 1..=8 {
        let status = stranger.from(&format!("198.51.100.{i}")).sign_in("a guess at the password").await;
        assert!(status == 401 || status == 429, "guess {i}: {status}");
    }

    // The account is locked for browsers it does not know, wherever they are...
    let new_browser = Browser::new(&app, "192.0.2.99");
    assert_eq!(new_browser.sign_in(PASSWORD).await, 429);
    // ...but the organizer's own browser signs in.
    assert_eq!(organizers_browser.sign_in(PASSWORD).await, 303);
    assert_eq!(organizers_browser.client.get(app.url("/admin")).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn a_known_browsers_own_failures_are_limited_wherever_it_comes_from() {
    let app = behind_a_proxy().await;
    let mut browser = Browser::new(&app, "192.0.2.10");
    assert_eq!(browser.sign_in(PASSWORD).await, 303);

    for i in 1..=5 {
        assert_eq!(browser.from(&format!("203.0.113.{i}")).sign_in("a wrong password").await, 401, "try {i}");
    }

    assert_eq!(browser.from("203.0.113.99").sign_in(PASSWORD).await, 429);
    // They were counted against that browser, not against the account.
    assert_eq!(Browser::new(&app, "192.0.2.50").sign_in(PASSWORD).await, 303);
    app.clock.advance(chrono::Duration::seconds(2));
    assert_eq!(browser.sign_in(PASSWORD).await, 303);
}

#[tokio::test]
async fn a_device_cookie_stops_exempting_a_browser_once_the_password_changes() {
    let app = behind_a_proxy().await;
    let organizers_browser = Browser::new(&app, "192.0.2.10");
    assert_eq!(organizers_browser.sign_in(PASSWORD).await, 303);
    let new_password = "a new and even longer password";
    app.add_organizer(ORGANIZER, new_password).await;
    let mut stranger = Browser::new(&app, "");
    for i in 1..=5 {
        assert_eq!(stranger.from(&format!("198.51.100.{i}")).sign_in("a guess").await, 401);
    }

    assert_eq!(organizers_browser.sign_in(new_password).await, 429);
}
