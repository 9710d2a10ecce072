//! Letters to the campaign's targets: rendering them in the target's language, queueing
//! them into the outbox (one per signature and target in `individual` mode, one per target
//! and period in `digest` mode), and pacing their delivery. Delivery itself is the outbox's.

mod digest;
mod pacing;
mod queue;
pub mod render;
mod scheduler;
mod window;

pub use pacing::PacedLetters;
pub use render::{LetterContext, Supporter};
pub use scheduler::{Plan, Scheduler, TargetPlan};
pub use window::SendingWindow;
