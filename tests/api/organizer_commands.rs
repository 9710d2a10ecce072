//! Ending an organizer's access from the command line (the real binary): removal, token
//! revocation, expiring tokens, a new password; and what the admin shows about tokens.

use chrono::Duration;
use diesel_async::RunQueryDsl;

use crate::helpers::{ORGANIZER, PASSWORD, TestApp, spawn_app};

const OTHER: &str = "other@rallypost.example";

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

fn succeeded(output: &std::process::Output) -> String {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr)
}

fn new_token(app: &TestApp, email: &str, extra: &[&str]) -> String {
    let output = rallypost(app, &[&["organizer", "token", email], extra].concat(), "");
    succeeded(&output);
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

async fn api_status(app: &TestApp, token: &str) -> u16 {
    let response = app.bare_client().get(app.url("/api/v1/petitions")).bearer_auth(token).send().await;
    response.unwrap().status().as_u16()
}

#[tokio::test]
async fn removing_an_organizer_ends_their_sessions_and_tokens() {
    let app = spawn_app().await;
    app.login_as_organizer().await;
    let token = new_token(&app, ORGANIZER, &[]);
    assert_eq!(api_status(&app, &token).await, 200);

    let removed = rallypost(&app, &["organizer", "remove", ORGANIZER], "");
    let again = rallypost(&app, &["organizer", "remove", ORGANIZER], "");

    succeeded(&removed);
    assert_eq!(app.get("/admin").await.status(), 303, "the session still works");
    assert_eq!(api_status(&app, &token).await, 401, "the token still works");
    assert_eq!(app.login(ORGANIZER, PASSWORD).await.status(), 401);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("no organizer"), "{again:?}");
}

#[tokio::test]
async fn revoking_ends_every_token_of_that_organizer_and_no_one_elses() {
    let app = spawn_app().await;
    app.add_organizer(ORGANIZER, PASSWORD).await;
    app.add_organizer(OTHER, PASSWORD).await;
    let first = new_token(&app, ORGANIZER, &[]);
    let second = new_token(&app, ORGANIZER, &[]);
    let others = new_token(&app, OTHER, &[]);

    let revoked = succeeded(&rallypost(&app, &["organizer", "token", "revoke", ORGANIZER], ""));

    assert!(revoked.contains("revoked 2 tokens"), "{revoked}");
    assert_eq!(api_status(&app, &first).await, 401);
    assert_eq!(api_status(&app, &second).await, 401);
    assert_eq!(api_status(&app, &others).await, 200);
    assert!(
        !rallypost(&app, &["organizer", "token", "revoke", "nobody@rallypost.example"], "").status.success()
    );
}

#[tokio::test]
async fn a_token_stops_working_when_its_days_are_over() {
    let app = spawn_app().await;
    app.add_organizer(ORGANIZER, PASSWORD).await;
    let short = new_token(&app, ORGANIZER, &["--expires", "2"]);
    let default = new_token(&app, ORGANIZER, &[]);

    assert_eq!(api_status(&app, &short).await, 200);
    app.clock.advance(Duration::days(2) + Duration::minutes(1));
    assert_eq!(api_status(&app, &short).await, 401);
    assert_eq!(api_status(&app, &default).await, 200, "without --expires a token lasts 90 days");
    app.clock.advance(Duration::days(88));
    assert_eq!(api_status(&app, &default).await, 401);
    for bad in ["0", "-1", "soon", "3651"] {
        let output = rallypost(&app, &["organizer", "token", ORGANIZER, "--expires", bad], "");
        assert!(!output.status.success(), "--expires {bad}");
        assert!(String::from_utf8_lossy(&output.stderr).contains("--expires"), "{output:?}");
    }
}

#[tokio::test]
async fn a_new_password_ends_the_organizers_sessions_and_tokens() {
    let app = spawn_app().await;
    app.login_as_organizer().await;
    let token = new_token(&app, ORGANIZER, &[]);
    let new_password = "a new and even longer password";

    let changed = succeeded(&rallypost(
        &app,
        &["organizer", "add", ORGANIZER, "--password-stdin"],
        &format!("{new_password}\n"),
    ));

    assert!(changed.contains("sessions") && changed.contains("tokens"), "{changed}");
    assert_eq!(app.get("/admin").await.status(), 303);
    assert_eq!(api_status(&app, &token).await, 401);
    assert_eq!(app.login(ORGANIZER, PASSWORD).await.status(), 401);
    assert_eq!(app.login(ORGANIZER, new_password).await.status(), 303);
}

#[derive(diesel::QueryableByName)]
struct LastUse {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
    last_used_at: Option<chrono::DateTime<chrono::Utc>>,
}

async fn last_used(app: &TestApp) -> Option<chrono::DateTime<chrono::Utc>> {
    let mut conn = app.pool.get().await.unwrap();
    let row: LastUse =
        diesel::sql_query("select last_used_at from api_tokens").get_result(&mut conn).await.unwrap();
    row.last_used_at
}

#[tokio::test]
async fn the_admin_shows_when_each_token_was_made_and_last_used() {
    let app = spawn_app().await;
    app.login_as_organizer().await;
    let token = new_token(&app, ORGANIZER, &["--expires", "30"]);
    let (_, unused) = app.get_text("/admin/tokens").await;
    assert!(unused.contains("never used"), "{unused}");

    assert_eq!(api_status(&app, &token).await, 200);
    let first_use = last_used(&app).await.expect("the use is recorded");
    app.clock.advance(Duration::seconds(30));
    assert_eq!(api_status(&app, &token).await, 200);
    assert_eq!(last_used(&app).await, Some(first_use), "written again within the minute");
    app.clock.advance(Duration::seconds(31));
    assert_eq!(api_status(&app, &token).await, 200);
    let second_use = last_used(&app).await.unwrap();
    assert!(second_use > first_use);

    let (status, page) = app.get_text("/admin/tokens").await;
    assert_eq!(status, 200);
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let expires = (chrono::Utc::now() + Duration::days(30)).format("%Y-%m-%d").to_string();
    assert!(page.contains(&format!("made {today}")), "{page}");
    assert!(page.contains(&format!("last used {}", second_use.format("%Y-%m-%d %H:%M"))), "{page}");
    assert!(page.contains(&format!("expires {expires}")), "{page}");
    assert!(!page.contains(&token), "the page shows the token itself");
}
