//! What owners do to other organizers' accounts on the web: invite, change role and scope,
//! disable and enable; and what an invited person does with their link. Each use case runs
//! in one transaction with its audit entry (and, for an invitation, its email in the
//! outbox).
//!
//! An invitation makes the account at once, with the role the owner chose and no password
//! that can ever match, so it shows in the list; its link (a 256-bit secret, only the
//! SHA-256 kept) sets the password once, within 72 hours.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::account::{end_access, find_by_email, insert};
use super::audit::{self, AuditAction, Entry, Who};
use super::grant::{Grant, set_grant};
use super::invitation::InvitationMail;
use super::scope::Role;
use super::{Organizer, OrganizerEmail, Password};
use crate::crypto::secret;
use crate::db::schema::{organizer_campaigns, organizer_invitations, organizers};

/// How long an invitation link works.
pub const INVITATION_LIFETIME: Duration = Duration::hours(72);

/// No Argon2 hash looks like this, so no password matches it until the invitation sets one.
const NO_PASSWORD_YET: &str = "!invited";

#[derive(Debug, thiserror::Error)]
pub enum ManageError {
    #[error("there is already an organizer with that address")]
    Exists,
    #[error("no such organizer")]
    NotFound,
    #[error("you cannot disable or demote your own account; ask another owner")]
    Yourself,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<diesel::result::Error> for ManageError {
    fn from(e: diesel::result::Error) -> Self {
        ManageError::Unexpected(e.into())
    }
}

/// Makes the account and its single-use link, and queues the invitation email in the same
/// transaction. Returns the new organizer's id.
pub async fn invite(
    conn: &mut AsyncPgConnection,
    who: &Who,
    email: &OrganizerEmail,
    grant: &Grant,
    mail: &InvitationMail<'_>,
    now: DateTime<Utc>,
) -> Result<Uuid, ManageError> {
    conn.transaction(async |conn| {
        if find_by_email(conn, email).await?.is_some() {
            return Err(ManageError::Exists);
        }
        let id = insert(conn, email, NO_PASSWORD_YET, now).await?;
        set_grant(conn, id, grant).await?;
        let token = secret::generate();
        diesel::insert_into(organizer_invitations::table)
            .values((
                organizer_invitations::token_hash.eq(secret::digest(&token)),
                organizer_invitations::organizer_id.eq(id),
                organizer_invitations::created_at.eq(now),
                organizer_invitations::expires_at.eq(now + INVITATION_LIFETIME),
            ))
            .execute(conn)
            .await?;
        let detail = grant.describe();
        let entry =
            Entry { who, action: AuditAction::Invite, subject: Some(email.as_ref()), detail: &detail };
        audit::record(conn, entry, now).await?;
        let message = mail.render(email, grant.role(), &token)?;
        crate::outbox::enqueue(conn, mail.keys, message, now).await?;
        Ok(id)
    })
    .await
}

#[derive(Debug, thiserror::Error)]
pub enum InvitationError {
    /// Unknown, used or expired: one answer for all three.
    #[error("this invitation link is not valid any more; ask the person who invited you for a new one")]
    Invalid,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<diesel::result::Error> for InvitationError {
    fn from(e: diesel::result::Error) -> Self {
        InvitationError::Unexpected(e.into())
    }
}

/// The invited organizer, if the link is one that still works.
pub async fn open_invitation(
    conn: &mut AsyncPgConnection,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Organizer, InvitationError> {
    if !secret::is_well_formed(token) {
        return Err(InvitationError::Invalid);
    }
    organizer_invitations::table
        .inner_join(organizers::table)
        .filter(organizer_invitations::token_hash.eq(secret::digest(token)))
        .filter(organizer_invitations::used_at.is_null())
        .filter(organizer_invitations::expires_at.gt(now))
        .filter(organizers::disabled_at.is_null())
        .select(Organizer::as_select())
        .first(conn)
        .await
        .optional()
        .map_err(anyhow::Error::from)?
        .ok_or(InvitationError::Invalid)
}

/// Sets the invited organizer's password and spends the link.
pub async fn accept_invitation(
    conn: &mut AsyncPgConnection,
    token: &str,
    password: Password,
    now: DateTime<Utc>,
) -> Result<Organizer, InvitationError> {
    let hash = tokio::task::spawn_blocking(move || password.hash()).await.map_err(anyhow::Error::from)??;
    conn.transaction(async |conn| {
        let organizer = open_invitation(conn, token, now).await?;
        // Spent first, conditionally: of two submissions at once, only one sets a password.
        let spent = diesel::update(organizer_invitations::table.find(secret::digest(token)))
            .filter(organizer_invitations::used_at.is_null())
            .set(organizer_invitations::used_at.eq(now))
            .execute(conn)
            .await
            .map_err(anyhow::Error::from)?;
        if spent == 0 {
            return Err(InvitationError::Invalid);
        }
        diesel::update(organizers::table.find(organizer.id))
            .set(organizers::password_hash.eq(&hash))
            .execute(conn)
            .await
            .map_err(anyhow::Error::from)?;
        let who = Who::organizer(&organizer);
        let entry = Entry { who: &who, action: AuditAction::InvitationAccepted, subject: None, detail: "" };
        audit::record(conn, entry, now).await.map_err(anyhow::Error::from)?;
        Ok(organizer)
    })
    .await
}

/// Gives another organizer a new role and scope; it applies from their next request.
pub async fn change_grant(
    conn: &mut AsyncPgConnection,
    who: &Who,
    organizer_id: Uuid,
    grant: &Grant,
    now: DateTime<Utc>,
) -> Result<(), ManageError> {
    if who.id == Some(organizer_id) && grant.role() != Role::Owner {
        return Err(ManageError::Yourself);
    }
    conn.transaction(async |conn| {
        let email = email_of(conn, organizer_id).await?;
        set_grant(conn, organizer_id, grant).await?;
        let detail = grant.describe();
        let entry = Entry { who, action: AuditAction::RoleChange, subject: Some(&email), detail: &detail };
        audit::record(conn, entry, now).await?;
        Ok(())
    })
    .await
}

/// Disables another organizer's account, ending their sessions and tokens at once; or
/// enables it again.
pub async fn set_disabled(
    conn: &mut AsyncPgConnection,
    who: &Who,
    organizer_id: Uuid,
    disabled: bool,
    now: DateTime<Utc>,
) -> Result<(), ManageError> {
    if who.id == Some(organizer_id) {
        return Err(ManageError::Yourself);
    }
    conn.transaction(async |conn| {
        let email = email_of(conn, organizer_id).await?;
        diesel::update(organizers::table.find(organizer_id))
            .set(organizers::disabled_at.eq(disabled.then_some(now)))
            .execute(conn)
            .await?;
        let action = if disabled {
            end_access(conn, organizer_id).await?;
            AuditAction::Disable
        } else {
            AuditAction::Enable
        };
        audit::record(conn, Entry { who, action, subject: Some(&email), detail: "" }, now).await?;
        Ok(())
    })
    .await
}

/// Removes the account (`organizer remove`): their sessions and tokens go with it.
pub async fn remove_account(
    conn: &mut AsyncPgConnection,
    who: &Who,
    email: &OrganizerEmail,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    conn.transaction(async |conn| {
        let removed = super::account::remove(conn, email).await?;
        if removed {
            let entry = Entry { who, action: AuditAction::Remove, subject: Some(email.as_ref()), detail: "" };
            audit::record(conn, entry, now).await?;
        }
        Ok(removed)
    })
    .await
}

/// Ends every API token of the organizer (`organizer token revoke`); returns how many.
pub async fn revoke_all_tokens(
    conn: &mut AsyncPgConnection,
    who: &Who,
    organizer: &Organizer,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    conn.transaction(async |conn| {
        let revoked = super::token::revoke_tokens(conn, organizer.id).await?;
        let detail = format!("{revoked} tokens");
        let entry = Entry {
            who,
            action: AuditAction::TokensRevoked,
            subject: Some(&organizer.email),
            detail: &detail,
        };
        audit::record(conn, entry, now).await?;
        Ok(revoked)
    })
    .await
}

/// A new API token for the organizer (`organizer token`), valid for `days`; it carries
/// their scope.
pub async fn new_token(
    conn: &mut AsyncPgConnection,
    who: &Who,
    organizer: &Organizer,
    days: u32,
    now: DateTime<Utc>,
) -> QueryResult<String> {
    conn.transaction(async |conn| {
        let token = super::token::issue_token_for_days(conn, organizer, days, now).await?;
        let detail = format!("valid {days} days");
        let entry = Entry {
            who,
            action: AuditAction::TokenCreated,
            subject: Some(&organizer.email),
            detail: &detail,
        };
        audit::record(conn, entry, now).await?;
        Ok(token)
    })
    .await
}

async fn email_of(conn: &mut AsyncPgConnection, organizer_id: Uuid) -> Result<String, ManageError> {
    organizers::table
        .find(organizer_id)
        .select(organizers::email)
        .first(conn)
        .await
        .optional()?
        .ok_or(ManageError::NotFound)
}

/// An account as the organizers page lists it.
pub struct AccountLine {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub partner: Option<String>,
    pub campaigns: Vec<Uuid>,
    pub disabled: bool,
    /// Invited, and the password not set yet.
    pub invited: bool,
}

/// Every account, by address.
pub async fn accounts(conn: &mut AsyncPgConnection) -> QueryResult<Vec<AccountLine>> {
    type Row = (Uuid, String, Role, Option<String>, Option<DateTime<Utc>>, String);
    let rows: Vec<Row> = organizers::table
        .order(organizers::email)
        .select((
            organizers::id,
            organizers::email,
            organizers::role,
            organizers::partner_id,
            organizers::disabled_at,
            organizers::password_hash,
        ))
        .load(conn)
        .await?;
    let bound: Vec<(Uuid, Uuid)> = organizer_campaigns::table
        .select((organizer_campaigns::organizer_id, organizer_campaigns::campaign_id))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, email, role, partner, disabled_at, hash)| AccountLine {
            campaigns: bound.iter().filter(|(o, _)| *o == id).map(|(_, c)| *c).collect(),
            id,
            email,
            role,
            partner,
            disabled: disabled_at.is_some(),
            invited: hash == NO_PASSWORD_YET,
        })
        .collect())
}
