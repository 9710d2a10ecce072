//! Bounces: mail that came back. Every message goes out with a return path of its own
//! (VERP, `verp.rs`); the workers read the bounce mailbox over IMAP (`mailbox.rs`), parse
//! what they find (`parse.rs`) and record it (`store.rs`): a hard bounce, or three soft
//! ones in 14 days, suppresses a supporter's address and marks it undeliverable; a letter
//! to a target that bounced shows on the dashboard. A server's `5xx` refusal at send time
//! counts as a hard bounce too, through the hook the outbox sender is given (`reader.rs`).
//!
//! Its own module because it plugs into the outbox from outside (the outbox knows no
//! feature), and writes to the suppression list and signatures only through their
//! functions.

mod mailbox;
mod parse;
mod reader;
mod store;
mod verp;

pub use mailbox::{Handled, MailboxUrl, Pass};
pub use parse::{Report, Severity, mask, read};
pub use reader::{Reader, SmtpRefusals};
pub use store::{
    Bounce, LetterBounce, Recorded, SOFT_LIMIT, SOFT_WINDOW, bounced_in_mailing, bounced_letters, record,
};
pub use verp::ReturnPaths;
