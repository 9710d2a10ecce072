//! A database outage, as every kind of client meets it: `503` with `Retry-After`, so that
//! browsers, CRMs and load balancers all know to come back, instead of a `500` that says
//! the request itself was wrong.

use crate::helpers::{ORGANIZER, PASSWORD, SLUG, TestApp, spawn_app};

/// Takes this test's database out of reach, as a stopped server looks to the application:
/// no new connection is accepted and every open one has ended. Other tests share the
/// cluster, so only this database goes.
async fn take_the_database_down(app: &TestApp) {
    use diesel::{Connection, RunQueryDsl};
    let (base, name) = app.db_url.rsplit_once('/').expect("a database URL with a path");
    // A database cannot shut itself out, so the order comes through the cluster's own one.
    let (url, name) = (format!("{base}/postgres"), name.to_owned());
    tokio::task::spawn_blocking(move || {
        let mut conn = diesel::PgConnection::establish(&url).unwrap();
        diesel::sql_query(format!("alter database \"{name}\" allow_connections false"))
            .execute(&mut conn)
            .unwrap();
        // Waits until the ended backends are gone: a request racing the shutdown itself may
        // meet the server's "terminating connection" reply, which is not the state under test.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let ended = diesel::sql_query(format!(
                "select pg_terminate_backend(pid) from pg_stat_activity where datname = '{name}'"
            ))
            .execute(&mut conn)
            .unwrap();
            if ended == 0 {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "{ended} connections to {name} stay open");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    })
    .await
    .unwrap();
    // The application's connection tasks notice the closed sockets on their next poll.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_the_database_is_down_the_api_answers_503_with_retry_after() {
    let app = spawn_app().await;
    app.add_organizer(ORGANIZER, PASSWORD).await;
    let token = app.api_token(ORGANIZER).await;
    take_the_database_down(&app).await;

    for path in ["/api/v1/petitions".to_owned(), format!("/api/v1/petitions/{SLUG}/signatures")] {
        let response = app.bare_client().get(app.url(&path)).bearer_auth(&token).send().await.unwrap();

        assert_eq!(response.status(), 503, "{path}");
        assert!(response.headers().contains_key("retry-after"), "{path}");
        let json: serde_json::Value = response.json().await.unwrap();
        assert!(json["error"].as_str().unwrap().contains("try again"), "{path}: {json}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_the_database_is_down_pages_answer_503_with_retry_after() {
    let app = spawn_app().await;
    app.login_as_organizer().await;
    take_the_database_down(&app).await;

    for path in ["/".to_owned(), format!("/c/{SLUG}"), "/admin".to_owned()] {
        // Campaign pages may come from a cache for two seconds; an outage outlasts that.
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        app.clock.advance(chrono::Duration::seconds(3));
        let response = app.get(&path).await;

        assert_eq!(response.status(), 503, "{path}");
        assert!(response.headers().contains_key("retry-after"), "{path}");
        assert!(response.text().await.unwrap().contains("Temporarily unavailable"), "{path}");
    }
}
