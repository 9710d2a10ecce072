//! Organizers: their accounts (Argon2id passwords), admin sessions, API tokens, the
//! throttle that slows down password guessing, and the browsers it exempts (`device`). Handlers live in `web::admin` and `web::api`.

mod account;
mod device;
mod login;
mod password;
mod session;
mod throttle;
mod token;

pub use account::{Organizer, OrganizerEmail, add_or_update, find_by_email, remove};
pub use device::{DEVICE_LIFETIME, Devices};
pub use login::{Attempt, LoginError, SignedIn, log_in};
pub use password::{Password, PasswordError};
pub use session::{SESSION_LIFETIME, Session, end_session, find_session};
pub use throttle::forget_idle as forget_idle_login_failures;
pub use token::{
    DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, TokenInfo, find_by_token, issue_token, issue_token_for_days,
    revoke_tokens, tokens_of,
};
