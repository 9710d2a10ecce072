//! Aggregates for the organizers' dashboard: totals by status, signatures per day and
//! confirmed counts by country from a per-day table refreshed on read (`daily`: why and
//! how), signatures by partner and by source kept the same way (`sources`), and the
//! outbox's letters and undelivered mail (`queries`), each served by an index. The
//! confirmed count on the public pages is a sum over the same table (`count`).

mod chart;
mod count;
mod daily;
mod queries;
mod sources;

pub use chart::{Bar, Chart};
pub use count::CountCache;
pub use daily::{DayConversion, DayCount, SignatureCounts, refresh, signature_counts, status_totals};
pub use queries::{MailRow, StatusTotals, TargetLetters, letters_by_target, supporter_mail};
pub use sources::{ReferralCounts, ReferralLine, partner_opted_in, referral_counts};
