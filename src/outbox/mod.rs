//! The durable outbox: every email is a row in PostgreSQL, written in the same transaction
//! as the change that caused it, and delivered later by the sender. A row is marked sent
//! only after the server accepted the message.

mod message;
mod recorder;
mod sender;
pub mod smtp;
mod store;
mod transport;

pub use message::{Email, build_message, text_and_html};
pub use sender::Sender;
pub use store::{
    Kind, NewMessage, OutboxRow, cancel_for_signature, enqueue, enqueue_many, ids_for_signature,
    redact_letters_for_signature, status_counts,
};
pub use transport::Transport;
