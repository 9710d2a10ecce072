//! Webhooks: signed HTTP posts to partners' systems and the lead organisation's, after the
//! Standard Webhooks specification (`secret.rs`), for the events in `events.rs`.
//!
//! Receivers are configured from the command line (`receivers.rs`) and by owners in the
//! dashboard (`manage.rs`, audited); they reach public addresses only unless the operator
//! allows private ones (`address.rs`, against server-side request forgery). Deliveries
//! are outbox rows of kind `webhook`, written in the same transaction as the confirmation or
//! withdrawal that causes them, so a webhook is never lost nor sent for a change that
//! rolled back; the deliverer (`deliver.rs`) claims them with the outbox's claim rule and
//! lease, as the mail sender does, and posts them at least once. Each receiver's delivery
//! log, and sending a delivery again with its webhook-id, are `log.rs`.
//!
//! Not here: what a supporter agreed to (signatures decide and pass it in), what an
//! approved endorsement or a recorded reply says (their features pass it in), and the mail
//! sender, which never claims webhook rows.

mod address;
mod deliver;
mod events;
mod log;
mod manage;
mod receivers;
mod secret;

pub use address::{AddressPolicy, PublicOnly, Refused, Reserved, reserved};
pub use deliver::{Deliverer, GIVE_UP_AFTER, TIMEOUT, backoff};
pub use events::{
    ApprovedEndorsement, ConfirmedSignature, EventType, RecordedReply, endorsement_approved,
    response_recorded, signature_confirmed, signature_withdrawn,
};
pub use log::{Delivery, SEND_AGAIN_FOR, deliveries, erase_old_bodies, send_again};
pub use manage::{NewReceiver, add_by, remove_by};
pub use receivers::{AddError, Receiver, ReceiverUrl, Whose, add, find, list, remove, rotate_secrets};
pub use secret::SigningSecret;
