//! Reading the rows for an export, and writing the CSV: rows come one at a time from PostgreSQL (row-by-row mode on a
//! blocking connection), are decrypted and formatted in chunks on a few threads, and leave
//! in their original order. Only a few chunks are in flight at once, so memory stays flat
//! however many rows there are, and the first bytes leave at once.
//!
//! Decrypting four fields per row took most of an export's time on one thread (issue 7);
//! the database sends rows faster than one core can open them.

use std::collections::VecDeque;
use std::io::Write;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use diesel::pg::PgRowByRowLoadingMode;
use diesel::prelude::*;
use uuid::Uuid;

use super::ExportFilter;
use super::record::{HEADER, SignatureRow, SupporterRecord};
use crate::crypto::DataKeys;
use crate::db::schema::signatures;

/// Rows per chunk: large enough that handing chunks between threads costs nothing next to
/// decrypting them, small enough that the few in flight stay within a few megabytes.
const CHUNK: usize = 1000;
const MAX_THREADS: usize = 8;

/// A chunk as its format encoded it, and its row count; or why it could not be encoded.
type Encoded<T> = anyhow::Result<(T, u64)>;
type Job<T> = (Vec<SignatureRow>, SyncSender<Encoded<T>>);

/// Writes the header and every matching row to `out`; returns the number of rows.
/// `progress` is told the count now and then.
pub fn write_csv(
    conn: &mut PgConnection,
    keys: &DataKeys,
    campaign_id: Uuid,
    filter: &ExportFilter,
    mut out: impl Write,
    progress: impl FnMut(u64),
) -> anyhow::Result<u64> {
    let mut header = csv_writer(Vec::new());
    header.write_record(HEADER)?;
    out.write_all(&header.into_inner().map_err(|e| e.into_error())?)?;
    let rows = each_chunk(
        conn,
        keys,
        campaign_id,
        filter,
        encode_csv,
        |bytes| Ok(out.write_all(&bytes)?),
        progress,
    )?;
    out.flush()?;
    Ok(rows)
}

/// Hands every matching record, decrypted, to `each` in the export's order; returns the
/// number of records. Decrypted on the same few threads as the CSV, a chunk at a time.
pub fn each_record(
    conn: &mut PgConnection,
    keys: &DataKeys,
    campaign_id: Uuid,
    filter: &ExportFilter,
    mut each: impl FnMut(SupporterRecord) -> anyhow::Result<()>,
) -> anyhow::Result<u64> {
    each_chunk(
        conn,
        keys,
        campaign_id,
        filter,
        decrypt,
        |records| records.into_iter().try_for_each(&mut each),
        |_| {},
    )
}

fn decrypt(keys: &DataKeys, rows: Vec<SignatureRow>) -> anyhow::Result<Vec<SupporterRecord>> {
    rows.into_iter().map(|row| SupporterRecord::from_row(keys, row)).collect()
}

/// Reads every matching row, has `encode` decrypt and format chunks of them on a few
/// threads, and hands the results to `write` in the order the rows were read. Returns the
/// number of rows. Both formats go through here, so they hold the same rows in the same
/// order; only what a chunk becomes differs.
pub(super) fn each_chunk<T: Send>(
    conn: &mut PgConnection,
    keys: &DataKeys,
    campaign_id: Uuid,
    filter: &ExportFilter,
    encode: fn(&DataKeys, Vec<SignatureRow>) -> anyhow::Result<T>,
    write: impl FnMut(T) -> anyhow::Result<()>,
    progress: impl FnMut(u64),
) -> anyhow::Result<u64> {
    let mut query = signatures::table
        .filter(signatures::campaign_id.eq(campaign_id))
        .filter(signatures::status.eq_any(filter.statuses()))
        .select(SignatureRow::as_select())
        .order((signatures::signed_at, signatures::id))
        .into_boxed();
    if let Some(since) = filter.since {
        query = query.filter(signatures::signed_at.ge(since));
    }
    if let Some(until) = filter.until {
        query = query.filter(signatures::signed_at.lt(until));
    }
    if let Some(country) = filter.country {
        query = query.filter(signatures::country.eq(country.code()));
    }
    if let Some(partner) = &filter.partner {
        query = query.filter(signatures::partner_id.eq(partner.as_ref()).and(signatures::partner_opt_in));
    }

    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(MAX_THREADS);
    let (jobs, queue) = sync_channel::<Job<T>>(threads);
    let queue = Mutex::new(queue);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let queue = &queue;
            scope.spawn(move || encode_jobs(keys, queue, encode));
        }
        // One chunk more than threads: each thread has one to work on and the next waits.
        let mut ordered = InOrder { waiting: VecDeque::new(), limit: threads + 1, write, rows: 0, progress };
        let mut chunk = Vec::with_capacity(CHUNK);
        for row in query.load_iter::<SignatureRow, PgRowByRowLoadingMode>(conn)? {
            chunk.push(row?);
            if chunk.len() == CHUNK {
                ordered.submit(&jobs, std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK)))?;
            }
        }
        if !chunk.is_empty() {
            ordered.submit(&jobs, chunk)?;
        }
        // Closing the queue lets the threads end once the last chunks are encoded.
        drop(jobs);
        ordered.finish()
    })
}

/// The export's CSV dialect: RFC 4180 quoting, CRLF line ends. Rows go in with
/// `SupporterRecord::write_csv`, which guards cells a spreadsheet would run.
pub fn csv_writer<W: Write>(out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).buffer_capacity(64 * 1024).from_writer(out)
}

/// One of the threads: decrypts and formats chunks until the queue is closed.
fn encode_jobs<T>(
    keys: &DataKeys,
    queue: &Mutex<Receiver<Job<T>>>,
    encode: fn(&DataKeys, Vec<SignatureRow>) -> anyhow::Result<T>,
) {
    loop {
        let job = queue.lock().map_err(|_| ()).and_then(|q| q.recv().map_err(|_| ()));
        let Ok((rows, done)) = job else { return };
        let count = rows.len() as u64;
        // The receiver is gone only when the export already failed.
        let _ = done.send(encode(keys, rows).map(|encoded| (encoded, count)));
    }
}

fn encode_csv(keys: &DataKeys, rows: Vec<SignatureRow>) -> anyhow::Result<Vec<u8>> {
    let mut csv = csv_writer(Vec::with_capacity(rows.len() * 200));
    for row in rows {
        SupporterRecord::from_row(keys, row)?.write_csv(&mut csv)?;
    }
    Ok(csv.into_inner().map_err(|e| e.into_error())?)
}

/// Chunks handed to the threads, written out in the order they were read.
struct InOrder<T, W, P> {
    waiting: VecDeque<Receiver<Encoded<T>>>,
    /// Chunks in flight at most; reading waits for the oldest beyond that.
    limit: usize,
    write: W,
    rows: u64,
    progress: P,
}

impl<T, W: FnMut(T) -> anyhow::Result<()>, P: FnMut(u64)> InOrder<T, W, P> {
    fn submit(&mut self, jobs: &SyncSender<Job<T>>, rows: Vec<SignatureRow>) -> anyhow::Result<()> {
        let (done, result) = sync_channel(1);
        jobs.send((rows, done)).map_err(|_| anyhow::anyhow!("the export threads stopped"))?;
        self.waiting.push_back(result);
        while self.waiting.len() > self.limit {
            self.write_oldest()?;
        }
        Ok(())
    }

    fn write_oldest(&mut self) -> anyhow::Result<()> {
        let Some(result) = self.waiting.pop_front() else { return Ok(()) };
        let (encoded, count) =
            result.recv().map_err(|_| anyhow::anyhow!("an export thread stopped without its result"))??;
        (self.write)(encoded)?;
        let before = self.rows;
        self.rows += count;
        if before / 50_000 != self.rows / 50_000 {
            (self.progress)(self.rows);
        }
        Ok(())
    }

    fn finish(mut self) -> anyhow::Result<u64> {
        while !self.waiting.is_empty() {
            self.write_oldest()?;
        }
        (self.progress)(self.rows);
        Ok(self.rows)
    }
}
