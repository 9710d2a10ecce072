//! One row of each kind a protected route's path names, so the route walks (`roles.rs`,
//! `organizers.rs`) fill `{id}`, `{action}` and `{delivery}` the same way, and a route with
//! a new placeholder is taught here once.

use uuid::Uuid;

use super::TestApp;

pub struct RouteRows {
    mailing: Uuid,
    reply: Uuid,
    receiver: Uuid,
}

impl RouteRows {
    /// A news mailing, a recorded reply and the lead's webhook receiver.
    pub async fn seed(app: &TestApp) -> RouteRows {
        let mailing = app.add_mailing("News", "Dear {name},").await;
        let reply = app.add_reply().await;
        let mut conn = app.pool.get().await.unwrap();
        let url = rallypost::webhooks::ReceiverUrl::parse("https://crm.example/hooks").unwrap();
        let (lead, policy) = (rallypost::webhooks::Whose::Lead, app.settings.webhook_addresses);
        let keys = app.keys();
        let added = rallypost::webhooks::add(&mut conn, &keys, &lead, &url, policy, chrono::Utc::now());
        let receiver = added.await.unwrap().0.id;
        RouteRows { mailing, reply, receiver }
    }

    /// `template` (a `PROTECTED_ROUTES` path) on campaign `slug`, each `{id}` a row of the
    /// kind the route shows, so a GET finds what it asks for.
    pub fn path(&self, template: &str, slug: &str) -> String {
        let id = match template {
            p if p.contains("/replies/") => self.reply,
            p if p.starts_with("/admin/webhooks/") => self.receiver,
            _ => self.mailing,
        };
        template
            .replace("{slug}", slug)
            .replace("{id}", &id.to_string())
            .replace("{action}", "pause")
            .replace("{delivery}", &self.receiver.to_string())
    }
}
