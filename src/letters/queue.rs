//! `individual` mode: one letter per confirmed, consenting signature and target, rendered
//! and queued now; the pacing decides when each one goes. A signer who asked not to be
//! named gets no letter of their own; every letter counts them instead.

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};

use super::mail::LetterContext;
use super::{render, supporters};
use crate::campaigns::Campaign;
use crate::outbox::{Kind, NewMessage};

/// Letters rendered per transaction.
const BATCH: i64 = 200;

/// Queues every missing letter of the campaign; returns how many were queued by this call.
/// Several workers may run this at once: the unique index on (signature, target) lets
/// exactly one insert of each letter succeed.
pub async fn queue_individual(
    conn: &mut AsyncPgConnection,
    campaign: &Campaign,
    ctx: &LetterContext,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let mut queued = 0;
    // Each letter says how many signed without being named, as of when it is written.
    let unnamed = supporters::unnamed_between(conn, campaign, None, now).await?;
    let endorsers = crate::endorsements::approved_names(conn, campaign.id).await?;
    for target in &campaign.file.targets {
        loop {
            let (found, inserted) = conn
                .transaction(async |conn| {
                    let missing =
                        supporters::without_letter(conn, &ctx.keys, campaign, target, BATCH).await?;
                    let mut inserted = 0;
                    for (signature_id, supporter) in &missing {
                        let id = crate::ids::new_id();
                        let rendered = render::individual(campaign, target, supporter, &unnamed, &endorsers)?;
                        let letter = NewMessage {
                            id,
                            kind: Kind::Letter,
                            campaign_id: Some(campaign.id),
                            signature_id: Some(*signature_id),
                            target_id: Some(target.id.clone()),
                            recipient: target.email.to_string(),
                            message: ctx.message(target, id, rendered)?,
                        };
                        inserted += crate::outbox::enqueue(conn, &ctx.keys, letter, now).await?;
                    }
                    Ok::<_, anyhow::Error>((missing.len(), inserted))
                })
                .await?;
            queued += inserted;
            if found < BATCH as usize {
                break;
            }
        }
    }
    Ok(queued)
}
