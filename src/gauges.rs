//! What the database says on `/metrics`: signatures by campaign and status, mail waiting in
//! the outbox, the size of the big tables. One task per serving process reads them every
//! `REFRESH_EVERY`, and a scrape renders the last reading from memory, so scrapers, however
//! many and however often, never reach the database.
//!
//! Why: a scrape used to count the signatures and the outbox itself, about 150 ms at a
//! million signatures, and 64 scrapers in parallel took signing from 7 ms to 8.7 s (issue 11).
//! What the task reads is cheap at any size too: signature totals from the per-day table the
//! dashboard keeps (`reports::status_totals`, which recounts only what changed since its last
//! refresh), the longest-due `DUE_SAMPLE` rows of the outbox's due index, and PostgreSQL's
//! row estimates (`pg_class.reltuples`), never a `count(*)` over a table.
//!
//! The task runs only when `RALLYPOST_METRICS_TOKEN` is set: without it nobody may scrape.

use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use tokio_util::sync::CancellationToken;

use crate::clock::Clock;
use crate::db::Pool;
use crate::outbox::Kind;
use crate::reports::StatusTotals;
use crate::signatures::SignatureStatus;

/// How often each process reads the gauges.
pub const REFRESH_EVERY: Duration = Duration::from_secs(15);
/// Due outbox rows counted at most; a count this high means "at least".
pub const DUE_SAMPLE: i64 = 10_000;

/// One reading.
struct Reading {
    at: DateTime<Utc>,
    signatures: Vec<(String, StatusTotals)>,
    due: Vec<crate::outbox::DueKind>,
    rows: Vec<TableRows>,
}

#[derive(QueryableByName)]
struct TableRows {
    #[diesel(sql_type = Text)]
    table: String,
    #[diesel(sql_type = BigInt)]
    estimate: i64,
}

/// The last reading, shared by the task that makes it and the handler that renders it.
#[derive(Default)]
pub struct Gauges {
    last: Mutex<Option<Arc<Reading>>>,
}

impl Gauges {
    /// Reads every gauge now (a few small queries) and keeps the reading.
    pub async fn refresh(&self, conn: &mut AsyncPgConnection, now: DateTime<Utc>) -> anyhow::Result<()> {
        let mut signatures = Vec::new();
        for campaign in crate::campaigns::list(conn).await? {
            signatures.push((campaign.slug, crate::reports::status_totals(conn, campaign.id, now).await?));
        }
        let due = crate::outbox::due_sample(conn, crate::outbox::Kind::ALL, now, DUE_SAMPLE).await?;
        let rows = diesel::sql_query(
            "select relname::text as table, greatest(reltuples, 0)::bigint as estimate from pg_class \
             where oid in ('signatures'::regclass, 'outbox'::regclass) order by relname",
        )
        .load(conn)
        .await?;
        *self.last.lock().unwrap() = Some(Arc::new(Reading { at: now, signatures, due, rows }));
        Ok(())
    }

    /// Refreshes every `REFRESH_EVERY` until `stop`, starting now.
    pub async fn run(self: Arc<Self>, pool: Pool, clock: Arc<dyn Clock>, stop: CancellationToken) {
        let mut ticks = tokio::time::interval(REFRESH_EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticks.tick() => {}
                _ = stop.cancelled() => break,
            }
            let result = match pool.get().await {
                Ok(mut conn) => self.refresh(&mut conn, clock.now()).await,
                Err(e) => Err(anyhow::anyhow!("{e}")),
            };
            if let Err(e) = result {
                tracing::warn!(error = %format!("{e:#}"), "reading the metrics gauges failed");
            }
        }
    }

    /// Writes the last reading in Prometheus' text format (nothing before the first).
    pub fn render(&self, out: &mut String) {
        let Some(reading) = self.last.lock().unwrap().clone() else {
            return;
        };
        out.push_str(
            "# HELP rallypost_gauges_refreshed_timestamp_seconds When the gauges below were read.\n",
        );
        out.push_str("# TYPE rallypost_gauges_refreshed_timestamp_seconds gauge\n");
        let _ = writeln!(out, "rallypost_gauges_refreshed_timestamp_seconds {}", reading.at.timestamp());
        out.push_str("# HELP rallypost_signatures Signatures by campaign and status.\n");
        out.push_str("# TYPE rallypost_signatures gauge\n");
        for (slug, totals) in &reading.signatures {
            for (status, n) in [
                (SignatureStatus::Pending, totals.pending),
                (SignatureStatus::Confirmed, totals.confirmed),
                (SignatureStatus::Withdrawn, totals.withdrawn),
            ] {
                let _ = writeln!(out, "rallypost_signatures{{campaign=\"{slug}\",status=\"{status}\"}} {n}");
            }
        }
        let _ = writeln!(
            out,
            "# HELP rallypost_outbox_due_messages Messages due and not yet sent, by kind, counted among the {DUE_SAMPLE} due longest."
        );
        out.push_str("# TYPE rallypost_outbox_due_messages gauge\n");
        // Every kind, due or not, so that a series does not vanish when its queue empties.
        let mut kinds: Vec<&str> =
            Kind::ALL.iter().map(|k| k.as_str()).chain(reading.due.iter().map(|d| d.kind.as_str())).collect();
        kinds.sort_unstable();
        kinds.dedup();
        let due = |kind: &str| reading.due.iter().find(|d| d.kind == kind);
        for kind in &kinds {
            let n = due(kind).map_or(0, |d| d.due);
            let _ = writeln!(out, "rallypost_outbox_due_messages{{kind=\"{kind}\"}} {n}");
        }
        out.push_str(
            "# HELP rallypost_outbox_overdue_seconds How long the message of this kind due longest has waited \
             (letters also wait for their pacing slot).\n",
        );
        out.push_str("# TYPE rallypost_outbox_overdue_seconds gauge\n");
        for kind in &kinds {
            let age = due(kind).map_or(0, |d| (reading.at - d.oldest).num_seconds().max(0));
            let _ = writeln!(out, "rallypost_outbox_overdue_seconds{{kind=\"{kind}\"}} {age}");
        }
        out.push_str("# HELP rallypost_table_rows_estimate PostgreSQL's estimate of a table's rows.\n");
        out.push_str("# TYPE rallypost_table_rows_estimate gauge\n");
        for t in &reading.rows {
            let _ = writeln!(out, "rallypost_table_rows_estimate{{table=\"{}\"}} {}", t.table, t.estimate);
        }
    }
}
