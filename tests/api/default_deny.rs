//! Default deny: every path under `/admin` and `/api` is refused to strangers, including
//! routes nobody has written yet.

use actix_web::{App, HttpResponse, HttpServer, web};
use rallypost::web::protected::{Guard, PUBLIC_ADMIN_ROUTES, guard_for};

use crate::helpers::{SLUG, TestApp, assert_refused, spawn_app};

/// Serves the application's routes plus two added "later", around the app's own state.
async fn serve_with_routes_added_later(app: &TestApp) -> (String, actix_web::dev::ServerHandle) {
    let state = app.state();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let server = HttpServer::new(move || {
        App::new().app_data(state.clone()).configure(|cfg| {
            rallypost::web::routes_with(cfg, |cfg| {
                cfg.route(
                    "/admin/added-later",
                    web::get().to(|| async { HttpResponse::Ok().body("secret") }),
                )
                .route(
                    "/admin/c/{slug}/added-later",
                    web::post().to(|| async { HttpResponse::Ok().finish() }),
                )
                .route("/api/v2/added-later", web::get().to(|| async { HttpResponse::Ok().body("secret") }));
            })
        })
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run();
    let handle = server.handle();
    tokio::spawn(server);
    (address, handle)
}

#[tokio::test]
async fn a_route_added_later_under_admin_or_api_is_refused_without_being_guarded_by_hand() {
    let app = spawn_app().await;
    app.login_as_organizer().await;
    let token = app.api_token(crate::helpers::ORGANIZER).await;
    let (address, server) = serve_with_routes_added_later(&app).await;
    let stranger = app.bare_client();

    for (method, path) in
        [("GET", "/admin/added-later"), ("POST", "/admin/c/x/added-later"), ("GET", "/api/v2/added-later")]
    {
        let method: reqwest::Method = method.parse().unwrap();
        let response = stranger.request(method.clone(), format!("{address}{path}")).send().await.unwrap();
        assert_refused(guard_for(path).unwrap(), response, &format!("{method} {path}")).await;
    }
    // The same routes answer those who may see them: the guard, not a missing route, refused.
    let session = app.client.get(format!("{address}/admin/added-later")).send().await.unwrap();
    assert_eq!(session.text().await.unwrap(), "secret");
    let api = stranger.get(format!("{address}/api/v2/added-later")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(api.text().await.unwrap(), "secret");
    // A session is no API token, and a token no session.
    let crossed = app.client.get(format!("{address}/api/v2/added-later")).send().await.unwrap();
    assert_eq!(crossed.status(), 401);
    let crossed =
        stranger.get(format!("{address}/admin/added-later")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(crossed.status(), 303);
    server.stop(true).await;
}

#[tokio::test]
async fn any_spelling_of_a_path_under_admin_or_api_is_refused_to_strangers() {
    let app = spawn_app().await;
    let stranger = app.bare_client();

    for path in [
        "/admin",
        "/admin/",
        "/admin/no-such-page",
        &format!("/admin/c/{SLUG}"),
        &format!("/%61dmin/c/{SLUG}"),
        &format!("/admin/c/{SLUG}/signatures%2Ecsv"),
        "/admin/login/",
        "/api",
        "/api/v1/petitions",
        "/%61pi/v1/petitions",
        "/api/v9/anything",
    ] {
        for method in [reqwest::Method::GET, reqwest::Method::POST, reqwest::Method::DELETE] {
            let response = stranger.request(method.clone(), app.url(path)).send().await.unwrap();
            let guard = if path.contains("pi") { Guard::Token } else { Guard::Session };
            assert_refused(guard, response, &format!("{method} {path}")).await;
        }
    }
    // The allowlist is the sign-in form and its POST, and nothing else.
    assert_eq!(PUBLIC_ADMIN_ROUTES, &[("GET", "/admin/login"), ("POST", "/admin/login")]);
    assert_eq!(stranger.get(app.url("/admin/login")).send().await.unwrap().status(), 200);
    // Paths that merely start with the same letters stay public (and here, missing).
    assert_eq!(guard_for("/administration"), None);
    assert_eq!(guard_for("/apis"), None);
    assert_eq!(stranger.get(app.url("/apis")).send().await.unwrap().status(), 404);
}
