//! `individual` mode: one letter per confirmed, consenting signature and target, rendered
//! and queued now; the pacing decides when each one goes.

use chrono::{DateTime, Utc};
use diesel::dsl::{exists, not};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::render::{self, LetterContext, Supporter};
use crate::campaigns::{Campaign, Target};
use crate::db::schema::{outbox, signatures};

/// Letters rendered per transaction.
const BATCH: i64 = 200;

/// Signatures that should have a letter to `target` and do not yet.
pub async fn missing_letters(
    conn: &mut AsyncPgConnection,
    campaign: &Campaign,
    target: &Target,
    limit: i64,
) -> QueryResult<Vec<(Uuid, Supporter)>> {
    let rows: Vec<(Uuid, Option<String>, String, Option<String>)> = signatures::table
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
        .select((
            signatures::id,
            signatures::name,
            signatures::country,
            signatures::comment,
        ))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, name, country, comment)| {
            Some((
                id,
                Supporter {
                    name: name?,
                    country,
                    comment,
                },
            ))
        })
        .collect())
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
            let batch = conn
                .transaction(async |conn| {
                    let missing = missing_letters(conn, campaign, target, BATCH).await?;
                    let mut inserted = 0;
                    for (signature_id, supporter) in &missing {
                        let id = crate::ids::new_id();
                        let message = render::message(
                            ctx,
                            target,
                            id,
                            render::individual(campaign, target, supporter)?,
                        )?;
                        inserted += diesel::insert_into(outbox::table)
                            .values((
                                outbox::id.eq(id),
                                outbox::kind.eq("letter"),
                                outbox::campaign_id.eq(campaign.id),
                                outbox::signature_id.eq(signature_id),
                                outbox::target_id.eq(&target.id),
                                outbox::recipient.eq(&target.email),
                                outbox::message.eq(message),
                                outbox::next_attempt_at.eq(now),
                                outbox::created_at.eq(now),
                            ))
                            .on_conflict_do_nothing()
                            .execute(conn)
                            .await?;
                    }
                    Ok::<_, anyhow::Error>((missing.len(), inserted))
                })
                .await?;
            queued += batch.1;
            if batch.0 < BATCH as usize {
                break;
            }
        }
    }
    Ok(queued)
}
