//! Organizers: their accounts (Argon2id passwords), roles and what each may see (`scope`,
//! `grant`), admin sessions, API tokens, the throttle that slows down password guessing,
//! and the browsers it exempts (`device`); what owners do to accounts on the web
//! (`manage`, `invitation`) and the audit log of it all (`audit`). Handlers live in `web::admin` and `web::api`.

mod account;
mod audit;
mod device;
mod grant;
mod invitation;
mod login;
mod manage;
mod password;
mod scope;
mod session;
mod throttle;
mod token;

pub use account::{Organizer, OrganizerEmail, add_or_update, add_with_grant, find_by_email, remove};
pub use audit::{
    AuditAction, AuditEntry, Entry as AuditLine, Who, recent as recent_audit, record as audit,
    record_blocking as audit_blocking,
};
pub use device::{DEVICE_LIFETIME, Devices};
pub use grant::{Grant, GrantError, set_grant};
pub use invitation::InvitationMail;
pub use login::{Attempt, LoginError, SignedIn, log_in};
pub use manage::{
    AccountLine, INVITATION_LIFETIME, InvitationError, ManageError, accept_invitation, accounts,
    change_grant, invite, new_token, open_invitation, remove_account, revoke_all_tokens, set_disabled,
};
pub use password::{Password, PasswordError};
pub use scope::{Access, Denied, Need, Role, Supporters, access_of};
pub use session::{SESSION_LIFETIME, Session, end_session, find_session};
pub use throttle::forget_idle as forget_idle_login_failures;
pub use token::{
    DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, TokenInfo, find_by_token, issue_token, issue_token_for_days,
    revoke_tokens, tokens_of,
};
