//! News mailings from a campaign's organizers to its supporters who asked for news, from
//! the lead organisation or from one partner (to those who opted in to that partner):
//! the organizer's words parsed (`draft`) and rendered from Markdown (`markdown`), the
//! mailings and their status (`store`), who gets one (`audience`), each supporter's message
//! with its RFC 8058 one-click unsubscribe (`message`, `token`), the worker that queues
//! them into the outbox in batches, at most once per supporter (`fill`), their writing as
//! the sender sends them (`compose`), and unsubscribing
//! (`unsubscribe`). Delivery is the outbox's; the suppression list is `crate::suppressions`.
//! Handlers live in `web::admin::mailings` and `web::public`.

mod audience;
mod compose;
mod draft;
mod fill;
mod markdown;
mod message;
mod store;
mod test_send;
mod token;
mod unsubscribe;

pub use audience::count as audience_count;
pub use compose::MailingComposer;
pub use draft::{Draft, DraftError, MAX_BYTES, MailingText};
pub use fill::Mailer;
pub use message::{MailingContext, Prepared, prepare, version_for};
pub use store::{
    Action, ActionError, Desk, Mailing, MailingStatus, Progress, act, create, find, list, outbox_ids,
    progress,
};
pub use test_send::send_test;
pub use token::UnsubscribeKey;
pub use unsubscribe::{NewsFrom, UnsubscribeOutcome, stops, unsubscribe};
