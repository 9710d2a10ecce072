//! Webhook receivers in the dashboard: an owner adds one and sees its secret once, reads a
//! receiver's delivery log and sends a delivery again; no other role sees these pages.

use chrono::Duration;
use rallypost::organizers::Role;
use rallypost::webhooks::Whose;

use super::receiver::Receiver;
use super::verify_by_the_spec;
use crate::helpers::{SLUG, TestApp, hidden_value, spawn_app};

/// Adds an organizer with `role` and signs them in on a client of their own.
pub async fn signed_in(app: &TestApp, email: &str, role: Role, partner: Option<&str>) -> reqwest::Client {
    let campaigns: &[&str] = if role == Role::Owner { &[] } else { &[SLUG] };
    app.add_organizer_with_grant(email, role, campaigns, partner).await;
    app.signed_in_client(email).await
}

/// GETs an admin page: its status and text.
pub async fn page(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, String) {
    let response = client.get(app.url(path)).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// POSTs a form to an admin page with the CSRF token the page `from` shows.
pub async fn post(
    app: &TestApp,
    client: &reqwest::Client,
    from: &str,
    to: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let (_, shown) = page(app, client, from).await;
    let csrf = hidden_value(&shown, "csrf_token").unwrap_or_default();
    let mut fields = fields.to_vec();
    fields.push(("csrf_token", &csrf));
    let response = client.post(app.url(to)).form(&fields).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

fn shown_secret(page: &str) -> Option<String> {
    let start = page.find("whsec_")?;
    Some(page[start..].split('<').next()?.trim().to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_adds_a_partners_receiver_in_the_dashboard_and_sees_its_secret_once() {
    let app = spawn_app().await;
    let owner = signed_in(&app, "owner@rallypost.example", Role::Owner, None).await;
    let crm = Receiver::start().await;

    let fields = [("url", crm.url.as_str()), ("whose", "partner"), ("partner", "pro-asyl")];
    let (status, added) = post(&app, &owner, "/admin/webhooks", "/admin/webhooks", &fields).await;

    assert_eq!(status, 200, "{added}");
    let secret = shown_secret(&added).expect("the secret is shown once");
    assert!(added.contains("cannot be shown again"));
    let (_, later) = page(&app, &owner, "/admin/webhooks").await;
    assert!(later.contains(&crm.url) && later.contains("partner pro-asyl"), "{later}");
    assert!(shown_secret(&later).is_none(), "the secret is never shown again");
    let (_, audit) = page(&app, &owner, "/admin/audit").await;
    assert!(audit.contains("webhook_add"), "{audit}");

    // The secret shown is the one the partner's webhooks are signed with.
    app.sign_and_confirm("mina@example.org", &[], Some("pro-asyl")).await;
    let webhook = crm.wait_for(1).await.remove(0);
    assert!(verify_by_the_spec(&secret, &webhook));

    let (status, refused) =
        post(&app, &owner, "/admin/webhooks", "/admin/webhooks", &[("url", &crm.url)]).await;
    assert_eq!(status, 422, "whose supporters it gets must be said");
    assert!(refused.contains("Choose whose supporters"), "{refused}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_delivery_shows_its_reason_and_sending_it_again_reaches_the_recovered_crm_with_the_same_id()
{
    let app = spawn_app().await;
    let crm = Receiver::start().await;
    let (receiver, secret) = app.add_receiver(Whose::Lead, &crm).await;
    crm.answer(&[500, 500]);
    app.sign_and_confirm("mina@example.org", &[("updates", "on")], None).await;
    crm.wait_for(1).await;
    app.wait_for_webhook_rows("the failure recorded", |rows| rows[0].recorded("pending", 1)).await;
    app.clock.advance(Duration::days(3) + Duration::hours(1));
    crm.wait_for(2).await;
    app.wait_for_webhook_rows("given up", |rows| rows[0].recorded("failed", 2)).await;
    let webhook_id = crm.received()[0].header("webhook-id").to_owned();
    // Signed in only now: three days on, an earlier session would have ended.
    let owner = signed_in(&app, "owner@rallypost.example", Role::Owner, None).await;

    let log = format!("/admin/webhooks/{receiver}");
    let (status, shown) = page(&app, &owner, &log).await;
    assert_eq!(status, 200);
    for expected in
        ["signature.confirmed", &webhook_id, "failed", "the receiver answered 500 Internal Server Error"]
    {
        assert!(shown.contains(expected), "the log shows {expected:?}: {shown}");
    }

    let again = format!("/admin/webhooks/{receiver}/again/{webhook_id}");
    let (status, answer) = post(&app, &owner, &log, &again, &[]).await;
    assert_eq!(status, 200, "{answer}");
    assert!(answer.contains("queued again"), "{answer}");

    let third = crm.wait_for(3).await.remove(2);
    assert_eq!(third.header("webhook-id"), webhook_id, "the same webhook-id, so the receiver can dedupe");
    assert!(verify_by_the_spec(&secret, &third));
    assert_eq!(third.json()["data"]["person"]["given_name"], "Mina Ahmadi");
    app.wait_for_webhook_rows("delivered", |rows| rows.len() == 1 && rows[0].recorded("sent", 1)).await;
    let (_, shown) = page(&app, &owner, &log).await;
    assert!(shown.contains("delivered"), "{shown}");
    let (_, audit) = page(&app, &owner, "/admin/audit").await;
    assert!(audit.contains("webhook_send_again") && audit.contains(&webhook_id), "{audit}");

    // A week after it was done with, the body is erased and it cannot go again.
    app.clock.advance(rallypost::webhooks::SEND_AGAIN_FOR + Duration::days(1));
    app.housekeeping().tick().await.unwrap();
    app.wait_for_webhook_rows("erased", |rows| !rows[0].body_kept).await;
    let owner = signed_in(&app, "owner2@rallypost.example", Role::Owner, None).await;
    let (status, _) = post(&app, &owner, &log, &again, &[]).await;
    assert_eq!(status, 409);
    assert_eq!(crm.received().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_or_a_partner_can_neither_see_nor_change_the_webhook_receivers() {
    let app = spawn_app().await;
    let crm = Receiver::start().await;
    let (receiver, _) = app.add_receiver(Whose::partner("exile-network").unwrap(), &crm).await;
    let owner = signed_in(&app, "owner@rallypost.example", Role::Owner, None).await;
    let (_, owners_page) = page(&app, &owner, "/admin/webhooks").await;
    let csrf = hidden_value(&owners_page, "csrf_token").unwrap();

    for (email, role, partner) in [
        ("viewer@rallypost.example", Role::Viewer, None),
        ("partner@rallypost.example", Role::Partner, Some("exile-network")),
        ("manager@rallypost.example", Role::Manager, None),
    ] {
        let client = signed_in(&app, email, role, partner).await;
        for path in ["/admin/webhooks".to_owned(), format!("/admin/webhooks/{receiver}")] {
            let (status, body) = page(&app, &client, &path).await;
            assert_eq!(status, 403, "{role} GET {path}");
            assert!(!body.contains(&crm.url), "{role} sees no receiver URL");
        }
        for (path, fields) in [
            ("/admin/webhooks".to_owned(), vec![("url", "https://evil.example/h"), ("whose", "lead")]),
            (format!("/admin/webhooks/{receiver}/remove"), vec![]),
        ] {
            let mut fields = fields;
            fields.push(("csrf_token", &csrf));
            let response = client.post(app.url(&path)).form(&fields).send().await.unwrap();
            assert_eq!(response.status(), 403, "{role} POST {path}");
        }
    }
    let mut conn = app.pool.get().await.unwrap();
    let receivers = rallypost::webhooks::list(&mut conn).await.unwrap();
    assert_eq!(receivers.len(), 1, "nothing added, nothing removed");
}
