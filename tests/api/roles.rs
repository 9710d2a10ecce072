//! Organizer roles: every protected route walked by every role (what each may and may not
//! see), a partner's export and API holding only its opted-in supporters, a viewer's
//! export refused, a manager blind to other campaigns; and organizers managed on the web:
//! invitations, role changes, disabling, the audit log.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use rallypost::db::schema::signatures;
use rallypost::organizers::{self, OrganizerEmail, Role};
use rallypost::web::protected::{Guard, PROTECTED_ROUTES};

use crate::helpers::{ORGANIZER, PASSWORD, RouteRows, SLUG, Seed, TestApp, hidden_value, spawn_app};

const PARTNER: &str = "exile-network";
const OTHER_SLUG: &str = "second-call";

/// A signed-in organizer's own client (cookies) and API token.
struct Someone {
    client: reqwest::Client,
    token: String,
}

/// Adds an organizer with `role` over `campaigns` (and `partner`), signs them in on a
/// client of their own and makes them a token.
async fn someone(
    app: &TestApp,
    email: &str,
    role: Role,
    campaigns: &[&str],
    partner: Option<&str>,
) -> Someone {
    app.add_organizer_with_grant(email, role, campaigns, partner).await;
    let client = app.signed_in_client(email).await;
    Someone { client, token: app.api_token(email).await }
}

/// The second campaign, a copy of the shipped one under another slug.
async fn add_second_campaign(app: &TestApp) {
    app.edit_campaign(|file| file.slug = OTHER_SLUG.into()).await;
}

/// What the route walk expects of each route, written here and not read from the code:
/// who may use it. A route missing from this list fails the walk, so each new one gets
/// a decision.
fn who_may(method: &str, path: &str) -> &'static str {
    match (method, path) {
        ("GET", "/admin") | ("POST", "/admin/logout") | ("GET", "/admin/tokens") => "anyone",
        ("GET", "/admin/c/{slug}")
        | ("GET", "/api/v1/petitions")
        | ("GET", "/api/v1/petitions/{slug}")
        | ("GET", "/api/v1/petitions/{slug}/endorsements")
        | ("GET", "/api/v1/petitions/{slug}/replies") => "counts",
        ("GET", "/admin/c/{slug}/signatures.csv")
        | ("GET", "/admin/c/{slug}/signatures.xlsx")
        | ("GET", "/api/v1/petitions/{slug}/signatures") => "personal data",
        ("POST", "/api/v1/petitions/{slug}/signatures") => "signing",
        // The walk's mailing is the lead's: a partner's organizer writes and lists their own
        // partner's mailings, and the lead's does not exist for them.
        (_, "/admin/c/{slug}/mailings") => "news",
        (_, p) if p.starts_with("/admin/c/{slug}/mailings/{id}") => "the lead's mailing",
        (_, p)
            if p.starts_with("/admin/c/{slug}/endorsements")
                || p.starts_with("/admin/c/{slug}/replies")
                || p == "/admin/c/{slug}/handover" =>
        {
            "mailings"
        }
        (_, p)
            if p.starts_with("/admin/organizers")
                || p == "/admin/audit"
                || p.starts_with("/admin/webhooks") =>
        {
            "owners"
        }
        _ => panic!("the route walk has no expectation for {method} {path}: add one"),
    }
}

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum Expect {
    /// The same answer the owner gets.
    Allowed,
    /// 403 from the role check.
    Forbidden,
    /// 404, as if the campaign did not exist.
    Hidden,
}

fn expect(kind: &str, role: &str, names_campaign: bool) -> Expect {
    if role == "other manager" && names_campaign {
        return Expect::Hidden;
    }
    let allowed = match (kind, role) {
        (_, "owner") | ("anyone", _) | ("counts", _) => true,
        ("personal data" | "signing", r) => r == "manager" || r == "partner" || r == "other manager",
        ("mailings", r) => r == "manager" || r == "other manager",
        ("news", r) => r == "manager" || r == "partner",
        ("the lead's mailing", "partner") => return Expect::Hidden,
        ("the lead's mailing", r) => r == "manager",
        _ => false,
    };
    if allowed { Expect::Allowed } else { Expect::Forbidden }
}

async fn answer(app: &TestApp, who: &Someone, method: &str, path: &str) -> (u16, String) {
    let method: reqwest::Method = method.parse().unwrap();
    let request = match rallypost::web::protected::guard_for(path).unwrap() {
        Guard::Session => who
            .client
            .request(method, app.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(""),
        Guard::Token => who.client.request(method, app.url(path)).bearer_auth(&who.token),
    };
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, String::from_utf8_lossy(&response.bytes().await.unwrap()).into_owned())
}

#[tokio::test]
async fn every_protected_route_answers_each_role_as_its_scope_says() {
    let app = spawn_app().await;
    add_second_campaign(&app).await;
    let rows = RouteRows::seed(&app).await;
    let roles = [
        ("owner", someone(&app, "owner@rallypost.example", Role::Owner, &[], None).await),
        ("manager", someone(&app, "manager@rallypost.example", Role::Manager, &[SLUG], None).await),
        ("other manager", someone(&app, "other@rallypost.example", Role::Manager, &[OTHER_SLUG], None).await),
        ("partner", someone(&app, "partner@rallypost.example", Role::Partner, &[SLUG], Some(PARTNER)).await),
        ("viewer", someone(&app, "viewer@rallypost.example", Role::Viewer, &[SLUG], None).await),
    ];

    for route in PROTECTED_ROUTES {
        let path = rows.path(route.path, SLUG);
        let kind = who_may(route.method, route.path);
        let (owner_status, _) = answer(&app, &roles[0].1, route.method, &path).await;
        assert!(![404, 401, 500].contains(&owner_status), "the owner got {owner_status} for {path}");
        for (role, who) in &roles {
            let (status, body) = answer(&app, who, route.method, &path).await;
            let what = format!("{role}: {} {path}", route.method);
            match expect(kind, role, route.path.contains("{slug}")) {
                Expect::Allowed => {
                    assert_eq!(status, owner_status, "{what}");
                    assert!(!body.contains("Not allowed") && !body.contains("does not allow"), "{what}");
                }
                Expect::Forbidden => {
                    assert_eq!(status, 403, "{what}");
                    assert!(
                        body.contains("Not allowed") || body.contains("does not allow"),
                        "{what}: {body}"
                    );
                }
                Expect::Hidden => assert_eq!(status, 404, "{what}"),
            }
        }
    }
}

#[tokio::test]
async fn a_route_nobody_declared_is_open_to_owners_only() {
    let app = spawn_app().await;
    let viewer = someone(&app, "viewer@rallypost.example", Role::Viewer, &[], None).await;
    let owner = someone(&app, ORGANIZER, Role::Owner, &[], None).await;

    // No handler answers this path; the owner reaches the router's 404, the viewer not even that.
    let (owner_status, _) = answer(&app, &owner, "GET", "/admin/not-declared").await;
    let (viewer_status, _) = answer(&app, &viewer, "GET", "/admin/not-declared").await;
    let (api_status, _) = answer(&app, &viewer, "GET", "/api/v2/not-declared").await;

    assert_eq!(owner_status, 404);
    assert_eq!(viewer_status, 403);
    assert_eq!(api_status, 403);
}

/// Three confirmed supporters: one opted in to the partner, one brought by the partner
/// without opting in, one with no partner.
async fn seed_partner_supporters(app: &TestApp) {
    for (name, email, partner, opted_in) in [
        ("Opted In", "in@example.org", Some(PARTNER), true),
        ("Brought Only", "brought@example.org", Some(PARTNER), false),
        ("Lead Only", "lead@example.org", None, false),
    ] {
        let id = app.seed(Seed { name, email, ..Seed::default() }).await;
        let mut conn = app.pool.get().await.unwrap();
        diesel::update(signatures::table.find(id))
            .set((signatures::partner_id.eq(partner), signatures::partner_opt_in.eq(opted_in)))
            .execute(&mut conn)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn a_partners_export_and_api_hold_only_the_supporters_who_opted_in_to_that_partner() {
    let app = spawn_app().await;
    seed_partner_supporters(&app).await;
    let partner = someone(&app, "partner@rallypost.example", Role::Partner, &[SLUG], Some(PARTNER)).await;
    let manager = someone(&app, "manager@rallypost.example", Role::Manager, &[SLUG], None).await;

    let csv = |who: &Someone| {
        let request = who.client.get(app.url(&format!("/admin/c/{SLUG}/signatures.csv")));
        async move { request.send().await.unwrap().text().await.unwrap() }
    };
    let partner_csv = csv(&partner).await;
    let manager_csv = csv(&manager).await;
    let api = partner
        .client
        .get(app.url(&format!("/api/v1/petitions/{SLUG}/signatures")))
        .bearer_auth(&partner.token)
        .send()
        .await
        .unwrap();
    let api: serde_json::Value = api.json().await.unwrap();
    let page = partner.client.get(app.url(&format!("/admin/c/{SLUG}"))).send().await.unwrap();
    let page = page.text().await.unwrap();

    assert_eq!(partner_csv.lines().count(), 2, "{partner_csv}");
    assert!(partner_csv.contains("in@example.org"));
    assert!(!partner_csv.contains("brought@example.org") && !partner_csv.contains("lead@example.org"));
    assert_eq!(manager_csv.lines().count(), 4, "{manager_csv}");
    assert_eq!(api["total_records"], 1);
    let people = api["_embedded"]["osdi:signatures"].as_array().unwrap();
    assert_eq!(people.len(), 1);
    assert_eq!(people[0]["_embedded"]["osdi:person"]["email_addresses"][0]["address"], "in@example.org");
    // All counts, though: the dashboard shows the three confirmed signatures.
    assert!(page.contains(">3<"), "the partner's dashboard lacks the total");
    // The partner's xlsx holds the same one row: a workbook is a zip, so compare sizes with
    // the manager's, which holds three.
    let xlsx = |who: &Someone| {
        let request = who.client.get(app.url(&format!("/admin/c/{SLUG}/signatures.xlsx")));
        async move { request.send().await.unwrap().bytes().await.unwrap().len() }
    };
    assert!(xlsx(&partner).await < xlsx(&manager).await);
}

#[tokio::test]
async fn a_viewers_exports_and_api_signatures_are_refused_but_counts_are_shown() {
    let app = spawn_app().await;
    seed_partner_supporters(&app).await;
    let viewer = someone(&app, "viewer@rallypost.example", Role::Viewer, &[], None).await;

    for path in [format!("/admin/c/{SLUG}/signatures.csv"), format!("/admin/c/{SLUG}/signatures.xlsx")] {
        let response = viewer.client.get(app.url(&path)).send().await.unwrap();
        assert_eq!(response.status(), 403, "{path}");
        assert!(!response.text().await.unwrap().contains("example.org"));
    }
    let api = viewer
        .client
        .get(app.url(&format!("/api/v1/petitions/{SLUG}/signatures")))
        .bearer_auth(&viewer.token)
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 403);
    let page = viewer.client.get(app.url(&format!("/admin/c/{SLUG}"))).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(!page.contains("Download CSV"), "a viewer is offered the export");
    assert!(page.contains(">3<"));
}

#[tokio::test]
async fn a_manager_cannot_see_or_learn_of_other_campaigns() {
    let app = spawn_app().await;
    add_second_campaign(&app).await;
    let manager = someone(&app, "manager@rallypost.example", Role::Manager, &[OTHER_SLUG], None).await;

    let index = manager.client.get(app.url("/admin")).send().await.unwrap().text().await.unwrap();
    let theirs = manager.client.get(app.url(&format!("/admin/c/{OTHER_SLUG}"))).send().await.unwrap();
    let other = manager.client.get(app.url(&format!("/admin/c/{SLUG}"))).send().await.unwrap();
    let missing = manager.client.get(app.url("/admin/c/no-such-campaign")).send().await.unwrap();
    let api =
        manager.client.get(app.url("/api/v1/petitions")).bearer_auth(&manager.token).send().await.unwrap();
    let api: serde_json::Value = api.json().await.unwrap();
    let api_other = manager
        .client
        .get(app.url(&format!("/api/v1/petitions/{SLUG}")))
        .bearer_auth(&manager.token)
        .send()
        .await
        .unwrap();

    assert!(index.contains(&format!("/admin/c/{OTHER_SLUG}\"")));
    assert!(!index.contains(&format!("/admin/c/{SLUG}\"")), "the index lists a campaign not theirs");
    assert_eq!(theirs.status(), 200);
    assert_eq!(other.status(), 404);
    // Exactly as for a campaign that does not exist.
    assert_eq!(missing.status(), 404);
    assert_eq!(other.text().await.unwrap(), missing.text().await.unwrap());
    assert_eq!(api["total_records"], 1);
    assert_eq!(api["_embedded"]["osdi:petitions"][0]["name"], OTHER_SLUG);
    assert_eq!(api_other.status(), 404);
}

/// The form fields of an admin POST, with the session's CSRF token.
async fn admin_form(
    who: &reqwest::Client,
    app: &TestApp,
    page: &str,
    fields: &[(&str, &str)],
) -> Vec<(String, String)> {
    let html = who.get(app.url(page)).send().await.unwrap().text().await.unwrap();
    let csrf = hidden_value(&html, "csrf_token").expect("a csrf_token on the page");
    let mut all: Vec<(String, String)> = fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    all.push(("csrf_token".into(), csrf));
    all
}

async fn post(
    who: &reqwest::Client,
    app: &TestApp,
    path: &str,
    fields: &[(String, String)],
) -> reqwest::Response {
    who.post(app.url(path)).form(fields).send().await.unwrap()
}

#[tokio::test]
async fn an_owner_invites_an_organizer_who_sets_a_password_once_and_signs_in_with_the_role_given() {
    let app = spawn_app().await;
    app.login_as_organizer().await;
    let invited = "new.partner@rallypost.example";

    let fields = admin_form(
        &app.client,
        &app,
        "/admin/organizers",
        &[("email", invited), ("role", "partner"), ("campaigns", SLUG), ("partner", PARTNER), ("lang", "de")],
    )
    .await;
    let response = post(&app.client, &app, "/admin/organizers", &fields).await;
    assert_eq!(response.status(), 303);
    let mail = app.mail.wait_for(1).await.pop().unwrap();
    assert_eq!(mail.rcpt, invited);
    assert!(mail.subject().contains("eingeladen"), "not in German: {}", mail.subject());
    let link = mail.link(&format!("{}/invitation/", app.address));
    // Only the link's hash is kept.
    let token = link.rsplit('/').next().unwrap().split('?').next().unwrap().to_owned();
    let stored: Vec<Vec<u8>> = {
        use rallypost::db::schema::organizer_invitations;
        let mut conn = app.pool.get().await.unwrap();
        organizer_invitations::table.select(organizer_invitations::token_hash).load(&mut conn).await.unwrap()
    };
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], token.as_bytes());
    // Before the password is set, nothing signs in.
    let stranger = app.bare_client();
    assert_eq!(stranger.get(&link).send().await.unwrap().status(), 200);
    let mismatch = stranger
        .post(&link)
        .form(&[("password", PASSWORD), ("password_again", "something else entirely")])
        .send()
        .await
        .unwrap();
    assert_eq!(mismatch.status(), 422);
    let set = stranger
        .post(&link)
        .form(&[("password", PASSWORD), ("password_again", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
    let again = stranger
        .post(&link)
        .form(&[("password", PASSWORD), ("password_again", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 404, "the link works twice");

    let partner = app.signed_in_client(invited).await;
    let organizers_page = partner.get(app.url("/admin/organizers")).send().await.unwrap();
    let export = partner.get(app.url(&format!("/admin/c/{SLUG}/signatures.csv"))).send().await.unwrap();
    assert_eq!(export.status(), 200);
    export.text().await.unwrap();
    let audit = app.get("/admin/audit").await.text().await.unwrap();

    assert_eq!(organizers_page.status(), 403);
    for action in ["invite", "invitation_accepted", "sign_in", "export"] {
        assert!(audit.contains(&format!("<td>{action}</td>")), "no {action} in the audit log");
    }
}

#[tokio::test]
async fn an_invitation_link_stops_working_after_72_hours() {
    let app = spawn_app().await;
    app.login_as_organizer().await;
    let fields = admin_form(
        &app.client,
        &app,
        "/admin/organizers",
        &[("email", "late@rallypost.example"), ("role", "viewer")],
    )
    .await;
    assert_eq!(post(&app.client, &app, "/admin/organizers", &fields).await.status(), 303);
    let link = app.mail.wait_for(1).await[0].link(&format!("{}/invitation/", app.address));

    app.clock.advance(chrono::Duration::hours(72) + chrono::Duration::minutes(1));
    let stranger = app.bare_client();

    assert_eq!(stranger.get(&link).send().await.unwrap().status(), 404);
    let set = stranger
        .post(&link)
        .form(&[("password", PASSWORD), ("password_again", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 404);
}

#[tokio::test]
async fn inviting_with_a_bad_address_or_scope_is_refused_with_the_reason_and_changes_nothing() {
    let app = spawn_app().await;
    app.login_as_organizer().await;

    for (fields, reason) in [
        (vec![("email", "not an address"), ("role", "viewer")], "address"),
        (vec![("email", "m@rallypost.example"), ("role", "manager")], "at least one"),
        (
            vec![
                ("email", "p@rallypost.example"),
                ("role", "partner"),
                ("campaigns", SLUG),
                ("partner", "nobody"),
            ],
            "declares no partner",
        ),
        (
            vec![("email", "q@rallypost.example"), ("role", "viewer"), ("campaigns", "no-such-campaign")],
            "no campaign",
        ),
        (vec![("email", ORGANIZER), ("role", "viewer")], "already"),
        (vec![("email", "r@rallypost.example"), ("role", "emperor")], "Choose a role"),
    ] {
        let form = admin_form(&app.client, &app, "/admin/organizers", &fields).await;
        let response = post(&app.client, &app, "/admin/organizers", &form).await;
        assert_eq!(response.status(), 422, "{fields:?}");
        assert!(response.text().await.unwrap().contains(reason), "{fields:?}");
    }
    let without_csrf = app
        .client
        .post(app.url("/admin/organizers"))
        .form(&[("email", "x@rallypost.example"), ("role", "owner")])
        .send()
        .await
        .unwrap();
    assert_eq!(without_csrf.status(), 403);
    assert!(app.mail.messages().is_empty());
    let mut conn = app.pool.get().await.unwrap();
    assert_eq!(organizers::accounts(&mut conn).await.unwrap().len(), 1);
}

#[tokio::test]
async fn disabling_an_organizer_ends_their_session_and_tokens_at_once_and_enabling_lets_them_sign_in_again() {
    let app = spawn_app().await;
    app.login_as_organizer().await;
    let manager = someone(&app, "manager@rallypost.example", Role::Manager, &[SLUG], None).await;
    let id = {
        let mut conn = app.pool.get().await.unwrap();
        let email = OrganizerEmail::parse("manager@rallypost.example").unwrap();
        organizers::find_by_email(&mut conn, &email).await.unwrap().unwrap().0.id
    };
    assert_eq!(manager.client.get(app.url("/admin")).send().await.unwrap().status(), 200);

    let fields = admin_form(&app.client, &app, "/admin/organizers", &[]).await;
    let disabled = post(&app.client, &app, &format!("/admin/organizers/{id}/disable"), &fields).await;

    assert_eq!(disabled.status(), 303);
    assert_eq!(
        manager.client.get(app.url("/admin")).send().await.unwrap().status(),
        303,
        "the session lives on"
    );
    let api =
        app.bare_client().get(app.url("/api/v1/petitions")).bearer_auth(&manager.token).send().await.unwrap();
    assert_eq!(api.status(), 401, "the token lives on");
    assert_eq!(app.login("manager@rallypost.example", PASSWORD).await.status(), 401);

    let enabled = post(&app.client, &app, &format!("/admin/organizers/{id}/enable"), &fields).await;
    assert_eq!(enabled.status(), 303);
    app.signed_in_client("manager@rallypost.example").await;
    let audit = app.get("/admin/audit").await.text().await.unwrap();
    assert!(audit.contains("<td>disable</td>") && audit.contains("<td>enable</td>"));
}

#[tokio::test]
async fn an_owner_changes_a_managers_role_and_it_applies_to_their_next_request() {
    let app = spawn_app().await;
    app.login_as_organizer().await;
    let manager = someone(&app, "manager@rallypost.example", Role::Manager, &[SLUG], None).await;
    let id = {
        let mut conn = app.pool.get().await.unwrap();
        let email = OrganizerEmail::parse("manager@rallypost.example").unwrap();
        organizers::find_by_email(&mut conn, &email).await.unwrap().unwrap().0.id
    };
    let export = format!("/admin/c/{SLUG}/signatures.csv");
    assert_eq!(manager.client.get(app.url(&export)).send().await.unwrap().status(), 200);

    let fields =
        admin_form(&app.client, &app, "/admin/organizers", &[("role", "viewer"), ("campaigns", SLUG)]).await;
    let changed = post(&app.client, &app, &format!("/admin/organizers/{id}/role"), &fields).await;
    let own = {
        let mut conn = app.pool.get().await.unwrap();
        let email = OrganizerEmail::parse(ORGANIZER).unwrap();
        organizers::find_by_email(&mut conn, &email).await.unwrap().unwrap().0.id
    };
    let demote_self = post(&app.client, &app, &format!("/admin/organizers/{own}/role"), &fields).await;

    assert_eq!(changed.status(), 303);
    assert_eq!(manager.client.get(app.url(&export)).send().await.unwrap().status(), 403);
    assert_eq!(demote_self.status(), 422, "an owner demoted themselves");
    assert_eq!(app.get("/admin/organizers").await.status(), 200);
    let audit = app.get("/admin/audit").await.text().await.unwrap();
    assert!(audit.contains("<td>role_change</td>") && audit.contains("viewer of 1 campaign"));
}

fn rallypost_cli(app: &TestApp, args: &[&str]) -> std::process::Output {
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
    child.stdin.take().unwrap().write_all(PASSWORD.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn organizer_add_on_the_command_line_gives_a_role_its_campaigns_and_partner() {
    let app = spawn_app().await;
    add_second_campaign(&app).await;
    let add = |email: &str, extra: &[&str]| {
        let args = [&["organizer", "add", email, "--password-stdin"][..], extra].concat();
        rallypost_cli(&app, &args)
    };

    let first = add("first@rallypost.example", &[]);
    let manager =
        add("m@rallypost.example", &["--role", "manager", "--campaign", &format!("{SLUG},{OTHER_SLUG}")]);
    let partner =
        add("p@rallypost.example", &["--role", "partner", "--campaign", SLUG, "--partner", PARTNER]);
    let refused = [
        (
            add("x@rallypost.example", &["--role", "partner", "--campaign", SLUG, "--partner", "nobody"]),
            "declares no partner",
        ),
        (add("x@rallypost.example", &["--role", "partner", "--campaign", SLUG]), "exactly one campaign"),
        (add("x@rallypost.example", &["--role", "manager"]), "at least one campaign"),
        (add("x@rallypost.example", &["--role", "manager", "--campaign", "no-such-campaign"]), "no campaign"),
        (add("x@rallypost.example", &["--role", "owner", "--campaign", SLUG]), "owner sees every campaign"),
        (add("x@rallypost.example", &["--campaign", SLUG]), "go with --role"),
        (add("x@rallypost.example", &["--role", "emperor"]), "invalid value 'emperor'"),
    ];

    for ok in [&first, &manager, &partner] {
        assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    }
    for (no, why) in &refused {
        assert!(!no.status.success());
        let first_line = String::from_utf8_lossy(&no.stderr).lines().next().unwrap_or_default().to_owned();
        assert!(first_line.contains(why), "{why}: {first_line}");
    }
    let mut conn = app.pool.get().await.unwrap();
    let accounts = organizers::accounts(&mut conn).await.unwrap();
    let role = |email: &str| {
        accounts.iter().find(|a| a.email == email).map(|a| (a.role, a.campaigns.len(), a.partner.clone()))
    };
    assert_eq!(role("first@rallypost.example"), Some((Role::Owner, 0, None)));
    assert_eq!(role("m@rallypost.example"), Some((Role::Manager, 2, None)));
    assert_eq!(role("p@rallypost.example"), Some((Role::Partner, 1, Some(PARTNER.to_owned()))));
    assert_eq!(role("x@rallypost.example"), None);
    // A new password keeps the role when none is given.
    assert!(add("m@rallypost.example", &[]).status.success());
    let accounts = organizers::accounts(&mut conn).await.unwrap();
    assert_eq!(accounts.iter().find(|a| a.email == "m@rallypost.example").unwrap().role, Role::Manager);
    // The command line's changes are in the audit log too, by the system user who ran them.
    assert!(rallypost_cli(&app, &["organizer", "token", "p@rallypost.example"]).status.success());
    let audit = organizers::recent_audit(&mut conn, 100).await.unwrap();
    let done = |action: organizers::AuditAction, subject: &str| {
        audit.iter().any(|e| {
            e.action == action && e.subject.as_deref() == Some(subject) && e.actor.starts_with("system user")
        })
    };
    assert!(done(organizers::AuditAction::Add, "p@rallypost.example"));
    assert!(done(organizers::AuditAction::PasswordSet, "m@rallypost.example"));
    assert!(done(organizers::AuditAction::TokenCreated, "p@rallypost.example"));
    assert!(
        !audit.iter().any(|e| e.subject.as_deref() == Some("x@rallypost.example")),
        "a refused add was logged"
    );
}
