//! The targets' replies: an organizer records what a ministry answered (`record`), with the
//! date, a summary per language and the original letter (a PDF or a text file, kept in the
//! database: `original`). The campaign page shows each target's status from them (`status`),
//! the API lists them, and a reply can start a news mailing, prefilled with its summaries
//! for the organizer to edit (`mailing`).
//!
//! Recording one queues the `response.recorded` webhook in the same transaction.

mod list;
mod mailing;
mod original;
mod record;
mod status;

pub use list::{Reply, find, for_campaign, original_of};
pub use mailing::mailing_texts;
pub use original::{MAX_ORIGINAL_BYTES, Original, OriginalKind};
pub use record::{MAX_SUMMARY_CHARS, NewReply, ReplyError, record};
pub use status::{TargetStatus, statuses};
