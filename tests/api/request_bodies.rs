//! Request bodies are read once, in front of every route: never compressed, never more
//! than 16 KiB, never trickling in for longer than 10 seconds.

use std::io::Write;
use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, web};
use rallypost::web::protected::{PROTECTED_ROUTES, PUBLIC_ADMIN_ROUTES};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{ORGANIZER, PASSWORD, SLUG, TestApp, hidden_value, set_cookie, spawn_app};

/// Every POST route: the public ones, the sign-in form, and the protected ones from
/// their list; then a path no route matches.
fn post_routes() -> Vec<String> {
    let mut paths = vec![
        format!("/c/{SLUG}/sign"),
        "/confirm/a-token".into(),
        "/withdraw/a-token".into(),
        "/unsubscribe/a-token".into(),
    ];
    paths.extend(
        PUBLIC_ADMIN_ROUTES.iter().filter(|(method, _)| *method == "POST").map(|(_, p)| p.to_string()),
    );
    paths.extend(
        PROTECTED_ROUTES.iter().filter(|r| r.method == "POST").map(|r| r.path.replace("{slug}", SLUG)),
    );
    paths.push("/no-such-route".into());
    paths
}

/// 4 MiB of form-like text in about 4 KB of gzip.
fn gzip_bomb() -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = b"comment=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&";
    while encoder.get_ref().len() < 4096 {
        for _ in 0..1024 {
            encoder.write_all(chunk).unwrap();
        }
        encoder.flush().unwrap();
    }
    encoder.finish().unwrap()
}

/// Signs the standard organizer in without a cookie jar; returns the `Cookie` header
/// value that carries the session (and the form's CSRF cookie).
async fn organizer_cookies(app: &TestApp) -> String {
    app.add_organizer(ORGANIZER, PASSWORD).await;
    let client = app.bare_client();
    let form = client.get(app.url("/admin/login")).send().await.unwrap();
    let csrf_cookie = set_cookie(&form, "rp_csrf").unwrap();
    let csrf_cookie = csrf_cookie.split(';').next().unwrap().to_owned();
    let token = hidden_value(&form.text().await.unwrap(), "csrf_token").unwrap();
    let response = client
        .post(app.url("/admin/login"))
        .header("cookie", &csrf_cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "email={}&password={}&csrf_token={token}",
            crate::helpers::encode(ORGANIZER),
            crate::helpers::encode(PASSWORD)
        ))
        .send()
        .await
        .unwrap();
    let session = set_cookie(&response, "rp_admin").expect("signed in");
    format!("{csrf_cookie}; {}", session.split(';').next().unwrap())
}

/// Sends `head` (without the blank line), then `body` as one chunk of a chunked body, on a
/// raw connection; returns the status line of the answer.
async fn post_chunked(app: &TestApp, head: &str, body: &[u8]) -> String {
    let mut stream = tokio::net::TcpStream::connect(app.address.trim_start_matches("http://")).await.unwrap();
    let mut request =
        format!("{head}\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n", body.len()).into_bytes();
    request.extend_from_slice(body);
    request.extend_from_slice(b"\r\n0\r\n\r\n");
    // The server may answer and close before it has read everything; that is fine.
    let _ = stream.write_all(&request).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(15), stream.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).lines().next().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_compressed_body_is_refused_on_every_post_route_before_anything_reads_it() {
    let app = spawn_app().await;
    let cookies = organizer_cookies(&app).await;
    let bomb = gzip_bomb();
    let client = app.bare_client();

    for path in post_routes() {
        let response = client
            .post(app.url(&path))
            .header("cookie", &cookies)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("content-encoding", "gzip")
            .body(bomb.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 415, "POST {path} with a gzip body");
        assert_eq!(response.headers()["accept-encoding"], "identity", "POST {path}");

        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nCookie: {cookies}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Encoding: gzip"
        );
        assert_eq!(
            post_chunked(&app, &head, &bomb).await,
            "HTTP/1.1 415 Unsupported Media Type",
            "POST {path} chunked"
        );
    }
    // The organizer's session was not ended by any of it: logout never ran.
    let admin = client.get(app.url("/admin")).header("cookie", &cookies).send().await.unwrap();
    assert_eq!(admin.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_its_limit_is_refused_on_every_post_route_declared_or_chunked() {
    let app = spawn_app().await;
    let cookies = organizer_cookies(&app).await;
    let client = app.bare_client();

    for path in post_routes() {
        // The form that writes a news mailing takes more, the one that uploads a target's
        // reply more still, and nothing beyond that.
        let limit = if path.ends_with("/mailings") {
            rallypost::web::body::MAX_MAILING_BODY
        } else if path.ends_with("/replies") {
            rallypost::web::body::MAX_REPLY_BODY
        } else {
            16 * 1024
        };
        let body = format!("comment={}", "a".repeat(limit));
        let response = client
            .post(app.url(&path))
            .header("cookie", &cookies)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 413, "POST {path}");

        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nCookie: {cookies}\r\nContent-Type: application/x-www-form-urlencoded"
        );
        assert_eq!(
            post_chunked(&app, &head, body.as_bytes()).await,
            "HTTP/1.1 413 Payload Too Large",
            "POST {path} chunked"
        );
    }
}

/// The application's routes plus one added later whose handler uses actix's own body
/// extractor, which would decompress.
async fn serve_with_a_post_route_added_later(app: &TestApp) -> (String, actix_web::dev::ServerHandle) {
    let state = app.state();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let server = HttpServer::new(move || {
        App::new().app_data(state.clone()).configure(|cfg| {
            rallypost::web::routes_with(cfg, |cfg| {
                cfg.route(
                    "/c/{slug}/added-later",
                    web::post().to(|body: web::Bytes| async move {
                        HttpResponse::Ok().body(body.len().to_string())
                    }),
                );
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_route_added_later_sits_behind_the_same_gate() {
    let app = spawn_app().await;
    let (address, server) = serve_with_a_post_route_added_later(&app).await;
    let url = format!("{address}/c/{SLUG}/added-later");
    let client = app.bare_client();

    let compressed =
        client.post(&url).header("content-encoding", "gzip").body(gzip_bomb()).send().await.unwrap();
    let large = client.post(&url).body("a".repeat(16 * 1024 + 1)).send().await.unwrap();
    let plain = client.post(&url).body("a=1").send().await.unwrap();

    assert_eq!(compressed.status(), 415);
    assert_eq!(large.status(), 413);
    assert_eq!(plain.text().await.unwrap(), "3", "the route answers bodies the gate lets through");
    server.stop(true).await;
}

/// Sends the head of a POST (announcing 1,000 bytes, or chunked), then a byte every 3
/// seconds; returns what the server answered and whether it closed the connection, within
/// 30 seconds.
async fn trickle(app: &TestApp, path: &str, chunked: bool) -> (String, bool) {
    let stream = tokio::net::TcpStream::connect(app.address.trim_start_matches("http://")).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let framing = if chunked { "Transfer-Encoding: chunked" } else { "Content-Length: 1000" };
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n{framing}\r\n\r\n"
    );
    writer.write_all(head.as_bytes()).await.unwrap();
    let byte: &[u8] = if chunked { b"1\r\na\r\n" } else { b"a" };
    let trickling = tokio::spawn(async move {
        while writer.write_all(byte).await.is_ok() {
            tokio::time::sleep(Duration::from_secs(3)).await;
        }
    });
    let mut answer = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(30), async {
        let mut buf = [0u8; 4096];
        loop {
            match reader.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    .is_ok();
    trickling.abort();
    (String::from_utf8_lossy(&answer).lines().next().unwrap_or_default().to_owned(), closed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_trickles_in_gets_408_and_the_connection_is_closed() {
    let app = spawn_app().await;
    let mut cases = Vec::new();
    for path in [format!("/c/{SLUG}/sign"), "/admin/login".into(), "/confirm/a-token".into()] {
        cases.push((path.clone(), false));
        cases.push((path, true));
    }

    let answers =
        futures_util::future::join_all(cases.iter().map(|(path, chunked)| trickle(&app, path, *chunked)))
            .await;

    for ((path, chunked), (status_line, closed)) in cases.iter().zip(answers) {
        let what = format!("POST {path}{}", if *chunked { " chunked" } else { "" });
        assert_eq!(status_line, "HTTP/1.1 408 Request Timeout", "{what}");
        assert!(closed, "{what}: the connection stayed open");
    }
}
