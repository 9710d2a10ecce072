//! What a feature may plug into the sender besides its claim sources: the envelope sender
//! each message goes out with (`ReturnPath`), and what else happens when a receiving server
//! refuses a message for good (`Refusals`). `startup` hands them in; the outbox calls them
//! without knowing who answers.

use diesel_async::AsyncPgConnection;
use futures_util::future::BoxFuture;
use uuid::Uuid;

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
