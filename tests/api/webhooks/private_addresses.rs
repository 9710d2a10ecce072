//! Server-side request forgery: without `RALLYPOST_WEBHOOK_ALLOW_PRIVATE=1`, a receiver on
//! this machine, a private network or a cloud's metadata address is refused when it is
//! added, and a name that comes to point there later gets nothing at delivery.

use std::process::{Command, Output};

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use rallypost::db::schema::outbox;
use rallypost::organizers::Role;
use rallypost::webhooks::{AddressPolicy, ReceiverUrl, Whose};

use super::BIN;
use super::dashboard::{post, signed_in};
use super::receiver::Receiver;
use crate::helpers::{AppOptions, TempDir, TestDatabase, spawn_app_with};

fn rallypost(db: &TestDatabase, data: &TempDir, args: &[&str], allow_private: bool) -> Output {
    let mut command = Command::new(BIN);
    for (key, _) in std::env::vars() {
        if key.starts_with("RALLYPOST_") || key == "DATABASE_URL" {
            command.env_remove(key);
        }
    }
    if allow_private {
        command.env("RALLYPOST_WEBHOOK_ALLOW_PRIVATE", "1");
    }
    command
        .args(args)
        .env("RALLYPOST_DATABASE_URL", db.url())
        .env("RALLYPOST_DATA_DIR", data.path())
        .env("RALLYPOST_CAMPAIGNS_DIR", concat!(env!("CARGO_MANIFEST_DIR"), "/campaigns"))
        .output()
        .unwrap()
}

#[test]
fn an_owner_cannot_add_a_receiver_on_this_machine_or_the_clouds_metadata_address() {
    let db = crate::helpers::fresh_database();
    let data = TempDir::new("rallypost-webhook-ssrf");

    for (url, named) in [
        ("http://127.0.0.1:9/hooks", "127.0.0.1 (loopback, this machine)"),
        ("https://169.254.169.254/latest/meta-data/", "169.254.169.254 (cloud metadata service)"),
        ("https://[::1]/hooks", "::1 (loopback, this machine)"),
        ("https://10.0.0.7/hooks", "10.0.0.7 (private network)"),
        ("https://[::ffff:192.168.1.1]/hooks", "(private network)"),
        ("https://localhost:8443/hooks", "localhost is not on the public internet"),
    ] {
        let refused = rallypost(&db, &data, &["webhook", "add", "--lead", url], false);
        let said = String::from_utf8_lossy(&refused.stderr);
        assert!(!refused.status.success(), "{url} was added");
        assert!(said.contains(named), "{url}: {said}");
        assert!(said.contains("RALLYPOST_WEBHOOK_ALLOW_PRIVATE"), "{url}: {said}");
        assert!(!said.contains("panicked"), "{said}");
    }
    let listed = rallypost(&db, &data, &["webhook", "list"], false);
    assert_eq!(String::from_utf8_lossy(&listed.stdout).lines().count(), 1, "only the header: none was added");

    let local_relay = rallypost(&db, &data, &["webhook", "add", "--lead", "http://127.0.0.1:9/hooks"], true);
    assert!(local_relay.status.success(), "{}", String::from_utf8_lossy(&local_relay.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_whose_name_comes_to_point_at_this_machine_gets_nothing() {
    let app = spawn_app_with(AppOptions {
        env: vec![("RALLYPOST_WEBHOOK_ALLOW_PRIVATE", "0".into())],
        ..Default::default()
    })
    .await;
    let crm = Receiver::start().await;
    let port = crm.url.split(':').nth(2).unwrap().split('/').next().unwrap().to_owned();
    // As if each had pointed to a public address when added, and DNS (or an operator who
    // allowed private addresses then) changed since: straight into the database.
    let mut conn = app.pool.get().await.unwrap();
    for url in [format!("http://localhost:{port}/hooks/rallypost"), crm.url.clone()] {
        let url = ReceiverUrl::parse(&url).unwrap();
        let allowed_then = AddressPolicy::AllowPrivate;
        rallypost::webhooks::add(
            &mut conn,
            &app.keys(),
            &Whose::Lead,
            &url,
            allowed_then,
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    }

    app.sign_and_confirm("mina@example.org", &[("updates", "on")], None).await;

    app.wait_for_webhook_rows("both attempts refused", |rows| {
        rows.len() == 2 && rows.iter().all(|r| r.recorded("pending", 1))
    })
    .await;
    let reasons: Vec<Option<String>> = outbox::table
        .filter(outbox::kind.eq("webhook"))
        .select(outbox::last_error)
        .load(&mut conn)
        .await
        .unwrap();
    for reason in &reasons {
        let reason = reason.as_deref().unwrap_or_default();
        assert!(reason.contains("(loopback, this machine)"), "{reasons:?}");
    }
    assert!(reasons.iter().any(|r| r.as_deref().unwrap_or_default().contains("localhost")), "{reasons:?}");
    assert!(crm.received().is_empty(), "the local receiver got a webhook");

    // Nor can an owner add it in the dashboard.
    let owner = signed_in(&app, "owner@rallypost.example", Role::Owner, None).await;
    let fields = [("url", crm.url.as_str()), ("whose", "lead")];
    let (status, refused) = post(&app, &owner, "/admin/webhooks", "/admin/webhooks", &fields).await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused.contains("127.0.0.1 (loopback, this machine)"), "{refused}");
    assert_eq!(rallypost::webhooks::list(&mut conn).await.unwrap().len(), 2, "nothing added");
}
