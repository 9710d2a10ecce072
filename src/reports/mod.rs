//! Aggregates for the organizers' dashboard and the API: totals by status, signatures per
//! day, counts by country, the outbox's letters. All computed in SQL, each served by an
//! index (see the organizers migration), so they stay fast with millions of signatures.

mod chart;
mod queries;

pub use chart::{Bar, Chart};
pub use queries::{
    DayCount, MailRow, StatusTotals, TargetLetters, by_country, by_day, letters_by_target, supporter_mail,
    totals, totals_by_campaign,
};
