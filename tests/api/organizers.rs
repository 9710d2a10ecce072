//! Organizers signing in and out, and the guard on every admin and API route.

use rallypost::web::protected::{Guard, PROTECTED_ROUTES, PUBLIC_ADMIN_ROUTES};

use crate::helpers::{
    ORGANIZER, PASSWORD, RouteRows, SLUG, Seed, TestApp, assert_refused, set_cookie, spawn_app,
};

fn cookie_value(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().split_once('=').unwrap().1.to_owned()
}

async fn admin_page(app: &TestApp, client: &reqwest::Client, cookie: &str) -> reqwest::Response {
    client.get(app.url("/admin")).header("cookie", format!("rp_admin={cookie}")).send().await.unwrap()
}

#[tokio::test]
async fn an_organizer_signs_in_with_a_protected_cookie_and_sees_the_campaigns() {
    let app = spawn_app().await;
    app.add_organizer(ORGANIZER, PASSWORD).await;

    let response = app.login(" Organizer@Rallypost.example ", PASSWORD).await;

    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/admin");
    let cookie = set_cookie(&response, "rp_admin").expect("a session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http must not get Secure: {cookie}");
    let (status, page) = app.get_text("/admin").await;
    assert_eq!(status, 200);
    assert!(page.contains("End forced returns"), "{page}");
    assert!(page.contains(&format!("/admin/c/{SLUG}")));
}

#[tokio::test]
async fn a_wrong_password_is_refused_and_the_dashboard_stays_closed() {
    let app = spawn_app().await;
    app.add_organizer(ORGANIZER, PASSWORD).await;

    let wrong = app.login(ORGANIZER, "not the password at all").await;
    let unknown = app.login("nobody@rallypost.example", PASSWORD).await;

    assert_eq!(wrong.status(), 401);
    assert!(set_cookie(&wrong, "rp_admin").is_none());
    assert_eq!(unknown.status(), 401);
    assert_eq!(
        wrong.text().await.unwrap(),
        unknown.text().await.unwrap().replace("nobody@rallypost.example", ORGANIZER)
    );
    let response = app.get("/admin").await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/admin/login");
}

#[tokio::test]
async fn signing_in_without_the_forms_csrf_token_is_refused() {
    let app = spawn_app().await;
    app.add_organizer(ORGANIZER, PASSWORD).await;
    let _ = app.login_csrf_token().await;

    let fields = [("email", ORGANIZER), ("password", PASSWORD), ("csrf_token", "forged")];
    let fields: Vec<(String, String)> = fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let response = app.post_form("/admin/login", &fields).await;

    assert_eq!(response.status(), 403);
    assert!(set_cookie(&response, "rp_admin").is_none());
}

#[tokio::test]
async fn logout_ends_the_session_even_for_a_copied_cookie() {
    let app = spawn_app().await;
    app.add_organizer(ORGANIZER, PASSWORD).await;
    let login = app.login(ORGANIZER, PASSWORD).await;
    let session = cookie_value(&set_cookie(&login, "rp_admin").unwrap());
    let (_, page) = app.get_text("/admin").await;
    let csrf = crate::helpers::hidden_value(&page, "csrf_token").unwrap();

    let response = app.post_form("/admin/logout", &[("csrf_token".into(), csrf)]).await;

    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/admin/login");
    assert_eq!(app.get("/admin").await.status(), 303);
    assert_eq!(admin_page(&app, &app.bare_client(), &session).await.status(), 303);
}

#[tokio::test]
async fn logout_without_the_sessions_csrf_token_is_refused_and_the_session_stays() {
    let app = spawn_app().await;
    app.login_as_organizer().await;

    let missing = app.post_form("/admin/logout", &[]).await;
    let forged = app.post_form("/admin/logout", &[("csrf_token".into(), "forged".into())]).await;

    assert_eq!(missing.status(), 403);
    assert_eq!(forged.status(), 403);
    assert_eq!(app.get("/admin").await.status(), 200);
}

#[tokio::test]
async fn a_session_id_planted_before_sign_in_never_becomes_the_session() {
    let app = spawn_app().await;
    app.add_organizer(ORGANIZER, PASSWORD).await;
    let planted = "A".repeat(43);
    let client = app.bare_client();
    let page = client.get(app.url("/admin/login")).send().await.unwrap();
    let csrf_cookie = set_cookie(&page, "rp_csrf").unwrap();
    let csrf = crate::helpers::hidden_value(&page.text().await.unwrap(), "csrf_token").unwrap();

    let body = format!(
        "email={}&password={}&csrf_token={}",
        crate::helpers::encode(ORGANIZER),
        crate::helpers::encode(PASSWORD),
        csrf
    );
    let response = client
        .post(app.url("/admin/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", format!("{}; rp_admin={planted}", csrf_cookie.split(';').next().unwrap()))
        .body(body)
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 303);
    let issued = cookie_value(&set_cookie(&response, "rp_admin").unwrap());
    assert_ne!(issued, planted);
    assert_eq!(admin_page(&app, &client, &planted).await.status(), 303);
    assert_eq!(admin_page(&app, &client, &issued).await.status(), 200);
    // Signing in again replaces the session instead of keeping the old id alive.
    let again = app.login(ORGANIZER, PASSWORD).await;
    let second = cookie_value(&set_cookie(&again, "rp_admin").unwrap());
    assert_ne!(second, issued);
}

#[tokio::test]
async fn repeated_wrong_passwords_make_the_account_wait() {
    let app = spawn_app().await;
    app.add_organizer(ORGANIZER, PASSWORD).await;
    for _ in 0..5 {
        assert_eq!(app.login(ORGANIZER, "wrong password, again").await.status(), 401);
    }

    let response = app.login(ORGANIZER, PASSWORD).await;

    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
    assert!(set_cookie(&response, "rp_admin").is_none());
    app.clock.advance(chrono::Duration::seconds(2));
    assert_eq!(app.login(ORGANIZER, PASSWORD).await.status(), 303);
}

#[tokio::test]
async fn one_accounts_failures_do_not_slow_down_another_account() {
    let app = spawn_app().await;
    app.add_organizer(ORGANIZER, PASSWORD).await;
    app.add_organizer("second@rallypost.example", PASSWORD).await;
    for _ in 0..5 {
        assert_eq!(app.login(ORGANIZER, "wrong password, again").await.status(), 401);
    }

    assert_eq!(app.login(ORGANIZER, PASSWORD).await.status(), 429);
    // Same client, other account: the client's own allowance (20) is not used up.
    assert_eq!(app.login("second@rallypost.example", PASSWORD).await.status(), 303);
}

#[tokio::test]
async fn a_client_guessing_at_many_accounts_is_slowed_down_too() {
    let app = spawn_app().await;
    app.add_organizer(ORGANIZER, PASSWORD).await;
    // Twenty wrong guesses, each at a different account: no account reaches its limit.
    for i in 0..20 {
        let response = app.login(&format!("guess{i}@rallypost.example"), PASSWORD).await;
        assert_eq!(response.status(), 401, "guess {i}");
    }

    let response = app.login(ORGANIZER, PASSWORD).await;

    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
    app.clock.advance(chrono::Duration::seconds(2));
    assert_eq!(app.login(ORGANIZER, PASSWORD).await.status(), 303);
}

#[tokio::test]
async fn failed_sign_ins_on_one_server_slow_down_the_same_account_on_another() {
    let app = spawn_app().await;
    app.add_organizer(ORGANIZER, PASSWORD).await;
    // A second server process on the same database, as behind a load balancer.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let other = format!("http://{}", listener.local_addr().unwrap());
    let second = rallypost::startup::start(
        app.settings.clone(),
        &app.db_url,
        app.clock.clone(),
        rallypost::startup::Options { listener: Some(listener), workers: false },
    )
    .await
    .unwrap();
    for _ in 0..5 {
        assert_eq!(app.login(ORGANIZER, "wrong password, again").await.status(), 401);
    }

    let client = crate::helpers::client_builder().cookie_store(true).build().unwrap();
    let form = client.get(format!("{other}/admin/login")).send().await.unwrap().text().await.unwrap();
    let csrf = crate::helpers::hidden_value(&form, "csrf_token").unwrap();
    let response = client
        .post(format!("{other}/admin/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "email={}&password={}&csrf_token={csrf}",
            crate::helpers::encode(ORGANIZER),
            crate::helpers::encode(PASSWORD)
        ))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 429);
    second.stop().await;
}

#[tokio::test]
async fn every_admin_and_api_route_refuses_anyone_without_a_session_or_token() {
    let app = spawn_app().await;
    let anonymous = app.bare_client();
    assert!(PROTECTED_ROUTES.len() >= 7);

    for route in PROTECTED_ROUTES {
        let path = route.path.replace("{slug}", SLUG);
        let method: reqwest::Method = route.method.parse().unwrap();
        for (header, value) in [
            ("x-none", "none".to_owned()),
            ("cookie", format!("rp_admin={}", "A".repeat(43))),
            ("authorization", format!("Bearer {}", "A".repeat(43))),
            ("osdi-api-token", "A".repeat(43)),
        ] {
            let response =
                anonymous.request(method.clone(), app.url(&path)).header(header, value).send().await.unwrap();
            let what = format!("{} {path} with {header}", route.method);
            assert_refused(route.guard(), response, &what).await;
        }
    }
    assert_eq!(PUBLIC_ADMIN_ROUTES.len(), 2);
}

#[tokio::test]
async fn every_protected_route_answers_its_own_credentials() {
    let app = spawn_app().await;
    app.login_as_organizer().await;
    let token = app.api_token(ORGANIZER).await;
    let rows = RouteRows::seed(&app).await;

    for route in PROTECTED_ROUTES {
        let path = rows.path(route.path, SLUG);
        let method: reqwest::Method = route.method.parse().unwrap();
        let request = app.client.request(method, app.url(&path));
        let request = match route.guard() {
            Guard::Session => request.header("content-type", "application/x-www-form-urlencoded").body(""),
            Guard::Token => request.bearer_auth(&token),
        };
        let status = request.send().await.unwrap().status().as_u16();
        // Logout without its CSRF token is refused, but by the handler, not the guard; so is
        // a signature posted to the API without a JSON body.
        let expected = match (route.method, route.guard()) {
            ("POST", Guard::Session) => 403,
            ("POST", Guard::Token) => 415,
            _ => 200,
        };
        assert_eq!(status, expected, "{} {path}", route.method);
    }
}

#[tokio::test]
async fn the_campaign_dashboard_shows_totals_a_chart_and_countries() {
    let app = spawn_app().await;
    app.login_as_organizer().await;
    for (status, country) in [
        ("confirmed", "AF"),
        ("confirmed", "AF"),
        ("confirmed", "DE"),
        ("pending", "AT"),
        ("withdrawn", "DE"),
    ] {
        app.seed(Seed { status, country, ..Seed::default() }).await;
    }

    {
        use diesel_async::RunQueryDsl;
        let mut conn = app.pool.get().await.unwrap();
        let campaign = app.campaign_id().await;
        for (status, error) in
            [("sent", None), ("sent", None), ("failed", Some("550 5.7.1 mailbox refused")), ("pending", None)]
        {
            diesel::sql_query(
                "insert into outbox (id, kind, campaign_id, target_id, status, last_error, next_attempt_at, created_at, key_id) \
                 values ($1, 'letter', $2, 'de-bmi', $3, $4, now(), now(), 'plain')",
            )
            .bind::<diesel::sql_types::Uuid, _>(rallypost::ids::new_id())
            .bind::<diesel::sql_types::Uuid, _>(campaign)
            .bind::<diesel::sql_types::Text, _>(status)
            .bind::<diesel::sql_types::Nullable<diesel::sql_types::Text>, _>(error)
            .execute(&mut conn)
            .await
            .unwrap();
        }
    }

    let (status, page) = app.get_text(&format!("/admin/c/{SLUG}")).await;

    assert_eq!(status, 200);
    assert!(page.contains("<strong>3</strong> confirmed"), "{page}");
    assert!(
        page.contains("Bundesministerium des Innern (Germany), Berlin</td><td class=\"n\">1</td><td class=\"n\">2</td><td class=\"n\">1</td><td>550 5.7.1 mailbox refused</td>"),
        "{page}"
    );
    assert!(page.contains("Next scheduled dispatch: 20"), "{page}");
    assert!(page.contains("<strong>1</strong> pending"));
    assert!(page.contains("<strong>1</strong> withdrawn"));
    assert!(page.contains("<svg") && page.contains("<title>2026-11-01: 5</title>"), "{page}");
    assert!(page.contains("<td>Afghanistan (AF)</td><td class=\"n\">2</td>"), "{page}");
    assert!(!page.contains("<script"));
    assert_eq!(app.get("/admin/c/no-such-campaign").await.status(), 404);
}

fn rallypost(app: &TestApp, args: &[&str], stdin: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_rallypost"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RALLYPOST_DATABASE_URL", &app.db_url)
        .env("RALLYPOST_DATA_DIR", app.data_dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn the_commands_add_an_organizer_who_can_sign_in_and_print_a_working_token() {
    let app = spawn_app().await;

    let added =
        rallypost(&app, &["organizer", "add", ORGANIZER, "--password-stdin"], &format!("{PASSWORD}\n"));
    let token = rallypost(&app, &["organizer", "token", ORGANIZER], "");
    let unknown = rallypost(&app, &["organizer", "token", "nobody@rallypost.example"], "");
    let no_terminal = rallypost(&app, &["organizer", "add", "other@rallypost.example"], "");

    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    assert_eq!(app.login(ORGANIZER, PASSWORD).await.status(), 303);
    assert!(token.status.success());
    let token = String::from_utf8(token.stdout).unwrap();
    let response =
        app.bare_client().get(app.url("/api/v1/petitions")).bearer_auth(token.trim()).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(!unknown.status.success());
    assert!(!no_terminal.status.success());
    assert!(String::from_utf8_lossy(&no_terminal.stderr).contains("--password-stdin"));
}
