//! Group commit for signing. In a surge many supporters sign at the same moment; with a
//! transaction each, every signature waits for its own WAL flush and its own round trips.
//! Here requests wait in a queue, and a few committer tasks each take everything waiting
//! (up to `MAX_BATCH`) and write it in one transaction (`sign::commit`). Under light load
//! a batch is one signature and nothing waits; under heavy load batches grow by
//! themselves. Nothing is acknowledged early: each request gets its outcome only after
//! the transaction holding its row has committed.

use std::sync::Arc;

use tokio::sync::{Mutex, mpsc, oneshot};

use super::sign::{self, Prepared, SignOutcome};
use crate::crypto::DataKeys;
use crate::db::Pool;

/// Signatures in one transaction at most. Past a few dozen the commit is no longer what
/// costs, and a large batch holds its locks longer.
const MAX_BATCH: usize = 64;
/// Requests waiting beyond this make new ones wait to enter the queue (back pressure).
const QUEUE: usize = 4096;

pub struct SignIntake {
    jobs: mpsc::Sender<Job>,
}

struct Job {
    prepared: Prepared,
    reply: oneshot::Sender<anyhow::Result<SignOutcome>>,
}

impl SignIntake {
    /// Starts `committers` tasks on the current runtime. Two or three are enough: while
    /// one waits for its commit, the next collects what arrived meanwhile.
    pub fn start(pool: Pool, keys: Arc<DataKeys>, committers: usize) -> SignIntake {
        let (jobs, queue) = mpsc::channel(QUEUE);
        let queue = Arc::new(Mutex::new(queue));
        for _ in 0..committers.max(1) {
            tokio::spawn(run_committer(queue.clone(), pool.clone(), keys.clone()));
        }
        SignIntake { jobs }
    }

    /// Writes the signature, in a transaction shared with others waiting at the same time.
    pub async fn sign(&self, prepared: Prepared) -> anyhow::Result<SignOutcome> {
        let (reply, outcome) = oneshot::channel();
        self.jobs
            .send(Job { prepared, reply })
            .await
            .map_err(|_| anyhow::anyhow!("the signing queue has stopped"))?;
        outcome.await.map_err(|_| anyhow::anyhow!("the signing queue dropped a signature"))?
    }
}

async fn run_committer(queue: Arc<Mutex<mpsc::Receiver<Job>>>, pool: Pool, keys: Arc<DataKeys>) {
    loop {
        let batch = {
            let mut queue = queue.lock().await;
            let Some(first) = queue.recv().await else { return };
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH
                && let Ok(job) = queue.try_recv()
            {
                batch.push(job);
            }
            batch
        };
        commit_batch(&pool, &keys, batch).await;
    }
}

async fn commit_batch(pool: &Pool, keys: &DataKeys, batch: Vec<Job>) {
    let (prepared, replies): (Vec<Prepared>, Vec<_>) =
        batch.into_iter().map(|j| (j.prepared, j.reply)).unzip();
    let mut conn = match pool.get().await {
        Ok(conn) => conn,
        Err(e) => {
            tracing::warn!(error = %e, signatures = replies.len(), "no database connection for signing");
            for reply in replies {
                reply.send(Err(crate::db::Unavailable.into())).ok();
            }
            return;
        }
    };
    match sign::commit(&mut conn, keys, &prepared).await {
        Ok(outcomes) => {
            for ((reply, outcome), p) in replies.into_iter().zip(outcomes).zip(&prepared) {
                tracing::info!(campaign = %p.campaign_id(), ?outcome, "signature received");
                reply.send(Ok(outcome)).ok();
            }
        }
        Err(e) if replies.len() == 1 => {
            replies.into_iter().next().map(|reply| reply.send(Err(e.into())));
        }
        // One bad signature must not fail the others: each gets its own transaction.
        Err(e) => {
            tracing::warn!(error = %e, signatures = replies.len(), "a shared signing transaction failed; retrying one by one");
            for (reply, p) in replies.into_iter().zip(&prepared) {
                let outcome = sign::commit(&mut conn, keys, std::slice::from_ref(p)).await;
                reply.send(outcome.map(|o| o[0]).map_err(Into::into)).ok();
            }
        }
    }
}
