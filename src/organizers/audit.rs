//! The organizers' audit log: who did what to which account or campaign, and when. Written
//! by the use cases (sign-in, invitations, role changes, disabling, exports, API tokens,
//! webhook receivers),
//! in the same transaction as the change where there is one; read by owners' audit page.
//!
//! Organizers' addresses are staff data and appear here by design, as in the export log;
//! a failed sign-in is recorded only against an account that exists, so an address
//! someone mistyped (perhaps a supporter's) is never kept.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::Organizer;
use crate::db::schema::organizer_audit;
use crate::db::text_enum;

text_enum! {
    /// What was done.
    pub enum AuditAction {
        SignIn = "sign_in",
        SignInFailed = "sign_in_failed",
        /// An account made on the command line.
        Add = "add",
        Invite = "invite",
        InvitationAccepted = "invitation_accepted",
        RoleChange = "role_change",
        Disable = "disable",
        Enable = "enable",
        Remove = "remove",
        Export = "export",
        TokenCreated = "token_created",
        TokensRevoked = "tokens_revoked",
        PasswordSet = "password_set",
        /// A webhook receiver added in the dashboard; the subject is its id.
        WebhookAdd = "webhook_add",
        WebhookRemove = "webhook_remove",
        /// A delivery queued again by an owner; the detail names it.
        WebhookSendAgain = "webhook_send_again",
    }
}

/// Who did it: an organizer, or the system user who ran a command.
#[derive(Clone, Debug)]
pub struct Who {
    pub(super) id: Option<Uuid>,
    name: String,
}

impl Who {
    pub fn organizer(organizer: &Organizer) -> Who {
        Who { id: Some(organizer.id), name: organizer.email.clone() }
    }

    /// Code that runs as the installation itself, with no person to name (setup, tests).
    pub fn system() -> Who {
        Who { id: None, name: "rallypost".into() }
    }

    /// A command run on the server: it has no account, so the log names the system user.
    pub fn system_user(user: &str) -> Who {
        Who { id: None, name: format!("system user {user}") }
    }
}

/// One line of the log.
pub struct Entry<'a> {
    pub who: &'a Who,
    pub action: AuditAction,
    /// The organizer acted on (their address) or the campaign (its id).
    pub subject: Option<&'a str>,
    pub detail: &'a str,
}

#[derive(Insertable)]
#[diesel(table_name = organizer_audit)]
struct NewRow<'a> {
    id: Uuid,
    at: DateTime<Utc>,
    actor_id: Option<Uuid>,
    actor: &'a str,
    action: AuditAction,
    subject: Option<&'a str>,
    detail: &'a str,
}

impl<'a> Entry<'a> {
    fn row(&self, now: DateTime<Utc>) -> NewRow<'a> {
        NewRow {
            id: crate::ids::new_id(),
            at: now,
            actor_id: self.who.id,
            actor: &self.who.name,
            action: self.action,
            subject: self.subject,
            detail: self.detail,
        }
    }
}

pub async fn record(conn: &mut AsyncPgConnection, entry: Entry<'_>, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::insert_into(organizer_audit::table).values(entry.row(now)).execute(conn).await?;
    Ok(())
}

/// `record` on a blocking connection, for exports (which stream on one).
pub fn record_blocking(conn: &mut PgConnection, entry: Entry<'_>, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::RunQueryDsl::execute(diesel::insert_into(organizer_audit::table).values(entry.row(now)), conn)?;
    Ok(())
}

/// A line of the log as the audit page shows it.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = organizer_audit)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: AuditAction,
    pub subject: Option<String>,
    pub detail: String,
}

/// The latest `limit` entries, newest first.
pub async fn recent(conn: &mut AsyncPgConnection, limit: i64) -> QueryResult<Vec<AuditEntry>> {
    organizer_audit::table
        .order((organizer_audit::at.desc(), organizer_audit::id.desc()))
        .limit(limit)
        .select(AuditEntry::as_select())
        .load(conn)
        .await
}
