//! The workers' side: `Reader` reads the bounce mailbox every so often and records what it
//! finds; `SmtpRefusals` counts a server's `5xx` refusal at send time as a hard bounce, as
//! the outbox sender's refusal hook.

use std::sync::Arc;
use std::time::Duration;

use diesel_async::AsyncPgConnection;
use futures_util::future::BoxFuture;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::mailbox::{self, Handled, Handler, MailboxUrl, Pass};
use super::parse::{self, Severity};
use super::store::{self, Bounce, Recorded};
use super::verp::ReturnPaths;
use crate::clock::Clock;
use crate::db::Pool;

/// The longest one pass may take: a server that stops answering must not stop the reader.
/// A pass cut short leaves what it had not flagged unseen; reading it again counts nothing
/// twice.
const PASS_TIMEOUT: Duration = Duration::from_secs(300);

pub struct Reader {
    pool: Pool,
    clock: Arc<dyn Clock>,
    paths: Arc<ReturnPaths>,
    mailbox: MailboxUrl,
    every: Duration,
}

impl Reader {
    pub fn new(
        pool: Pool,
        clock: Arc<dyn Clock>,
        paths: Arc<ReturnPaths>,
        mailbox: MailboxUrl,
        every: Duration,
    ) -> Reader {
        Reader { pool, clock, paths, mailbox, every }
    }

    /// Reads the mailbox every `every` until `shutdown`; a pass that fails (the server or
    /// the database away) is logged and tried again next time.
    pub async fn run(self: Arc<Self>, shutdown: CancellationToken) {
        tracing::info!(mailbox = ?self.mailbox, every = ?self.every, "bounce reader started");
        loop {
            match self.read_once().await {
                Ok(pass) if pass.read > 0 => tracing::info!(?pass, "bounces: mailbox read"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %format!("{e:#}"), "bounces: reading the mailbox failed"),
            }
            tokio::select! {
                _ = tokio::time::sleep(self.every) => {}
                _ = shutdown.cancelled() => break,
            }
        }
    }

    /// One pass over the unseen messages.
    pub async fn read_once(&self) -> anyhow::Result<Pass> {
        tokio::time::timeout(PASS_TIMEOUT, mailbox::read_unseen(&self.mailbox, self))
            .await
            .map_err(|_| anyhow::anyhow!("the bounce mailbox took longer than {PASS_TIMEOUT:?}"))?
    }
}

impl Handler for Reader {
    fn handle<'a>(&'a self, raw: &'a [u8]) -> BoxFuture<'a, anyhow::Result<Handled>> {
        Box::pin(async move {
            let report = parse::read(raw, &self.paths);
            let (Some(outbox_id), Some(severity)) = (report.outbox_id, report.severity) else {
                return Ok(Handled::Other);
            };
            let mut conn = self.pool.get().await?;
            let bounce =
                Bounce { source_key: &report.source_key, outbox_id, severity, reason: &report.reason };
            let recorded = store::record(&mut conn, &bounce, self.clock.now()).await?;
            tracing::info!(%outbox_id, ?severity, ?recorded, "bounces: a bounce read");
            Ok(match recorded {
                Recorded::UnknownMessage => Handled::Other,
                Recorded::Counted { .. } | Recorded::AlreadyCounted => Handled::Bounce,
            })
        })
    }
}

/// Counts a send-time refusal as a hard bounce, in the transaction that marks the row
/// failed (see `outbox::Refusals`).
pub struct SmtpRefusals {
    clock: Arc<dyn Clock>,
}

impl SmtpRefusals {
    pub fn new(clock: Arc<dyn Clock>) -> SmtpRefusals {
        SmtpRefusals { clock }
    }
}

impl crate::outbox::Refusals for SmtpRefusals {
    fn refused<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        id: Uuid,
        reply: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let source_key = format!("smtp:{id}");
            let reason = parse::mask(reply);
            let bounce =
                Bounce { source_key: &source_key, outbox_id: id, severity: Severity::Hard, reason: &reason };
            let recorded = store::record(conn, &bounce, self.clock.now()).await?;
            tracing::info!(outbox_id = %id, ?recorded, "bounces: a refusal at send time");
            Ok(())
        })
    }
}
