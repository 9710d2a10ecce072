//! `individual` mode: one letter per confirmed, consenting signature and target, rendered
//! and queued now; the pacing decides when each one goes.

use chrono::{DateTime, Utc};
use diesel::dsl::{exists, not};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::render::{self, LetterContext, Supporter, SupporterRow};
use crate::campaigns::{Campaign, Target};
use crate::crypto::DataKeys;
use crate::db::schema::{outbox, signatures};
use crate::outbox::{Kind, NewMessage};

/// Letters rendered per transaction.
const BATCH: i64 = 200;

/// Signatures that should have a letter to `target` and do not yet.
pub async fn missing_letters(
    conn: &mut AsyncPgConnection,
    keys: &DataKeys,
    campaign: &Campaign,
    target: &Target,
    limit: i64,
) -> anyhow::Result<Vec<(Uuid, Supporter)>> {
    let rows: Vec<SupporterRow> = signatures::table
        .filter(signatures::campaign_id.eq(campaign.id))
        .filter(signatures::status.eq("confirmed"))
        .filter(signatures::consent_to_targets.eq(true))
        .filter(not(exists(
            outbox::table
                .filter(outbox::signature_id.eq(signatures::id.nullable()))
                .filter(outbox::kind.eq("letter"))
                .filter(outbox::target_id.eq(&target.id)),
        )))
        .order((signatures::confirmed_at, signatures::id))
        .limit(limit)
        .select(SupporterRow::as_select())
        .load(conn)
        .await?;
    let mut supporters = Vec::with_capacity(rows.len());
    for row in rows {
        let id = row.id;
        if let Some(supporter) = Supporter::open(keys, row)? {
            supporters.push((id, supporter));
        }
    }
    Ok(supporters)
}

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
    for target in &campaign.file.targets {
        loop {
            let (found, inserted) = conn
                .transaction(async |conn| {
                    let missing = missing_letters(conn, &ctx.keys, campaign, target, BATCH).await?;
                    let mut inserted = 0;
                    for (signature_id, supporter) in &missing {
                        let id = crate::ids::new_id();
                        let rendered = render::individual(campaign, target, supporter)?;
                        let letter = NewMessage {
                            id,
                            kind: Kind::Letter,
                            campaign_id: Some(campaign.id),
                            signature_id: Some(*signature_id),
                            target_id: Some(target.id.clone()),
                            recipient: target.email.to_string(),
                            message: render::message(ctx, target, id, rendered)?,
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
