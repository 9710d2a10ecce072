//! Files that hold supporters' personal data: the `.eml` files written when no SMTP server
//! is set, and `export --out`. Only the user running rallypost reads them, and a supporter
//! who withdraws leaves no `.eml` file behind.

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use rallypost::campaigns::DispatchMode;

use crate::helpers::{AppOptions, SLUG, Seed, TestApp, spawn_app_with, valid_form};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn eml_files(app: &TestApp) -> BTreeSet<PathBuf> {
    std::fs::read_dir(app.data_dir.path().join("outbox"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect()
}

/// The first `prefix` link in the text part of an `.eml` file.
fn link_in(path: &Path, prefix: &str) -> String {
    let raw = std::fs::read(path).unwrap();
    let message = mail_parser::MessageParser::default().parse(&raw).unwrap();
    let text = message.body_text(0).unwrap().into_owned();
    let start = text.find(prefix).unwrap_or_else(|| panic!("no {prefix} link in:\n{text}"));
    text[start..].split_whitespace().next().unwrap().to_owned()
}

/// The one file in `after` that is not in `before`.
fn new_file(before: &BTreeSet<PathBuf>, after: &BTreeSet<PathBuf>) -> PathBuf {
    let new: Vec<_> = after.difference(before).collect();
    assert_eq!(new.len(), 1, "{new:?}");
    new[0].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eml_files_are_readable_only_by_the_user_running_rallypost() {
    let app = spawn_app_with(AppOptions { smtp: false, ..Default::default() }).await;
    // The directory as an earlier version left it, open to everyone.
    let outbox = app.data_dir.path().join("outbox");
    std::fs::create_dir(&outbox).unwrap();
    std::fs::set_permissions(&outbox, std::fs::Permissions::from_mode(0o755)).unwrap();

    app.sign(&valid_form("mina@example.org")).await;
    app.wait_for_outbox_drained().await;

    let files = eml_files(&app);
    assert_eq!(files.len(), 1);
    assert_eq!(mode(&outbox), 0o700, "the outbox directory");
    for file in &files {
        assert_eq!(mode(file), 0o600, "{}", file.display());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withdrawing_deletes_every_eml_file_that_carried_the_supporter() {
    let app = spawn_app_with(AppOptions { smtp: false, workers: false, ..Default::default() }).await;
    app.set_dispatch(|d| {
        d.mode = DispatchMode::Individual;
        d.window_days =
            ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].map(|day| day.parse().unwrap()).to_vec();
        d.window_start = "00:00".parse().unwrap();
        d.window_end = "23:59".parse().unwrap();
        d.per_target_per_hour = 60;
    })
    .await;
    app.clock.set("2026-11-30T10:00:00Z".parse().unwrap());
    let (sender, scheduler) = (app.sender(), app.scheduler());
    // Another supporter, whose confirmation email must stay.
    app.sign(&valid_form("hamid@example.org")).await;
    sender.send_due().await.unwrap();
    let others = eml_files(&app);
    // Mina signs, confirms, gets her receipt, and letters carrying her name go out.
    app.sign(&valid_form("mina@example.org")).await;
    sender.send_due().await.unwrap();
    let confirmation = new_file(&others, &eml_files(&app));
    let confirm = link_in(&confirmation, &format!("{}/confirm/", app.address));
    assert_eq!(app.client.post(&confirm).send().await.unwrap().status(), 200);
    let before_receipt = eml_files(&app);
    sender.send_due().await.unwrap();
    let receipt = new_file(&before_receipt, &eml_files(&app));
    let campaign = {
        let mut conn = app.pool.get().await.unwrap();
        rallypost::campaigns::find_by_slug(&mut conn, SLUG).await.unwrap().unwrap()
    };
    assert_eq!(scheduler.queue(&campaign).await.unwrap(), 3, "one letter per target");
    sender.send_due().await.unwrap();
    assert_eq!(eml_files(&app).len(), others.len() + 5, "confirmation, receipt and three letters");

    let withdraw = link_in(&receipt, &format!("{}/withdraw/", app.address));
    assert_eq!(app.client.post(&withdraw).send().await.unwrap().status(), 200);

    assert_eq!(eml_files(&app), others, "only the other supporter's email is left");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_written_to_a_file_is_readable_only_by_its_owner() {
    let app = spawn_app_with(AppOptions { workers: false, ..Default::default() }).await;
    app.seed(Seed::default()).await;
    let fresh = app.data_dir.path().join("fresh.csv");
    // A file that was there before, open to everyone, is overwritten and closed off too.
    let existing = app.data_dir.path().join("existing.csv");
    std::fs::write(&existing, "old").unwrap();
    std::fs::set_permissions(&existing, std::fs::Permissions::from_mode(0o644)).unwrap();

    for out in [&fresh, &existing] {
        let output = Command::new(env!("CARGO_BIN_EXE_rallypost"))
            .args(["export", SLUG, "--out"])
            .arg(out)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("RALLYPOST_DATABASE_URL", &app.db_url)
            .env("RALLYPOST_DATA_DIR", app.data_dir.path())
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));

        assert!(std::fs::read_to_string(out).unwrap().contains("Mina Ahmadi"));
        assert_eq!(mode(out), 0o600, "{}", out.display());
    }
}
