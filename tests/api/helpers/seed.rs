//! Rows written straight into a test's database: signatures, organizers, a campaign's
//! dispatch settings. Faster than the web form, and able to set what the form cannot
//! (a status, a date in the past).

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use rallypost::db::schema;
use rallypost::organizers::{self, Grant, OrganizerEmail, Password, Role, Who};

use super::{SLUG, TestApp};

pub const ORGANIZER: &str = "organizer@rallypost.example";
pub const PASSWORD: &str = "a long organizer password";

/// A signature written straight into the database, for exports and the API.
pub struct Seed {
    pub name: &'static str,
    pub email: &'static str,
    pub country: &'static str,
    pub postcode: Option<&'static str>,
    pub comment: Option<&'static str>,
    pub status: &'static str,
    pub signed_at: chrono::DateTime<Utc>,
}

impl Default for Seed {
    fn default() -> Self {
        Seed {
            name: "Mina Ahmadi",
            email: "mina@example.org",
            country: "DE",
            postcode: None,
            comment: None,
            status: "confirmed",
            signed_at: "2026-11-01T10:00:00Z".parse().unwrap(),
        }
    }
}

impl TestApp {
    /// Re-imports the shipped campaign with its `[dispatch]` section edited by `edit`.
    pub async fn set_dispatch(&self, edit: impl FnOnce(&mut rallypost::campaigns::Dispatch)) {
        self.edit_campaign(|file| edit(&mut file.dispatch)).await;
    }

    /// Re-imports the shipped campaign, edited by `edit`.
    pub async fn edit_campaign(&self, edit: impl FnOnce(&mut rallypost::campaigns::CampaignFile)) {
        let mut file = rallypost::campaigns::CampaignFile::parse(&shipped_campaign()).unwrap();
        edit(&mut file);
        let mut conn = self.pool.get().await.unwrap();
        rallypost::campaigns::upsert(&mut conn, &file, Utc::now()).await.unwrap();
    }

    /// Re-imports the shipped campaign with its file's text changed by `edit`, for what
    /// `CampaignFile` keeps to itself (the page texts).
    pub async fn edit_campaign_text(&self, edit: impl FnOnce(String) -> String) {
        let file = rallypost::campaigns::CampaignFile::parse(&edit(shipped_campaign())).unwrap();
        let mut conn = self.pool.get().await.unwrap();
        rallypost::campaigns::upsert(&mut conn, &file, Utc::now()).await.unwrap();
    }

    /// Stores `n` signatures straight into the database, named `{prefix} 0`, `{prefix} 1`...
    /// with addresses `{prefix}{i}@example.org`, postcode 10115 and a comment.
    pub async fn add_signatures(
        &self,
        prefix: &str,
        n: usize,
        status: &str,
        confirmed_at: chrono::DateTime<Utc>,
    ) {
        self.add_signatures_with(prefix, n, status, confirmed_at, false, "en").await;
    }

    /// Confirmed supporters who asked for news, signed in `language`, as `add_signatures`
    /// names them (`{prefix} {i}`, `{prefix}{i}@example.org`).
    pub async fn add_news_readers(&self, prefix: &str, n: usize, language: &str) {
        self.add_signatures_with(prefix, n, "confirmed", Utc::now(), true, language).await;
    }

    pub async fn add_signatures_with(
        &self,
        prefix: &str,
        n: usize,
        status: &str,
        confirmed_at: chrono::DateTime<Utc>,
        updates: bool,
        language: &str,
    ) {
        use schema::{campaigns, signatures};
        let mut conn = self.pool.get().await.unwrap();
        let campaign_id: uuid::Uuid = campaigns::table
            .filter(campaigns::slug.eq(SLUG))
            .select(campaigns::id)
            .first(&mut conn)
            .await
            .unwrap();
        let keys = self.keys();
        for i in 0..n {
            let id = rallypost::ids::new_id();
            let field = |column| rallypost::crypto::Field { column, row: &id };
            let email = format!("{prefix}{i}@example.org");
            diesel::insert_into(signatures::table)
                .values((
                    signatures::id.eq(id),
                    signatures::campaign_id.eq(campaign_id),
                    signatures::status.eq(status),
                    signatures::email_key.eq(keys.email_lookup(&email.to_lowercase())),
                    signatures::key_id.eq(keys.current_id()),
                    signatures::email.eq(keys.encrypt(field("signatures.email"), email.as_bytes())),
                    signatures::name
                        .eq(keys.encrypt(field("signatures.name"), format!("{prefix} {i}").as_bytes())),
                    signatures::country.eq(["AF", "DE", "AT"][i % 3]),
                    signatures::postcode.eq(keys.encrypt(field("signatures.postcode"), b"10115")),
                    signatures::comment.eq(keys
                        .encrypt(field("signatures.comment"), format!("Words of {prefix} {i}").as_bytes())),
                    signatures::consent_to_targets.eq(true),
                    signatures::updates_opt_in.eq(updates),
                    signatures::language.eq(language),
                    signatures::signed_at.eq(confirmed_at - chrono::Duration::minutes(5)),
                    signatures::confirmation_sent_at.eq(confirmed_at - chrono::Duration::minutes(5)),
                    signatures::confirmed_at.eq((status != "pending").then_some(confirmed_at)),
                ))
                .execute(&mut conn)
                .await
                .unwrap();
        }
    }

    pub async fn add_organizer(&self, email: &str, password: &str) {
        let mut conn = self.pool.get().await.unwrap();
        let email = OrganizerEmail::parse(email).unwrap();
        let password = Password::parse(password.into()).unwrap();
        organizers::add_or_update(&mut conn, &email, password, Utc::now()).await.unwrap();
    }

    /// Adds an organizer (password `PASSWORD`) with `role` over the campaigns `slugs`, and
    /// `partner` for a partner's organizer.
    pub async fn add_organizer_with_grant(
        &self,
        email: &str,
        role: Role,
        slugs: &[&str],
        partner: Option<&str>,
    ) {
        let mut conn = self.pool.get().await.unwrap();
        let mut campaigns = Vec::new();
        for slug in slugs {
            campaigns.push(rallypost::campaigns::find_by_slug(&mut conn, slug).await.unwrap().unwrap());
        }
        let grant = Grant::parse(role, &campaigns, partner).unwrap();
        let email = OrganizerEmail::parse(email).unwrap();
        let password = Password::parse(PASSWORD.into()).unwrap();
        organizers::add_with_grant(&mut conn, &Who::system(), &email, password, Some(&grant), Utc::now())
            .await
            .unwrap();
    }

    /// A new API token for an organizer who exists.
    pub async fn api_token(&self, email: &str) -> String {
        let mut conn = self.pool.get().await.unwrap();
        let email = OrganizerEmail::parse(email).unwrap();
        let (organizer, _) = organizers::find_by_email(&mut conn, &email).await.unwrap().unwrap();
        organizers::issue_token(&mut conn, &organizer, Utc::now()).await.unwrap()
    }

    pub async fn seed(&self, seed: Seed) -> uuid::Uuid {
        use schema::signatures::dsl as s;
        let campaign = self.campaign_id().await;
        let id = rallypost::ids::new_id();
        let withdrawn = seed.status == "withdrawn";
        let keys = self.keys();
        // Withdrawn signatures have their personal fields erased, as withdrawal does.
        let seal = |column, v: Option<&str>| {
            let field = rallypost::crypto::Field { column, row: &id };
            v.filter(|_| !withdrawn).map(|v| keys.encrypt(field, v.as_bytes()))
        };
        let mut conn = self.pool.get().await.unwrap();
        diesel::insert_into(s::signatures)
            .values((
                s::id.eq(id),
                s::campaign_id.eq(campaign),
                s::status.eq(seed.status),
                s::email_key.eq(format!("{}-{}", seed.email.to_lowercase(), id).into_bytes()),
                s::key_id.eq(keys.current_id()),
                s::email.eq(seal("signatures.email", Some(seed.email))),
                s::name.eq(seal("signatures.name", Some(seed.name))),
                s::country.eq(seed.country),
                s::postcode.eq(seal("signatures.postcode", seed.postcode)),
                s::comment.eq(seal("signatures.comment", seed.comment)),
                s::consent_to_targets.eq(true),
                s::updates_opt_in.eq(seed.postcode.is_some()),
                s::language.eq("en"),
                s::signed_at.eq(seed.signed_at),
                s::confirmation_sent_at.eq(seed.signed_at),
                s::confirmed_at
                    .eq((seed.status == "confirmed").then(|| seed.signed_at + chrono::Duration::minutes(5))),
            ))
            .execute(&mut conn)
            .await
            .unwrap();
        id
    }
}

impl TestApp {
    /// A draft mailing of the shipped campaign, written by the standard organizer (added
    /// if missing), in English only.
    pub async fn add_mailing(&self, subject: &str, markdown: &str) -> uuid::Uuid {
        use rallypost::domain::Lang;
        use rallypost::mailings::{Draft, MailingText};
        let mut conn = self.pool.get().await.unwrap();
        let email = OrganizerEmail::parse(ORGANIZER).unwrap();
        let organizer = match organizers::find_by_email(&mut conn, &email).await.unwrap() {
            Some((organizer, _)) => organizer,
            None => {
                drop(conn);
                self.add_organizer(ORGANIZER, PASSWORD).await;
                conn = self.pool.get().await.unwrap();
                organizers::find_by_email(&mut conn, &email).await.unwrap().unwrap().0
            }
        };
        let texts = [(Lang::En, MailingText { subject: subject.into(), markdown: markdown.into() })].into();
        let draft = Draft::parse(texts, Lang::En, "", vec![]).unwrap();
        let campaign = self.campaign_id().await;
        let desk = rallypost::mailings::Desk::Lead;
        rallypost::mailings::create(&mut conn, campaign, organizer.id, &desk, &draft, Utc::now())
            .await
            .unwrap()
    }

    /// A reply from the first target, recorded as the replies page does; returns its id.
    pub async fn add_reply(&self) -> uuid::Uuid {
        let mut conn = self.pool.get().await.unwrap();
        let campaign = rallypost::campaigns::find_by_slug(&mut conn, SLUG).await.unwrap().unwrap();
        let summaries = [(rallypost::domain::Lang::En, "A reply.".to_owned())].into();
        let original = rallypost::replies::Original::parse("reply.txt", b"A reply.".to_vec());
        let target = campaign.file.targets[0].id.clone();
        let today = Utc::now().date_naive();
        let new = rallypost::replies::NewReply::parse(
            &campaign,
            &target,
            &today.to_string(),
            summaries,
            original,
            today,
        )
        .unwrap();
        rallypost::replies::record(&mut conn, &self.keys(), &campaign, uuid::Uuid::now_v7(), &new, Utc::now())
            .await
            .unwrap()
    }
}

fn shipped_campaign() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/campaigns/end-forced-returns.toml"))
        .unwrap()
}
