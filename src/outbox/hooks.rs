//! What a feature may plug into the sender besides its claim sources: the envelope sender
//! each message goes out with (`ReturnPath`), what else happens when a receiving server
//! refuses a message for good (`Refusals`), and how the messages of a kind queued unwritten
//! are written at send time (`Composer`). `startup` hands them in; the outbox calls them
//! without knowing who answers.

use std::collections::HashMap;

use diesel_async::AsyncPgConnection;
use futures_util::future::BoxFuture;
use uuid::Uuid;

use super::status::Kind;

/// Chooses the envelope sender (SMTP `MAIL FROM`, the `Return-Path` a receiver records) for
/// each message: where the bounces for it are sent.
pub trait ReturnPath: Send + Sync {
    /// The envelope sender for outbox row `id`.
    fn for_message(&self, id: Uuid) -> lettre::Address;
}

/// One envelope sender for every message.
pub struct FixedReturnPath(pub lettre::Address);

impl ReturnPath for FixedReturnPath {
    fn for_message(&self, _id: Uuid) -> lettre::Address {
        self.0.clone()
    }
}

/// Told about every message a receiving server refused for good (a `5xx` reply).
pub trait Refusals: Send + Sync {
    /// Runs in the transaction that marks row `id` failed, inside a savepoint of its own:
    /// an error here is logged and undone, and the row is marked failed all the same.
    fn refused<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        id: Uuid,
        reply: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<()>>;
}

/// A message written at send time: where it goes and its bytes, as the transport takes them.
pub struct Composed {
    pub recipient: String,
    pub message: Vec<u8>,
}

/// Writes the messages of one kind that were queued without their recipient and message
/// (`store::enqueue_unwritten`), when a lane is about to send them. A feature whose
/// messages are many and alike (a mailing) queues a small row per message this way instead
/// of each rendered, encrypted message: the outbox then holds nothing about the reader
/// until the moment it goes, and PostgreSQL writes a few dozen bytes per row, not 3 kB
/// twice (at queueing and again at the lease).
pub trait Composer: Send + Sync {
    /// The kind of rows this composer writes.
    fn kind(&self) -> Kind;

    /// The messages of the leased rows `ids`, by row id. A row left out has nothing to send
    /// any more (its supporter withdrew, say) and is marked failed; an error is a passing
    /// fault, and every row is tried again later.
    fn compose<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        ids: &'a [Uuid],
    ) -> BoxFuture<'a, anyhow::Result<HashMap<Uuid, Composed>>>;
}
