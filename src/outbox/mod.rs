//! The durable outbox: every email is a row in PostgreSQL, written in the same transaction
//! as the change that caused it, and delivered later by the sender. A row is marked sent
//! only after the server accepted the message.
//!
//! The outbox knows no feature: features write rows of their `Kind`, and choose which rows
//! go when through the claim sources `startup` gives the sender (`claim.rs`).

mod claim;
mod message;
mod recorder;
mod sender;
pub mod smtp;
mod status;
mod store;
mod transport;

pub use claim::{Claim, ClaimSource, DueRows, claimable, lease};
pub use message::{Attachment, Email, build_message, build_message_with_headers};
pub use sender::Sender;
pub use status::{Kind, OutboxStatus};
pub use store::{
    DueKind, NewMessage, OutboxRow, cancel_for_signature, due_sample, enqueue, enqueue_many,
    ids_for_signature, redact_for_signature, status_counts,
};
pub use transport::Transport;
