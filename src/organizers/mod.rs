//! Organizers: their accounts (Argon2id passwords), admin sessions, API tokens, and the
//! throttle that slows down password guessing. Handlers live in `web::admin` and `web::api`.

mod account;
mod login;
mod password;
mod session;
mod throttle;
mod token;

pub use account::{Organizer, OrganizerEmail, add_or_update, find_by_email};
pub use login::{LoginError, log_in};
pub use password::{Password, PasswordError};
pub use session::{SESSION_LIFETIME, Session, end_session, find_session};
pub use throttle::forget_idle as forget_idle_login_failures;
pub use token::{find_by_token, issue_token};
