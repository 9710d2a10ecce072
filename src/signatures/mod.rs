//! Signatures: signing, confirming, reminding and withdrawing, each one
//! transaction that also writes the email it causes into the outbox.

mod confirm;
mod emails;
mod intake;
mod remind;
mod retention;
mod rotate;
mod sign;
mod status;
mod surge;
mod undeliverable;

pub use confirm::{ConfirmOutcome, WithdrawOutcome, confirm, withdraw};
pub use emails::MailContext;
pub use intake::SignIntake;
pub use remind::{REMINDER_GAP, ReminderPolicy, queue_reminders};
pub use retention::{UNCONFIRMED_KEPT_FOR, purge_unconfirmed};
pub use rotate::{Batches, rotate_keys, seal_plain_rows};
pub use sign::{NewSignature, Prepared, SignContext, SignOutcome, prepare, sign};
pub use status::SignatureStatus;
pub use surge::{SourceKind, SurgeMonitor};
pub use undeliverable::{email_key, mark_undeliverable};
