//! Webhooks: signed HTTP posts to partners' systems and the lead organisation's, after the
//! Standard Webhooks specification (`secret.rs`), for the events in `events.rs`.
//!
//! Receivers are configured from the command line (`receivers.rs`). Deliveries are outbox
//! rows of kind `webhook`, written in the same transaction as the confirmation or
//! withdrawal that causes them, so a webhook is never lost nor sent for a change that
//! rolled back; the deliverer (`deliver.rs`) claims them with the outbox's claim rule and
//! lease, as the mail sender does, and posts them at least once.
//!
//! Not here: what a supporter agreed to (signatures decide and pass it in), what an
//! approved endorsement or a recorded reply says (their features pass it in), and the mail
//! sender, which never claims webhook rows.

mod deliver;
mod events;
mod receivers;
mod secret;

pub use deliver::{Deliverer, GIVE_UP_AFTER, TIMEOUT, backoff};
pub use events::{
    ApprovedEndorsement, ConfirmedSignature, EventType, RecordedReply, endorsement_approved,
    response_recorded, signature_confirmed, signature_withdrawn,
};
pub use receivers::{Receiver, ReceiverUrl, Whose, add, list, remove, rotate_secrets};
pub use secret::SigningSecret;
