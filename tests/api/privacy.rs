//! Supporters' privacy: what a copy of the database shows, canonical addresses, consent on
//! record, throwaway addresses, retention, key rotation, and logs without personal data.

use std::io::Read;
use std::process::{Command, Stdio};

use chrono::{Duration, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use rallypost::db::schema::signatures;
use sha2::{Digest, Sha256};

use rallypost::signatures::{Batches, rotate_keys};

use crate::helpers::{AppOptions, SLUG, TempDir, encode, free_port, spawn_app, spawn_app_with, valid_form};

fn form_for(name: &str, email: &str, postcode: &str, comment: &str) -> Vec<(String, String)> {
    [
        ("name", name),
        ("email", email),
        ("country", "AT"),
        ("postcode", postcode),
        ("comment", comment),
        ("consent", "on"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

fn pg_dump() -> String {
    let mut versions: Vec<_> =
        std::fs::read_dir("/usr/lib/postgresql").unwrap().flatten().map(|e| e.path()).collect();
    versions.sort();
    versions.last().unwrap().join("bin/pg_dump").display().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copy_of_the_database_reveals_no_supporters_name_address_postcode_or_comment() {
    let app = spawn_app_with(AppOptions { workers: false, ..Default::default() }).await;
    app.set_dispatch(|d| d.mode = rallypost::campaigns::DispatchMode::Individual).await;
    let sender = app.sender();
    // One confirms (so letters are queued with their name); one stays pending with the
    // confirmation email still waiting in the outbox.
    app.sign(&form_for("Zarmina Qaderi", "Zarmina.Qaderi@example.org", "QX-7193", "Unforgettable words"))
        .await;
    sender.send_due().await.unwrap();
    let link = app.mail.messages()[0].link(&format!("{}/confirm/", app.address));
    app.client.post(&link).send().await.unwrap();
    app.sign(&form_for("Hamid Rahimi", "hamid.rahimi@example.org", "8010", "Another sentence")).await;
    app.scheduler().queue(&campaign(&app).await).await.unwrap();

    let dump = Command::new(pg_dump()).args(["--data-only", &app.db_url]).output().unwrap();
    assert!(dump.status.success(), "{}", String::from_utf8_lossy(&dump.stderr));
    let dump = String::from_utf8_lossy(&dump.stdout).to_lowercase();

    assert!(dump.contains("copy public.signatures"), "the dump has the signatures");
    assert!(dump.contains("copy public.outbox"));
    for secret in [
        "zarmina",
        "qaderi",
        "zarmina.qaderi@example.org",
        "hamid",
        "rahimi",
        "unforgettable",
        "another sentence",
        "qx-7193",
        "\t8010\t",
    ] {
        assert!(!dump.contains(secret), "{secret:?} is readable in a database dump");
    }
}

async fn campaign(app: &crate::helpers::TestApp) -> rallypost::campaigns::Campaign {
    let mut conn = app.pool.get().await.unwrap();
    rallypost::campaigns::find_by_slug(&mut conn, SLUG).await.unwrap().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gmail_dots_and_tags_sign_once_with_the_same_answer() {
    let app = spawn_app().await;

    let first = app.sign(&valid_form("Mina.Ahmadi@gmail.com")).await;
    let second = app.sign(&valid_form("minaahmadi+petition@googlemail.com")).await;

    assert_eq!(
        (first.status(), second.status()),
        (reqwest::StatusCode::SEE_OTHER, reqwest::StatusCode::SEE_OTHER)
    );
    assert_eq!(first.headers()["location"], second.headers()["location"]);
    app.wait_for_outbox_drained().await;
    assert_eq!(app.signatures_by_status().await, [("pending".to_string(), 1)]);
    assert_eq!(app.mail.messages().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_consent_wording_shown_and_the_updates_choice_are_recorded() {
    let app = spawn_app().await;
    let mut form = valid_form("mina@example.org");
    form.push(("lang".into(), "de".into()));
    form.push(("updates".into(), "on".into()));

    assert_eq!(app.sign(&form).await.status(), 303);

    let mut conn = app.pool.get().await.unwrap();
    let (consent, updates): (Option<Vec<u8>>, bool) = signatures::table
        .select((signatures::consent_text_sha256, signatures::updates_opt_in))
        .first(&mut conn)
        .await
        .unwrap();
    let german = campaign(&app).await.file.text(rallypost::domain::Lang::De).consent.clone();
    assert_eq!(consent.unwrap(), Sha256::digest(german.as_bytes()).to_vec());
    assert!(updates);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throwaway_address_is_refused_with_a_clear_message() {
    let app = spawn_app().await;

    let response = app.sign(&valid_form("someone@mailinator.com")).await;

    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains("id=\"email-error\""));
    assert!(page.contains("throwaway address"));
    assert!(app.signatures_by_status().await.is_empty());
}

fn rallypost(db_url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_rallypost"));
    for (key, _) in std::env::vars() {
        if key.starts_with("RALLYPOST_") || key == "DATABASE_URL" {
            command.env_remove(key);
        }
    }
    command
        .env("RALLYPOST_DATABASE_URL", db_url)
        .env("RALLYPOST_CAMPAIGNS_DIR", concat!(env!("CARGO_MANIFEST_DIR"), "/campaigns"));
    command
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purge_deletes_only_signatures_left_unconfirmed_for_30_days() {
    // No workers: their daily purge would race the command under test.
    let app = spawn_app_with(AppOptions { workers: false, ..Default::default() }).await;
    let now = Utc::now();
    app.add_signatures("Old", 3, "pending", now - Duration::days(31)).await;
    app.add_signatures("Recent", 2, "pending", now - Duration::days(29)).await;
    app.add_signatures("Kept", 2, "confirmed", now - Duration::days(90)).await;

    let output = rallypost(&app.db_url).arg("purge").output().unwrap();

    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("deleted 3"));
    assert_eq!(app.signatures_by_status().await, [("confirmed".to_string(), 2), ("pending".to_string(), 2)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotating_keys_re_encrypts_every_row_and_keeps_repeats_found() {
    let app = spawn_app().await;
    app.sign(&valid_form("mina@example.org")).await;
    app.add_signatures("Stored", 5, "confirmed", Utc::now()).await;
    let old_key = std::fs::read_to_string(app.data_dir.path().join("data_key")).unwrap();
    let new_key = hex::encode([42u8; 32]);
    // Mina unsubscribed from the news: her suppression must follow her to the new key.
    let old_lookup = app.keys().email_lookup("mina@example.org");
    let mut conn = app.pool.get().await.unwrap();
    rallypost::suppressions::suppress(
        &mut conn,
        &old_lookup,
        &rallypost::suppressions::Sender::Lead,
        Utc::now(),
    )
    .await
    .unwrap();
    drop(conn);

    let output = rallypost(&app.db_url)
        .args(["keys", "rotate"])
        .env("RALLYPOST_DATA_KEY", &new_key)
        .env("RALLYPOST_DATA_KEYS_OLD", old_key.trim())
        .output()
        .unwrap();

    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("re-encrypted 6 signatures"));
    let only_new = rallypost::crypto::DataKeys::new([42u8; 32], &[]);
    let mut conn = app.pool.get().await.unwrap();
    type Sealed = (String, Option<Vec<u8>>);
    let rows: Vec<(uuid::Uuid, Sealed, Option<Vec<u8>>)> = signatures::table
        .select((signatures::id, (signatures::key_id, signatures::name), signatures::email_key))
        .load(&mut conn)
        .await
        .unwrap();
    for (id, (key_id, name), _) in &rows {
        assert_eq!(key_id, only_new.current_id());
        let field = rallypost::crypto::Field { column: "signatures.name", row: id };
        assert!(only_new.decrypt_text(key_id, field, name.as_deref()).unwrap().is_some());
    }
    assert!(
        rows.iter().any(|r| r.2 == Some(only_new.email_lookup("mina@example.org"))),
        "lookup keys recomputed"
    );
    let suppressed: Vec<Vec<u8>> = rallypost::db::schema::suppressions::table
        .select(rallypost::db::schema::suppressions::email_key)
        .load(&mut conn)
        .await
        .unwrap();
    assert_eq!(suppressed, vec![only_new.email_lookup("mina@example.org")], "the suppression moved along");
}

/// The whole cycle against the real binary with debug logging, reading everything it logs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_of_a_sign_confirm_export_withdraw_cycle_hold_no_personal_data() {
    let db_url = tokio::task::spawn_blocking(crate::helpers::fresh_database).await.unwrap();
    let mail = crate::helpers::MailServer::start();
    let data = TempDir::new("rallypost-logs");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = rallypost(&db_url)
        .arg("serve")
        .env("RALLYPOST_BIND", format!("127.0.0.1:{port}"))
        .env("RALLYPOST_SMTP_URL", mail.url())
        .env("RALLYPOST_DATA_DIR", data.path())
        .env("RALLYPOST_LOG", "debug")
        .env("RALLYPOST_SIGN_RATE", "off")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        stderr.read_to_string(&mut all).unwrap();
        all
    });
    let client = crate::helpers::client_builder().cookie_store(true).build().unwrap();
    let mut page = String::new();
    for _ in 0..200 {
        if let Ok(r) = client.get(format!("{base}/c/{SLUG}")).send().await {
            page = r.text().await.unwrap();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let token = crate::helpers::hidden_value(&page, "csrf_token").expect("the server came up");
    let body = format!(
        "name={}&email={}&country=AF&postcode=QX-7193&comment={}&consent=on&csrf_token={}",
        encode("Zarmina Qaderi"),
        encode("zarmina.qaderi@example.org"),
        encode("Unforgettable words"),
        encode(&token)
    );
    let signed = client
        .post(format!("{base}/c/{SLUG}/sign"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 303);
    let confirm = mail.wait_for(1).await[0].link(&format!("{base}/confirm/"));
    assert_eq!(client.post(&confirm).send().await.unwrap().status(), 200);
    // An organizer exports, with the same data dir (and so the same data key).
    let csv = data.path().join("export.csv");
    let export = rallypost(&db_url)
        .args(["export", SLUG, "--out"])
        .arg(&csv)
        .env("RALLYPOST_DATA_DIR", data.path())
        .env("RALLYPOST_LOG", "debug")
        .output()
        .unwrap();
    assert!(export.status.success(), "{}", String::from_utf8_lossy(&export.stderr));
    assert!(
        std::fs::read_to_string(&csv).unwrap().contains("Zarmina Qaderi"),
        "the export has the supporter"
    );
    let withdraw = mail.wait_for(2).await[1].link(&format!("{base}/withdraw/"));
    assert_eq!(client.post(&withdraw).send().await.unwrap().status(), 200);
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), nix::sys::signal::Signal::SIGTERM)
        .unwrap();
    child.wait().unwrap();
    let logs = reader.join().unwrap()
        + &String::from_utf8_lossy(&export.stderr)
        + &String::from_utf8_lossy(&export.stdout);

    assert!(logs.contains("signature received") && logs.contains("signature withdrawn"), "{logs}");
    let confirm_token = confirm.rsplit('/').next().unwrap();
    let withdraw_token = withdraw.rsplit('/').next().unwrap();
    for secret in
        ["Zarmina", "Qaderi", "zarmina.qaderi", "QX-7193", "Unforgettable", confirm_token, withdraw_token]
    {
        assert!(!logs.contains(secret), "{secret:?} appears in the logs");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotation_in_batches_re_encrypts_every_row_once_and_reports_its_progress() {
    let app = spawn_app().await;
    app.add_signatures("Stored", 7, "confirmed", Utc::now()).await;
    let old = app.keys();
    let both = rallypost::crypto::DataKeys::new([42u8; 32], &[hex_key(&app)]);
    let mut reports = Vec::new();

    // Batches of 3 on one connection: the walk has to carry on where each batch stopped.
    let one_lane = Batches { rows: 3, lanes: 1 };
    let done = rotate_keys(&app.pool, &both, one_lane, |s, _| reports.push(s)).await.unwrap();

    assert_eq!(done.0, 7);
    assert_eq!(reports.iter().max(), Some(&7));
    assert!(reports.contains(&3) && reports.contains(&6), "progress after each batch: {reports:?}");
    let mut conn = app.pool.get().await.unwrap();
    let keys: Vec<String> = signatures::table.select(signatures::key_id).load(&mut conn).await.unwrap();
    assert!(keys.iter().all(|k| k == both.current_id() && k != old.current_id()));
    let again = rotate_keys(&app.pool, &both, one_lane, |_, _| {}).await.unwrap();
    assert_eq!(again.0, 0, "a second run finds nothing left to do");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotation_on_several_connections_re_encrypts_every_row_exactly_once() {
    let app = spawn_app().await;
    // Ids are UUIDv7 (times): groups written 5 ms apart fall into different slices of the
    // id space, which the connections share out.
    for day in 0..5 {
        app.add_signatures(&format!("Stored{day}x"), 9, "confirmed", Utc::now() - Duration::days(day)).await;
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    // Two messages under the old key: one still sealed, one delivered and erased (nothing
    // left to re-encrypt, so a rotation leaves it alone).
    let mut conn = app.pool.get().await.unwrap();
    for (i, id) in [rallypost::ids::new_id(), rallypost::ids::new_id()].into_iter().enumerate() {
        let message = rallypost::outbox::NewMessage {
            id,
            kind: rallypost::outbox::Kind::Receipt,
            campaign_id: None,
            signature_id: None,
            target_id: None,
            recipient: format!("reader{i}@example.org"),
            message: b"Subject: thanks\r\n\r\nThank you.\r\n".to_vec(),
        };
        rallypost::outbox::enqueue(&mut conn, &app.keys(), message, Utc::now()).await.unwrap();
        if i == 1 {
            use rallypost::db::schema::outbox;
            diesel::update(outbox::table.find(id))
                .set((outbox::recipient.eq(None::<Vec<u8>>), outbox::message.eq(None::<Vec<u8>>)))
                .execute(&mut conn)
                .await
                .unwrap();
        }
    }
    drop(conn);
    let both = rallypost::crypto::DataKeys::new([42u8; 32], &[hex_key(&app)]);
    let mut seen = Vec::new();

    let four_lanes = Batches { rows: 2, lanes: 4 };
    let done = rotate_keys(&app.pool, &both, four_lanes, |s, _| seen.push(s)).await.unwrap();

    assert_eq!(done, (45, 1), "each row counted once, none twice; the erased message skipped");
    assert_eq!(seen.last(), Some(&45));
    let mut conn = app.pool.get().await.unwrap();
    let rows: Vec<(uuid::Uuid, String, Option<Vec<u8>>)> = signatures::table
        .select((signatures::id, signatures::key_id, signatures::name))
        .load(&mut conn)
        .await
        .unwrap();
    let only_new = rallypost::crypto::DataKeys::new([42u8; 32], &[]);
    for (id, key_id, name) in &rows {
        let field = rallypost::crypto::Field { column: "signatures.name", row: id };
        let name = only_new.decrypt_text(key_id, field, name.as_deref()).unwrap();
        assert!(name.is_some_and(|n| n.starts_with("Stored")), "sealed once under the new key: {id}");
    }
    assert_eq!(rotate_keys(&app.pool, &both, four_lanes, |_, _| {}).await.unwrap(), (0, 0));
}

fn hex_key(app: &crate::helpers::TestApp) -> [u8; 32] {
    let text = std::fs::read_to_string(app.data_dir.path().join("data_key")).unwrap();
    rallypost::crypto::parse_key(text.trim()).unwrap()
}
