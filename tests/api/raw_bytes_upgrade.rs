//! Upgrading a database to the smaller signature rows (migration
//! `2026-12-03-000400_signatures_in_raw_bytes`, issue 17): what supporters already hold
//! (the links in their mail, their place on the suppression list, their address's claim on
//! a signature) keeps working. The data is put back as the version before stored it (hex
//! text, whole SHA-256 digests), then the migration runs again over it, then a new server
//! starts on it, as after an upgrade.

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use rallypost::db::schema::{signatures, suppressions};
use rallypost::domain::SupporterEmail;

use crate::helpers::{AppOptions, TestApp, fresh_database, spawn_app_with, valid_form};

const UP: &str = include_str!("../../migrations/2026-12-03-000400_signatures_in_raw_bytes/up.sql");
const DOWN: &str = include_str!("../../migrations/2026-12-03-000400_signatures_in_raw_bytes/down.sql");
/// Both servers use the same data key, as one installation before and after its upgrade.
const DATA_KEY: &str = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a";

/// The token in an emailed link (`.../confirm/{token}?lang=en`).
fn token(link: &str) -> &str {
    link.rsplit('/').next().unwrap().split('?').next().unwrap()
}

async fn app_on(url: &str) -> TestApp {
    spawn_app_with(AppOptions {
        database_url: Some(url.to_owned()),
        env: vec![("RALLYPOST_DATA_KEY", DATA_KEY.into())],
        ..Default::default()
    })
    .await
}

/// Turns the database back into what the version before wrote: the migration's `down`,
/// then the whole 32-byte digest of each token (it kept all of it). Returns how many
/// digests it made whole.
async fn as_before_the_upgrade(url: &str, tokens: &[&str]) -> usize {
    let mut conn = AsyncPgConnection::establish(url).await.unwrap();
    conn.batch_execute(DOWN).await.unwrap();
    let mut whole = 0;
    for token in tokens {
        for column in ["confirm_token_hash", "withdraw_token_hash"] {
            whole += diesel::sql_query(format!(
                "update signatures set {column} = sha256($1) where {column} = substring(sha256($1) from 1 for 16)"
            ))
            .bind::<diesel::sql_types::Bytea, _>(token.as_bytes())
            .execute(&mut conn)
            .await
            .unwrap();
        }
    }
    whole
}

async fn upgrade(url: &str) {
    let mut conn = AsyncPgConnection::establish(url).await.unwrap();
    conn.batch_execute(UP).await.unwrap();
}

impl TestApp {
    async fn suppressed_for_everyone(&self, email: &str) -> bool {
        let key = self.keys().email_lookup(&SupporterEmail::parse(email).unwrap().canonical());
        let mut conn = self.pool.get().await.unwrap();
        let n: i64 = suppressions::table
            .filter(suppressions::email_key.eq(key))
            .filter(suppressions::sender.eq("*"))
            .count()
            .get_result(&mut conn)
            .await
            .unwrap();
        n == 1
    }

    async fn longest_key_or_digest(&self) -> Option<i32> {
        let mut conn = self.pool.get().await.unwrap();
        signatures::table
            .select(diesel::dsl::max(diesel::dsl::sql::<diesel::sql_types::Integer>(
                "greatest(length(email_key), length(confirm_token_hash), length(withdraw_token_hash))",
            )))
            .get_result(&mut conn)
            .await
            .unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_mailed_before_the_upgrade_still_confirm_and_withdraw_and_the_lists_still_match() {
    // Before the upgrade: Mina signed and has not confirmed yet; Omid confirmed and holds
    // his withdrawal link; Zahra withdrew (her address is on the suppression list).
    let database = tokio::task::spawn_blocking(fresh_database).await.unwrap();
    let before = app_on(database.url()).await;
    let mina = before.sign_and_get_link("mina@example.org").await;
    let omid = before.sign_and_get_link("omid@example.org").await;
    assert_eq!(before.client.post(&omid).send().await.unwrap().status(), 200);
    before.mail.wait_for(3).await; // Omid's receipt, before the next confirmation email
    let zahra = before.sign_and_get_link("zahra@example.org").await;
    assert_eq!(before.client.post(&zahra).send().await.unwrap().status(), 200);
    let mails = before.mail.wait_for(5).await;
    let withdraw_token = |rcpt: &str| {
        let receipt = mails.iter().find(|m| m.rcpt == rcpt && m.text().contains("/withdraw/")).unwrap();
        token(&receipt.link(&format!("{}/withdraw/", before.address))).to_owned()
    };
    let (omid_withdraw, zahra_withdraw) =
        (withdraw_token("omid@example.org"), withdraw_token("zahra@example.org"));
    let withdrawn =
        before.client.post(before.url(&format!("/withdraw/{zahra_withdraw}"))).send().await.unwrap();
    assert_eq!(withdrawn.status(), 200);
    drop(before);
    let tokens = [token(&mina), token(&omid), &omid_withdraw, &zahra_withdraw];
    assert_eq!(
        as_before_the_upgrade(database.url(), &tokens).await,
        4,
        "Mina's and Omid's links, Zahra's withdrawal"
    );

    upgrade(database.url()).await;
    let after = app_on(database.url()).await;

    assert_eq!(after.longest_key_or_digest().await, Some(32), "keys and digests are raw bytes again");
    let confirmed = after.client.post(after.url(&format!("/confirm/{}", token(&mina)))).send().await.unwrap();
    assert!(confirmed.text().await.unwrap().contains("your signature counts"), "Mina's link confirms");
    assert_eq!(after.confirmed_count().await, 2);
    assert_eq!(after.sign(&valid_form("Mina@Example.org")).await.status(), 303);
    assert_eq!(
        after.signatures_by_status().await,
        [("confirmed".to_string(), 2), ("withdrawn".to_string(), 1)],
        "signing again with the same address is still a repeat"
    );
    assert!(after.suppressed_for_everyone("zahra@example.org").await, "Zahra stays on the list");
    let withdrawn = after.client.post(after.url(&format!("/withdraw/{omid_withdraw}"))).send().await.unwrap();
    assert_eq!(withdrawn.status(), 200);
    assert!(after.suppressed_for_everyone("omid@example.org").await, "Omid's link withdrew him");
    assert_eq!(after.confirmed_count().await, 1);
    assert_eq!(after.sign(&valid_form("zahra@example.org")).await.status(), 303);
    assert_eq!(
        after.signatures_by_status().await,
        [("confirmed".to_string(), 1), ("pending".to_string(), 1), ("withdrawn".to_string(), 2)],
        "Zahra, withdrawn before the upgrade, may sign again"
    );
}
