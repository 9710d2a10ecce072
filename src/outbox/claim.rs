//! Claiming: which rows a sender takes next, and the lease it takes on them.
//!
//! The outbox owns the rule for a claimable row (`claimable`: pending, due, and not leased
//! by a live worker) and the lease itself (`lease`); the features decide which of those
//! rows go now, as claim sources handed to the sender by `startup`. A source that needs no
//! more than "the oldest first" is a `DueRows` of its kinds; letters bring their own,
//! which paces them per target. Sources are asked in order, each for what room the batch
//! has left, so the order of the list is the order of priority.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures_util::future::BoxFuture;
use uuid::Uuid;

use super::status::{Kind, OutboxStatus};
use super::store::OutboxRow;
use crate::db::schema::outbox;

/// One round of claiming: the time it happens at, how long the lease lasts, and how many
/// rows the source may take at most.
#[derive(Clone, Copy, Debug)]
pub struct Claim {
    pub now: DateTime<Utc>,
    pub lease: Duration,
    pub limit: i64,
}

/// A feature's way of choosing which claimable rows go now.
pub trait ClaimSource: Send + Sync {
    /// Names the source in logs.
    fn name(&self) -> &'static str;

    /// Leases up to `claim.limit` rows and commits, so no transaction stays open while a
    /// message crosses the network. Select rows with `claimable`, lock them with
    /// `FOR UPDATE SKIP LOCKED`, and take them with `lease` in the same transaction.
    fn claim<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        claim: Claim,
    ) -> BoxFuture<'a, anyhow::Result<Vec<OutboxRow>>>;
}

/// Rows any sender may take at `now`: pending, due, and either never leased or leased by
/// a worker whose lease ran out (it died, or hung past the lease). The status is written
/// into the statement (`literal`) so that every plan of it, generic ones included, can use
/// the partial index of pending rows instead of reading every row ever sent.
#[diesel::dsl::auto_type]
pub fn claimable(now: DateTime<Utc>) -> _ {
    let pending: diesel::expression::SqlLiteral<diesel::sql_types::Text> = OutboxStatus::Pending.literal();
    outbox::status
        .eq(pending)
        .and(outbox::next_attempt_at.le(now))
        .and(outbox::locked_until.is_null().or(outbox::locked_until.lt(now)))
}

/// Takes `ids` (selected with `claimable` and locked in this transaction) for this worker
/// until `now + lease`, counting the attempt. The rows come back in the order of `ids`, so
/// they are sent in the order the source chose them.
pub async fn lease(conn: &mut AsyncPgConnection, ids: &[Uuid], claim: Claim) -> QueryResult<Vec<OutboxRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut rows: Vec<OutboxRow> = diesel::update(outbox::table.filter(outbox::id.eq_any(ids)))
        .set((outbox::locked_until.eq(claim.now + claim.lease), outbox::attempts.eq(outbox::attempts + 1)))
        .returning(OutboxRow::as_returning())
        .get_results(conn)
        .await?;
    // RETURNING follows the table's physical order, not the order asked for.
    rows.sort_by_key(|row| ids.iter().position(|id| *id == row.id));
    Ok(rows)
}

/// The claimable rows of some kinds, for mail that goes as soon as it can: kind by kind in
/// the order given, each kind's oldest due first.
///
/// One query per kind, not one for all kinds: `kind = ANY(...)` with `ORDER BY
/// next_attempt_at` cannot read the `(kind, next_attempt_at)` index in order, so PostgreSQL
/// chose a bitmap scan, which visits the heap for every index entry of a row sent since the
/// last vacuum (a plain index scan marks those entries dead and skips them next time). With
/// 20,000 confirmations just sent, that claim took 90 ms and read 11,751 heap pages for no
/// row at all, and the 4 lanes spent their time in it: a 100,000-recipient mailing drained
/// at 750 msg/s beside smtp-source's 4,800 (bench/mail_priority.py). Per kind it is a plain
/// index scan of the first due rows.
pub struct DueRows {
    name: &'static str,
    kinds: Vec<Kind>,
}

impl DueRows {
    pub fn new(name: &'static str, kinds: &[Kind]) -> Self {
        DueRows { name, kinds: kinds.to_vec() }
    }
}

impl ClaimSource for DueRows {
    fn name(&self) -> &'static str {
        self.name
    }

    fn claim<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        claim: Claim,
    ) -> BoxFuture<'a, anyhow::Result<Vec<OutboxRow>>> {
        Box::pin(async move {
            let rows = conn
                .transaction(async |conn| {
                    let mut ids: Vec<Uuid> = Vec::new();
                    for kind in &self.kinds {
                        let room = claim.limit - ids.len() as i64;
                        if room <= 0 {
                            break;
                        }
                        let due: Vec<Uuid> = outbox::table
                            .select(outbox::id)
                            .filter(claimable(claim.now))
                            .filter(outbox::kind.eq(*kind))
                            .order(outbox::next_attempt_at)
                            .limit(room)
                            .for_update()
                            .skip_locked()
                            .load(conn)
                            .await?;
                        ids.extend(due);
                    }
                    lease(conn, &ids, claim).await
                })
                .await?;
            Ok(rows)
        })
    }
}

/// Asks each source in turn for what room the batch has left. A source that fails does
/// not hold up the others: the rows claimed already are leased and must go now rather than
/// wait for their lease to run out. Only when nothing was claimed is the failure returned.
pub async fn claim_from(
    sources: &[Box<dyn ClaimSource>],
    conn: &mut AsyncPgConnection,
    claim: Claim,
) -> anyhow::Result<Vec<OutboxRow>> {
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    for source in sources {
        let limit = claim.limit - rows.len() as i64;
        if limit <= 0 {
            break;
        }
        match source.claim(conn, Claim { limit, ..claim }).await {
            Ok(claimed) => rows.extend(claimed),
            Err(e) => failures.push((source.name(), e)),
        }
    }
    if rows.is_empty() && !failures.is_empty() {
        return Err(failures.remove(0).1);
    }
    for (source, e) in failures {
        tracing::warn!(source, error = %format!("{e:#}"), "outbox: claiming failed");
    }
    Ok(rows)
}
