//! The durable outbox: every email is a row in PostgreSQL, written in the same transaction
//! as the change that caused it, and delivered later by the sender. A row is marked sent
//! only after the server accepted the message.
//!
//! The outbox knows no feature: features write rows of their `Kind`, and choose which rows
//! go when through the claim sources `startup` gives the sender (`claim.rs`).
//!
//! A feature that delivers by other means than SMTP (webhooks, over HTTP) keeps its rows
//! here too, as a kind of its own: it claims them with a claim source of its own in the
//! same way, and records what became of them with `mark_sent`, `mark_retry` and
//! `mark_failed`, so the queue, the lease and the erasure rules stay in one place.

mod batch_size;
mod claim;
mod history;
mod hooks;
mod message;
mod recorder;
mod sender;
pub mod smtp;
mod status;
mod store;
mod transport;
mod wake;

pub use claim::{Claim, ClaimSource, DueRows, claimable, lease};
pub use history::{RowState, erase_done_before, queue_again, recent_for_target};
pub use hooks::{Composed, Composer, FixedReturnPath, Refusals, ReturnPath};
pub use message::{Attachment, Email, build_message, build_message_with_headers};
pub use sender::Sender;
pub use status::{Kind, OutboxStatus};
pub use store::{
    DueKind, NewMessage, Origin, OutboxRow, Unwritten, cancel_for_signature, cancel_for_target,
    counts_by_target, due_sample, enqueue, enqueue_many, enqueue_unwritten, erase_bodies, first_letters_sent,
    ids_for_signature, mark_failed, mark_retry, mark_sent, origin, redact_for_signature, release,
    status_counts, targets_for_signature,
};
pub use transport::Transport;
pub use wake::{announce, listen};
