//! Signed webhooks to partners' and the lead organisation's systems: who gets which
//! supporter, what a withdrawal sends, retries, and signatures checked by an implementation
//! of the Standard Webhooks specification other than rallypost's.

mod dashboard;
mod private_addresses;
mod receiver;

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use base64::Engine;
use chrono::{Duration, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use hmac::Mac;
use rallypost::clock::Clock;
use rallypost::crypto::DataKeys;
use rallypost::db::schema::{outbox, signatures};
use rallypost::webhooks::{AddressPolicy, ConfirmedSignature, Deliverer, ReceiverUrl, SigningSecret, Whose};
use receiver::{Received, Receiver};
use uuid::Uuid;

use crate::helpers::{AppOptions, SLUG, Seed, TestApp, spawn_app, spawn_app_with, valid_form};

const BIN: &str = env!("CARGO_BIN_EXE_rallypost");

impl TestApp {
    /// Adds a receiver as `rallypost webhook add` does; returns its id and secret.
    async fn add_receiver(&self, whose: Whose, receiver: &Receiver) -> (Uuid, String) {
        let mut conn = self.pool.get().await.unwrap();
        let url = ReceiverUrl::parse(&receiver.url).unwrap();
        let policy = self.settings.webhook_addresses;
        let (added, secret) =
            rallypost::webhooks::add(&mut conn, &self.keys(), &whose, &url, policy, Utc::now())
                .await
                .unwrap();
        (added.id, secret.to_whsec())
    }

    /// Signs with `extra` fields, confirms by the emailed link; returns the signature id and
    /// the receipt's withdraw link.
    async fn sign_and_confirm(
        &self,
        email: &str,
        extra: &[(&str, &str)],
        partner: Option<&str>,
    ) -> (Uuid, String) {
        let before = self.mail.messages().len();
        let mut form = valid_form(email);
        form.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        assert_eq!(self.sign(&form).await.status(), 303);
        let link = self.mail.wait_for(before + 1).await[before].link(&format!("{}/confirm/", self.address));
        let id = self.latest_signature().await;
        if let Some(partner) = partner {
            // What the partner link (`?via=`) and its opt-in box store with the signature.
            let mut conn = self.pool.get().await.unwrap();
            diesel::update(signatures::table.find(id))
                .set((signatures::partner_id.eq(partner), signatures::partner_opt_in.eq(true)))
                .execute(&mut conn)
                .await
                .unwrap();
        }
        assert_eq!(self.client.post(&link).send().await.unwrap().status(), 200);
        let receipt = &self.mail.wait_for(before + 2).await[before + 1];
        (id, receipt.link(&format!("{}/withdraw/", self.address)))
    }

    async fn latest_signature(&self) -> Uuid {
        let mut conn = self.pool.get().await.unwrap();
        signatures::table.select(signatures::id).order(signatures::id.desc()).first(&mut conn).await.unwrap()
    }

    async fn webhook_rows(&self) -> Vec<WebhookRow> {
        let mut conn = self.pool.get().await.unwrap();
        outbox::table
            .filter(outbox::kind.eq("webhook"))
            .select((
                outbox::target_id.assume_not_null(),
                outbox::signature_id,
                outbox::status,
                outbox::attempts,
                outbox::message.is_not_null(),
                outbox::locked_until.is_not_null(),
            ))
            .order(outbox::id)
            .load(&mut conn)
            .await
            .unwrap()
    }

    /// Waits up to 15 s for `done` to hold of the webhook rows.
    async fn wait_for_webhook_rows(&self, what: &str, done: impl Fn(&[WebhookRow]) -> bool) {
        let deadline = Instant::now() + StdDuration::from_secs(15);
        loop {
            let rows = self.webhook_rows().await;
            if done(&rows) {
                return;
            }
            assert!(Instant::now() < deadline, "{what}: {rows:?}");
            tokio::time::sleep(StdDuration::from_millis(25)).await;
        }
    }
}

/// A webhook row of the outbox, as far as tests look at it.
#[derive(Debug, Queryable)]
struct WebhookRow {
    receiver: String,
    signature_id: Option<Uuid>,
    status: String,
    attempts: i32,
    body_kept: bool,
    /// Claimed by a deliverer, its result not yet recorded.
    leased: bool,
}

impl WebhookRow {
    fn recorded(&self, status: &str, attempts: i32) -> bool {
        self.status == status && self.attempts == attempts && !self.leased
    }
}

/// Checks the signature from the specification's text alone: HMAC-SHA256 keyed with the
/// secret's base64-decoded bytes, over `{webhook-id}.{webhook-timestamp}.{body}`.
fn verify_by_the_spec(secret: &str, webhook: &Received) -> bool {
    let key =
        base64::engine::general_purpose::STANDARD.decode(secret.strip_prefix("whsec_").unwrap()).unwrap();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    let signed = format!("{}.{}.", webhook.header("webhook-id"), webhook.header("webhook-timestamp"));
    mac.update(signed.as_bytes());
    mac.update(&webhook.body);
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    webhook.header("webhook-signature").split(' ').any(|s| s == format!("v1,{expected}"))
}

/// Runs the Standard Webhooks Python library over a webhook: `Some(verified)`, or `None`
/// where python3 or the `standardwebhooks` package is missing (`.ci/run` installs it).
fn verify_with_python(secret: &str, webhook: &Received) -> Option<bool> {
    let has_library = Command::new("python3")
        .args(["-c", "import standardwebhooks"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !has_library {
        eprintln!("python3 with standardwebhooks not found: the signature is checked by the Rust one only");
        return None;
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/verify_webhook.py");
    let mut child =
        Command::new("python3").arg(script).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    let input =
        serde_json::json!({"secret": secret, "headers": webhook.headers, "body": webhook.body_text()});
    child.stdin.take().unwrap().write_all(input.to_string().as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    Some(output.status.success())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supporter_who_asked_for_news_reaches_the_lead_organisations_crm_signed() {
    let app = spawn_app().await;
    let crm = Receiver::start().await;
    let (_, secret) = app.add_receiver(Whose::Lead, &crm).await;

    let (id, _) = app.sign_and_confirm("mina@example.org", &[("updates", "on")], None).await;

    let webhook = crm.wait_for(1).await.remove(0);
    let event = webhook.json();
    assert_eq!(event["type"], "signature.confirmed");
    let data = &event["data"];
    assert_eq!(data["signature_id"], id.to_string());
    assert_eq!(data["petition"], SLUG);
    assert!(data["created_date"].is_string());
    let person = &data["person"];
    assert_eq!(person["given_name"], "Mina Ahmadi");
    assert_eq!(person["email_addresses"][0]["address"], "mina@example.org");
    assert_eq!(person["postal_addresses"][0]["country"], "DE");
    assert_eq!(webhook.header("content-type"), "application/json");
    let timestamp: i64 = webhook.header("webhook-timestamp").parse().unwrap();
    assert_eq!(timestamp, app.clock.now().timestamp());

    assert!(verify_by_the_spec(&secret, &webhook), "{:?}", webhook.headers);
    if let Some(verified) = verify_with_python(&secret, &webhook) {
        assert!(verified, "the standardwebhooks library refused the signature");
        let mut tampered = webhook.clone();
        tampered.body = webhook.body_text().replace("Mina", "Nima").into_bytes();
        assert_eq!(verify_with_python(&secret, &tampered), Some(false), "a changed body must not verify");
    }
    app.wait_for_webhook_rows("delivered, its copy kept to send again", |rows| {
        rows.len() == 1 && rows[0].recorded("sent", 1) && rows[0].body_kept
    })
    .await;
    app.clock.advance(rallypost::webhooks::SEND_AGAIN_FOR + Duration::days(1));
    app.housekeeping().tick().await.unwrap();
    app.wait_for_webhook_rows("its copy erased after a week", |rows| !rows[0].body_kept).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supporter_who_opted_in_to_nobody_reaches_no_crm() {
    let app = spawn_app().await;
    let lead = Receiver::start().await;
    let partner = Receiver::start().await;
    app.add_receiver(Whose::Lead, &lead).await;
    app.add_receiver(Whose::partner("pro-asyl").unwrap(), &partner).await;

    let (quiet, _) = app.sign_and_confirm("quiet@example.org", &[], None).await;
    let (keen, _) = app.sign_and_confirm("keen@example.org", &[("updates", "on")], None).await;

    let got = lead.wait_for(1).await;
    app.wait_for_webhook_rows("the keen supporter's webhook delivered", |rows| {
        rows.iter().all(|r| r.status == "sent")
    })
    .await;
    assert_eq!(got.len(), 1);
    assert_eq!(lead.received()[0].json()["data"]["signature_id"], keen.to_string());
    let rows = app.webhook_rows().await;
    assert!(
        rows.iter().all(|r| r.signature_id != Some(quiet)),
        "nothing queued for the quiet supporter: {rows:?}"
    );
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(partner.received().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supporter_who_opted_in_to_the_partner_that_brought_them_reaches_that_partner_only() {
    let app = spawn_app().await;
    let (lead, pro_asyl, other) = (Receiver::start().await, Receiver::start().await, Receiver::start().await);
    app.add_receiver(Whose::Lead, &lead).await;
    let (pro_asyl_id, _) = app.add_receiver(Whose::partner("pro-asyl").unwrap(), &pro_asyl).await;
    app.add_receiver(Whose::partner("other-ngo").unwrap(), &other).await;

    let (id, _) = app.sign_and_confirm("mina@example.org", &[], Some("pro-asyl")).await;

    let event = pro_asyl.wait_for(1).await[0].json();
    assert_eq!(event["data"]["signature_id"], id.to_string());
    assert_eq!(event["data"]["partner"], "pro-asyl");
    let rows = app.webhook_rows().await;
    assert_eq!(rows.len(), 1, "only the partner's receiver was queued: {rows:?}");
    assert_eq!(rows[0].receiver, pro_asyl_id.to_string());
    assert!(lead.received().is_empty() && other.received().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withdrawing_tells_every_crm_that_got_the_supporter_to_erase_them_by_id_alone() {
    let app = spawn_app().await;
    let (lead, partner, unrelated) =
        (Receiver::start().await, Receiver::start().await, Receiver::start().await);
    let (_, secret) = app.add_receiver(Whose::Lead, &lead).await;
    app.add_receiver(Whose::partner("pro-asyl").unwrap(), &partner).await;
    app.add_receiver(Whose::partner("other-ngo").unwrap(), &unrelated).await;
    let (id, withdraw) =
        app.sign_and_confirm("mina@example.org", &[("updates", "on")], Some("pro-asyl")).await;
    lead.wait_for(1).await;
    partner.wait_for(1).await;

    assert_eq!(app.client.post(&withdraw).send().await.unwrap().status(), 200);
    // It waits for confirmations that may still be on their way (at most the timeout).
    app.clock.advance(Duration::seconds(20));

    for crm in [&lead, &partner] {
        let webhook = crm.wait_for(2).await.remove(1);
        let event = webhook.json();
        assert_eq!(event["type"], "signature.withdrawn");
        assert_eq!(event["data"], serde_json::json!({"signature_id": id.to_string(), "petition": SLUG}));
        assert!(!webhook.body_text().contains("Mina") && !webhook.body_text().contains("mina@"));
    }
    assert!(verify_by_the_spec(&secret, &lead.received()[1]));
    assert!(unrelated.received().is_empty());
    app.wait_for_webhook_rows("all delivered, no copy of the supporter kept", |rows| {
        let erased = |r: &WebhookRow| r.signature_id.is_none() || !r.body_kept;
        rows.len() == 4 && rows.iter().all(|r| r.recorded("sent", 1) && erased(r))
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crm_that_fails_twice_then_recovers_gets_the_same_webhook_id_each_time() {
    let app = spawn_app().await;
    let crm = Receiver::start().await;
    let (_, secret) = app.add_receiver(Whose::Lead, &crm).await;
    crm.answer(&[500, 503]);

    app.sign_and_confirm("mina@example.org", &[("updates", "on")], None).await;
    for attempt in 1..=2 {
        crm.wait_for(attempt).await;
        app.wait_for_webhook_rows("the failure recorded", |rows| rows[0].recorded("pending", attempt as i32))
            .await;
        // Backoff: 30 s after the first failure, a minute after the second (and jitter).
        app.clock.advance(Duration::seconds(30 << attempt));
    }

    let attempts = crm.wait_for(3).await;
    app.wait_for_webhook_rows("delivered on the third attempt", |rows| rows[0].recorded("sent", 3)).await;
    let ids: Vec<&str> = attempts.iter().map(|w| w.header("webhook-id")).collect();
    assert_eq!(ids, [ids[0]; 3], "one webhook, the same id on every attempt");
    let timestamps: Vec<&str> = attempts.iter().map(|w| w.header("webhook-timestamp")).collect();
    assert!(timestamps[0] < timestamps[1] && timestamps[1] < timestamps[2], "each attempt signed anew");
    assert!(attempts.iter().all(|w| verify_by_the_spec(&secret, w)));
    assert_eq!(crm.received().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crm_that_keeps_failing_is_given_up_after_three_days() {
    let app = spawn_app().await;
    let crm = Receiver::start().await;
    app.add_receiver(Whose::Lead, &crm).await;
    crm.answer(&[500; 10]);

    app.sign_and_confirm("mina@example.org", &[("updates", "on")], None).await;
    crm.wait_for(1).await;
    app.wait_for_webhook_rows("the failure recorded", |rows| rows[0].recorded("pending", 1)).await;
    app.clock.advance(Duration::days(3) + Duration::hours(1));

    crm.wait_for(2).await;
    app.wait_for_webhook_rows("marked failed, its copy kept to send again", |rows| {
        rows[0].recorded("failed", 2) && rows[0].body_kept
    })
    .await;
    assert_eq!(crm.received().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_a_crm_drops_the_webhooks_still_waiting_for_it() {
    let app = spawn_app().await;
    let crm = Receiver::start().await;
    let (id, _) = app.add_receiver(Whose::Lead, &crm).await;
    crm.answer(&[500]);
    app.sign_and_confirm("mina@example.org", &[("updates", "on")], None).await;
    crm.wait_for(1).await;
    app.wait_for_webhook_rows("the failure recorded", |rows| rows[0].recorded("pending", 1)).await;

    let mut conn = app.pool.get().await.unwrap();
    assert!(rallypost::webhooks::remove(&mut conn, id).await.unwrap());

    assert!(app.webhook_rows().await.is_empty(), "nothing left to post to a receiver that is gone");
    assert!(!rallypost::webhooks::remove(&mut conn, id).await.unwrap());
}

#[test]
fn webhook_add_prints_the_secret_once_and_list_and_remove_manage_receivers() {
    let db = crate::helpers::fresh_database();
    let data = crate::helpers::TempDir::new("rallypost-webhook-cli");
    let run = |args: &[&str]| {
        let mut command = Command::new(BIN);
        for (key, _) in std::env::vars() {
            if key.starts_with("RALLYPOST_") || key == "DATABASE_URL" {
                command.env_remove(key);
            }
        }
        command
            .args(args)
            .env("RALLYPOST_DATABASE_URL", db.url())
            .env("RALLYPOST_DATA_DIR", data.path())
            .env("RALLYPOST_CAMPAIGNS_DIR", concat!(env!("CARGO_MANIFEST_DIR"), "/campaigns"))
            // Neither name resolves here, and one is on this machine.
            .env("RALLYPOST_WEBHOOK_ALLOW_PRIVATE", "1")
            .output()
            .unwrap()
    };
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();

    let added = run(&["webhook", "add", "--partner", "pro-asyl", "https://crm.pro-asyl.example/hooks"]);
    assert!(added.status.success(), "{}", text(&added.stderr));
    let secret = text(&added.stdout);
    assert!(SigningSecret::parse(secret.trim()).is_ok(), "{secret}");
    assert!(text(&added.stderr).contains("cannot be shown again"));
    assert!(run(&["webhook", "add", "--lead", "http://127.0.0.1:9/hooks"]).status.success());

    let listing = text(&run(&["webhook", "list"]).stdout);
    assert!(listing.contains("partner pro-asyl") && listing.contains("https://crm.pro-asyl.example/hooks"));
    assert!(listing.contains("lead"), "{listing}");
    assert!(!listing.contains(secret.trim()), "the secret is never shown again");

    for refused in [
        vec!["webhook", "add", "https://crm.example/hooks"],
        vec!["webhook", "add", "--lead", "http://crm.example/hooks"],
        vec!["webhook", "add", "--partner", "two words", "https://crm.example/hooks"],
        vec!["webhook", "remove", "not-an-id"],
    ] {
        let output = run(&refused);
        assert!(!output.status.success(), "{refused:?} was accepted");
        assert!(!text(&output.stderr).contains("panicked"), "{}", text(&output.stderr));
    }

    let id = listing.lines().find(|l| l.contains("pro-asyl")).unwrap().split_whitespace().next().unwrap();
    assert!(run(&["webhook", "remove", id]).status.success());
    let listing = text(&run(&["webhook", "list"]).stdout);
    assert!(!listing.contains("pro-asyl") && listing.contains("lead"), "{listing}");
    assert!(!run(&["webhook", "remove", id]).status.success(), "removing twice says there is none");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_key_rotation_a_crm_still_gets_webhooks_signed_with_its_secret() {
    let app = spawn_app_with(AppOptions { workers: false, ..Default::default() }).await;
    let crm = Receiver::start().await;
    let (_, secret) = app.add_receiver(Whose::Lead, &crm).await;
    let old_key = std::fs::read_to_string(app.data_dir.path().join("data_key")).unwrap();
    let old_key = rallypost::crypto::parse_key(&old_key).unwrap();
    let new_key: [u8; 32] = rand::random();

    let mut conn = app.pool.get().await.unwrap();
    let rotated = rallypost::webhooks::rotate_secrets(&mut conn, &DataKeys::new(new_key, &[old_key])).await;
    assert_eq!(rotated.unwrap(), 1);
    // The old key is gone now: only the new one reads the secret.
    let keys = Arc::new(DataKeys::new(new_key, &[]));
    let id = app.seed(Seed::default()).await;
    let signature = ConfirmedSignature {
        id,
        campaign_slug: SLUG,
        signed_at: Utc::now(),
        name: "Mina Ahmadi",
        email: "mina@example.org",
        country: "DE",
        language: "en",
        updates_opt_in: true,
        opted_in_partner: None,
    };
    rallypost::webhooks::signature_confirmed(&mut conn, &keys, &signature, app.clock.now()).await.unwrap();
    let source = rallypost::startup::webhook_claim_source();
    let deliverer =
        Deliverer::new(app.pool.clone(), source, app.clock.clone(), keys, AddressPolicy::AllowPrivate)
            .unwrap();

    assert_eq!(deliverer.deliver_due().await.unwrap(), 1);

    assert!(verify_by_the_spec(&secret, &crm.wait_for(1).await[0]));
}
