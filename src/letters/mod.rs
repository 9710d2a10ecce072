//! Letters to the campaign's targets: reading the supporters a letter may name
//! (`supporters`), rendering in the target's language (`render`), making the message
//! (`mail`), queueing into the outbox (one per signature and target in `individual` mode,
//! one per target and period in `digest` mode), and pacing delivery: `PacedLetters` is the
//! claim source `startup` gives the outbox sender. Delivery itself is the outbox's. Their
//! copies are erased 90 days after the campaign closed (`retention`).

mod digest;
mod mail;
mod pacing;
mod queue;
pub mod render;
mod retention;
mod scheduler;
mod supporters;
mod window;

pub use mail::LetterContext;
pub use pacing::PacedLetters;
pub use retention::{KEPT_AFTER_CLOSING, erase_after_closing};
pub use scheduler::{Plan, Scheduler, TargetPlan};
pub use supporters::{Supporter, Unnamed};
pub use window::SendingWindow;

/// When the first letter or digest went to each of a campaign's targets, by target id: the
/// day a target's reply has been awaited since.
pub async fn first_sent(
    conn: &diesel_async::AsyncPgConnection,
    campaign: &crate::campaigns::Campaign,
) -> diesel::QueryResult<std::collections::HashMap<String, chrono::DateTime<chrono::Utc>>> {
    let targets: Vec<String> = campaign.file.targets.iter().map(|t| t.id.clone()).collect();
    Ok(crate::outbox::first_letters_sent(conn, campaign.id, &targets).await?.into_iter().collect())
}
