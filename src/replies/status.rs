//! Where each target stands, for the campaign page: replied (on what date, with the latest
//! reply's summary), or awaiting a reply since the first letter it was sent.

use chrono::NaiveDate;
use diesel_async::AsyncPgConnection;

use super::list::{Reply, for_campaign};
use crate::campaigns::Campaign;

pub struct TargetStatus {
    pub target_id: String,
    /// The target as the campaign file names it (its organisation).
    pub target_name: String,
    /// Its latest reply, if it sent one.
    pub latest: Option<Reply>,
    /// The day its first letter went, if one did.
    pub awaiting_since: Option<NaiveDate>,
}

/// Every target of the campaign, in the campaign file's order. Its two reads go out
/// together on the connection (pipelined), so the page waits for one round trip, not two.
pub async fn statuses(conn: &AsyncPgConnection, campaign: &Campaign) -> anyhow::Result<Vec<TargetStatus>> {
    let (replies, first_letters) =
        futures_util::try_join!(for_campaign(conn, campaign.id), crate::letters::first_sent(conn, campaign))?;
    Ok(campaign
        .file
        .targets
        .iter()
        .map(|t| TargetStatus {
            target_id: t.id.clone(),
            target_name: t.organisation.clone(),
            // Oldest first: the last one for this target is its latest.
            latest: replies.iter().rev().find(|r| r.target_id == t.id).cloned(),
            awaiting_since: first_letters.get(&t.id).map(|at| at.date_naive()),
        })
        .collect())
}
