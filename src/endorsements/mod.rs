//! Organisations that endorse a campaign's call: an organisation asks on the public form
//! (`submit`), confirms by the link sent to its contact address (`confirm`), and an
//! organizer approves or rejects it (`decide`). Approved endorsements are public: listed on
//! the campaign page, in letters and digests, in the API and in their own CSV export
//! (`list`). They are never signatures and never counted as such.
//!
//! The contact address is personal data: encrypted at rest like a supporter's, and erased
//! when an endorsement is rejected or withdrawn. The organisation's name, website and
//! country are what it asks to have published, and are stored in the clear.
//!
//! Not here: the pages and the export's CSV dialect (`web`), delivering the email and the
//! webhook (the outbox and `webhooks`, which get rows of their kinds).

mod decide;
mod emails;
mod export;
mod list;
mod status;
mod submit;

pub use decide::{DecideError, Decision, decide};
pub use emails::EndorseMail;
pub use export::{HEADER as CSV_HEADER, to_csv};
pub use list::{Endorsement, Endorser, all_for_campaign, approved, approved_names};
pub use status::EndorsementStatus;
pub use submit::{ConfirmOutcome, NewEndorsement, confirm, submit};
