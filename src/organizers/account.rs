//! Organizer accounts: one row per organizer, found by email.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::Password;
use super::audit::{self, AuditAction, Entry, Who};
use super::grant::{Grant, set_grant};
use super::scope::Role;
use crate::db::schema::{organizer_sessions, organizers};

/// An organizer's address, trimmed and lower-cased so that sign-in ignores case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrganizerEmail(String);

impl OrganizerEmail {
    pub fn parse(raw: &str) -> Result<OrganizerEmail, String> {
        let email = raw.trim().to_lowercase();
        if email.len() > 254 || lettre::Address::from_str(&email).is_err() {
            return Err("not a valid email address".into());
        }
        Ok(OrganizerEmail(email))
    }
}

impl AsRef<str> for OrganizerEmail {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Who is signed in or holds a token. The email is shown to the organizer and written
/// into the export log; it is staff data, not a supporter's.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = organizers)]
pub struct Organizer {
    pub id: Uuid,
    pub email: String,
}

/// Creates the organizer (an owner), or sets a new password for an existing one. Returns
/// true when the account is new.
pub async fn add_or_update(
    conn: &mut AsyncPgConnection,
    email: &OrganizerEmail,
    password: Password,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    add_with_grant(conn, &Who::system(), email, password, None, now).await
}

/// Creates the organizer, or sets a new password for an existing one, and gives them
/// `grant` when there is one (a new account without one is an owner, as the first
/// organizer of an installation must be; an existing one keeps its role). A disabled
/// account given a new password is enabled again. Returns true when the account is new.
///
/// A new password ends every session and API token the organizer had: a password is
/// usually changed because the old one may be known to someone else, who may also have
/// opened a session or made a token with it. (Their known browsers' device cookies end
/// too, since those are bound to the password hash: see `device`.)
pub async fn add_with_grant(
    conn: &mut AsyncPgConnection,
    who: &Who,
    email: &OrganizerEmail,
    password: Password,
    grant: Option<&Grant>,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let hash = tokio::task::spawn_blocking(move || password.hash()).await??;
    let created = conn
        .transaction(async |conn| {
            let (id, created) = match find_by_email(conn, email).await? {
                Some((organizer, _)) => {
                    diesel::update(organizers::table.find(organizer.id))
                        .set((
                            organizers::password_hash.eq(&hash),
                            organizers::disabled_at.eq(None::<DateTime<Utc>>),
                        ))
                        .execute(conn)
                        .await?;
                    end_access(conn, organizer.id).await?;
                    (organizer.id, false)
                }
                None => (insert(conn, email, &hash, now).await?, true),
            };
            let action = if created { AuditAction::Add } else { AuditAction::PasswordSet };
            let subject = Some(email.as_ref());
            let role =
                grant.map_or_else(|| if created { "owner".into() } else { String::new() }, Grant::describe);
            audit::record(conn, Entry { who, action, subject, detail: &role }, now).await?;
            if let Some(grant) = grant {
                set_grant(conn, id, grant).await?;
                if !created {
                    let entry = Entry { who, action: AuditAction::RoleChange, subject, detail: &role };
                    audit::record(conn, entry, now).await?;
                }
            }
            QueryResult::Ok(created)
        })
        .await?;
    Ok(created)
}

/// A new account, an owner until a grant says otherwise; returns its id.
pub(super) async fn insert(
    conn: &mut AsyncPgConnection,
    email: &OrganizerEmail,
    password_hash: &str,
    now: DateTime<Utc>,
) -> QueryResult<Uuid> {
    let id = crate::ids::new_id();
    diesel::insert_into(organizers::table)
        .values((
            organizers::id.eq(id),
            organizers::email.eq(email.as_ref()),
            organizers::password_hash.eq(password_hash),
            organizers::created_at.eq(now),
            organizers::role.eq(Role::Owner),
        ))
        .execute(conn)
        .await?;
    Ok(id)
}

/// Removes the organizer; their sessions and tokens go with them (`on delete cascade`),
/// and the export log keeps who they were by name. False when there was no such organizer.
pub async fn remove(conn: &mut AsyncPgConnection, email: &OrganizerEmail) -> QueryResult<bool> {
    let removed =
        diesel::delete(organizers::table.filter(organizers::email.eq(email.as_ref()))).execute(conn).await?;
    Ok(removed > 0)
}

/// Ends every session and API token of the organizer.
pub(super) async fn end_access(conn: &mut AsyncPgConnection, organizer_id: Uuid) -> QueryResult<()> {
    diesel::delete(organizer_sessions::table.filter(organizer_sessions::organizer_id.eq(organizer_id)))
        .execute(conn)
        .await?;
    super::token::revoke_tokens(conn, organizer_id).await?;
    Ok(())
}

/// The organizer and their password hash, if the account may sign in (not disabled).
pub async fn find_enabled_by_email(
    conn: &mut AsyncPgConnection,
    email: &OrganizerEmail,
) -> QueryResult<Option<(Organizer, String)>> {
    organizers::table
        .filter(organizers::email.eq(email.as_ref()))
        .filter(organizers::disabled_at.is_null())
        .select((Organizer::as_select(), organizers::password_hash))
        .first(conn)
        .await
        .optional()
}

/// The organizer and their password hash.
pub async fn find_by_email(
    conn: &mut AsyncPgConnection,
    email: &OrganizerEmail,
) -> QueryResult<Option<(Organizer, String)>> {
    organizers::table
        .filter(organizers::email.eq(email.as_ref()))
        .select((Organizer::as_select(), organizers::password_hash))
        .first(conn)
        .await
        .optional()
}
