//! Key rotation: re-encrypts, in batches, every row written under a key other than the
//! current one (including rows from before encryption), and recomputes the lookup keys
//! of the addresses. Safe to interrupt and run again; safe while the service runs. Rows
//! from before encryption alone are sealed at every start (`seal_plain_rows`).

use std::cell::RefCell;

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::SignatureStatus;
use crate::crypto::{DataKeys, Field, PLAIN};
use crate::db::Pool;
use crate::db::schema::{outbox, signatures};
use crate::domain::SupporterEmail;
use crate::suppressions;

/// An outbox row's id, key id, recipient and message, as stored.
type SealedMessage = (Uuid, String, Option<Vec<u8>>, Option<Vec<u8>>);

#[derive(Queryable)]
struct Row {
    id: Uuid,
    key_id: String,
    status: SignatureStatus,
    email_key: Option<Vec<u8>>,
    email: Option<Vec<u8>>,
    name: Option<Vec<u8>>,
    postcode: Option<Vec<u8>>,
    comment: Option<Vec<u8>>,
}

/// `crypto::PLAIN` as an SQL literal (see `Rows::Plain`).
const PLAIN_SQL: &str = "'plain'";

/// Which signatures a pass re-encrypts.
#[derive(Clone, Copy)]
enum Rows {
    NotUnderTheCurrentKey,
    /// Written before encryption (or with it off): personal data and the lookup key (the
    /// address itself) in the clear.
    Plain,
}

/// How a rotation splits its work: rows per transaction, and connections writing at once.
#[derive(Clone, Copy)]
pub struct Batches {
    pub rows: i64,
    pub lanes: usize,
}

/// Spans of the id space a pass cuts the table into; lanes take the next one as they finish
/// one, so that ids bunched in time (UUIDv7 ids are times) still share out evenly.
const SLICES: u128 = 64;

/// Rows re-encrypted so far: (signatures, outbox messages).
///
/// Each batch commits on its own, so an interrupted rotation keeps what it did and the next
/// run carries on with what is left. A row another transaction holds is skipped and picked
/// up by a further pass, until a pass finds nothing left to do.
///
/// `batches.lanes` connections write at once, each walking its own slices of the ids. One
/// was capped by its PostgreSQL backend, not by the encryption here: a new key changes the
/// lookup key, which is indexed, so every row's new version goes into every index of the
/// table (at 10M: the backend's UPDATE 25 s of CPU in 30, rallypost 3 s).
pub async fn rotate_keys(
    pool: &Pool,
    keys: &DataKeys,
    batches: Batches,
    progress: impl FnMut(usize, usize),
) -> anyhow::Result<(usize, usize)> {
    let done = RefCell::new((0, 0, progress));
    let report = |table: Table, n: usize| {
        let (signatures, outbox, progress) = &mut *done.borrow_mut();
        match table {
            Table::Signatures => *signatures += n,
            Table::Outbox => *outbox += n,
        }
        progress(*signatures, *outbox);
    };
    for table in [Table::Signatures, Table::Outbox] {
        while in_lanes(pool, keys, table, batches, |n| report(table, n)).await? > 0 {}
    }
    let (signatures, outbox, _) = done.into_inner();
    Ok((signatures, outbox))
}

#[derive(Clone, Copy)]
enum Table {
    Signatures,
    Outbox,
}

/// One pass over `table`: its id space cut into slices, walked by `batches.lanes`
/// connections at once. Returns how many rows the pass did.
async fn in_lanes(
    pool: &Pool,
    keys: &DataKeys,
    table: Table,
    batches: Batches,
    report: impl Fn(usize),
) -> anyhow::Result<usize> {
    let Some((low, high)) = id_range(&mut *pool.get().await?, table).await? else { return Ok(0) };
    // One lane has nobody to share with: it walks the whole table in one go.
    let shares = if batches.lanes > 1 { SLICES } else { 1 };
    let slices = RefCell::new(slices(low, high, shares).into_iter());
    let lane = async || -> anyhow::Result<usize> {
        let mut conn = pool.get().await?;
        let mut total = 0;
        loop {
            let Some(slice) = slices.borrow_mut().next() else { return Ok(total) };
            total += walk(
                slice,
                async |ids| {
                    conn.transaction(async |conn| match table {
                        Table::Signatures => {
                            rotate_signatures(conn, keys, Rows::NotUnderTheCurrentKey, ids, batches.rows)
                                .await
                        }
                        Table::Outbox => rotate_outbox(conn, keys, ids, batches.rows).await,
                    })
                    .await
                },
                &report,
            )
            .await?;
        }
    };
    let lanes = (0..batches.lanes.max(1)).map(|_| lane());
    Ok(futures_util::future::try_join_all(lanes).await?.into_iter().sum())
}

/// The lowest and the highest id of `table`, if it has rows.
async fn id_range(conn: &mut AsyncPgConnection, table: Table) -> QueryResult<Option<(Uuid, Uuid)>> {
    let (low, high) = match table {
        Table::Signatures => {
            let ids = signatures::table.select(signatures::id);
            (
                ids.order(signatures::id).first(conn).await.optional()?,
                ids.order(signatures::id.desc()).first(conn).await.optional()?,
            )
        }
        Table::Outbox => {
            let ids = outbox::table.select(outbox::id);
            (
                ids.order(outbox::id).first(conn).await.optional()?,
                ids.order(outbox::id.desc()).first(conn).await.optional()?,
            )
        }
    };
    Ok(low.zip(high))
}

/// Ids after `after` up to and including `until`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Ids {
    after: Uuid,
    until: Uuid,
}

impl Ids {
    const ALL: Ids = Ids { after: Uuid::nil(), until: Uuid::max() };
}

/// `n` slices covering every id: equal spans between the lowest and the highest id seen,
/// the first reaching down to nil and the last up to the largest id (rows written since).
fn slices(low: Uuid, high: Uuid, n: u128) -> Vec<Ids> {
    let (low, high) = (low.as_u128(), high.as_u128().max(low.as_u128()));
    let step = ((high - low) / n).max(1);
    let mut cuts: Vec<u128> = (1..n).map(|i| low + step * i).filter(|&c| c < high).collect();
    cuts.dedup();
    let bounds = std::iter::once(Uuid::nil())
        .chain(cuts.into_iter().map(Uuid::from_u128))
        .chain(std::iter::once(Uuid::max()))
        .collect::<Vec<_>>();
    bounds.windows(2).map(|w| Ids { after: w[0], until: w[1] }).collect()
}

/// Runs batches through `ids` from the lowest id to the highest, reporting each; returns
/// how many rows it did.
async fn walk(
    ids: Ids,
    mut batch: impl AsyncFnMut(Ids) -> anyhow::Result<Batch>,
    done: impl Fn(usize),
) -> anyhow::Result<usize> {
    let (mut after, mut total) = (ids.after, 0);
    loop {
        let Batch { rows, last } = batch(Ids { after, until: ids.until }).await?;
        total += rows;
        done(rows);
        match last {
            Some(last) => after = last,
            None => return Ok(total),
        }
    }
}

/// Encrypts signatures stored in the clear and gives them their keyed lookup key, so that
/// signing, which sends only keyed hashes, finds them again. A server does this at start
/// (with encryption on): unlike a rotation it touches only such rows, found by an index.
pub async fn seal_plain_rows(
    conn: &mut AsyncPgConnection,
    keys: &DataKeys,
    batch: i64,
) -> anyhow::Result<usize> {
    if keys.current_id() == PLAIN {
        return Ok(0);
    }
    let mut done = 0;
    loop {
        let pass = walk(
            Ids::ALL,
            async |ids| {
                conn.transaction(async |conn| rotate_signatures(conn, keys, Rows::Plain, ids, batch).await)
                    .await
            },
            |_| {},
        )
        .await?;
        done += pass;
        if pass == 0 {
            return Ok(done);
        }
    }
}

/// One batch: the next `batch` rows of `ids` (in id order) that `which` selects, each
/// decrypted and sealed again in Rust, then written back by ONE `update ... from unnest(...)`
/// per batch. A statement per row capped the rate at the round trips (about 4,000 rows/s
/// here); one per batch leaves the cost to the encryption and PostgreSQL's own writes. Walking
/// the ids forward keeps each batch's read where the last one stopped: filtering on "not under
/// the current key" alone re-read every row already done at each batch, quadratic at 10M.
async fn rotate_signatures(
    conn: &mut AsyncPgConnection,
    keys: &DataKeys,
    which: Rows,
    ids: Ids,
    batch: i64,
) -> anyhow::Result<Batch> {
    let which: Box<dyn BoxableExpression<signatures::table, Pg, SqlType = Bool>> = match which {
        Rows::NotUnderTheCurrentKey => Box::new(signatures::key_id.ne(keys.current_id().to_owned())),
        // Written into the statement, not bound: the partial index `signatures_plain` holds
        // only these rows, and a generic plan with `key_id = $1` could not use it (it would
        // read all signatures at every start).
        Rows::Plain => {
            Box::new(signatures::key_id.eq(diesel::dsl::sql::<diesel::sql_types::Text>(PLAIN_SQL)))
        }
    };
    let rows: Vec<Row> = signatures::table
        .filter(which)
        .filter(signatures::id.gt(ids.after))
        .filter(signatures::id.le(ids.until))
        .select((
            signatures::id,
            signatures::key_id,
            signatures::status,
            signatures::email_key,
            signatures::email,
            signatures::name,
            signatures::postcode,
            signatures::comment,
        ))
        .order(signatures::id)
        .limit(batch)
        .for_update()
        .skip_locked()
        .load(conn)
        .await?;
    let mut sealed = SealedSignatures::with_capacity(rows.len());
    let mut moved_keys = (Vec::new(), Vec::new());
    for row in &rows {
        let field = |column| Field { column, row: &row.id };
        let reseal = |column, value: &Option<Vec<u8>>| {
            value.as_deref().map(|v| keys.reseal(&row.key_id, field(column), v)).transpose()
        };
        let email = keys.decrypt_text(&row.key_id, field("signatures.email"), row.email.as_deref())?;
        // An address that no longer parses (the rules tightened) is keyed as it is, in lower
        // case, rather than left as the plain lookup key.
        let lookup = match (&email, row.status) {
            (_, SignatureStatus::Withdrawn) | (None, _) => None,
            (Some(email), _) => Some(keys.email_lookup(
                &SupporterEmail::parse(email).map_or_else(|_| email.to_lowercase(), |e| e.canonical()),
            )),
        };
        // The suppression list is keyed like the signature: it moves along. A row from
        // before encryption is keyed by the address itself, which must not travel to the
        // database; the list is younger than such rows anyway.
        if let (Some(lookup), Some(old)) = (&lookup, &row.email_key)
            && row.key_id != PLAIN
            && lookup != old
        {
            moved_keys.0.push(old.clone());
            moved_keys.1.push(lookup.clone());
        }
        sealed.ids.push(row.id);
        sealed.email_keys.push(lookup);
        sealed.emails.push(reseal("signatures.email", &row.email)?);
        sealed.names.push(reseal("signatures.name", &row.name)?);
        sealed.postcodes.push(reseal("signatures.postcode", &row.postcode)?);
        sealed.comments.push(reseal("signatures.comment", &row.comment)?);
    }
    suppressions::rekey_all(conn, &moved_keys.0, &moved_keys.1).await?;
    sealed.write(conn, keys.current_id()).await?;
    Ok(Batch { rows: rows.len(), last: rows.last().map(|r| r.id) })
}

/// What one batch did: how many rows, and the last id it read (where the next one starts).
struct Batch {
    rows: usize,
    last: Option<Uuid>,
}

/// A batch of signatures sealed under the current key, column by column, as `unnest` takes
/// them.
#[derive(Default)]
struct SealedSignatures {
    ids: Vec<Uuid>,
    /// `None` keeps the row's lookup key (a withdrawn signature has none to recompute).
    email_keys: Vec<Option<Vec<u8>>>,
    emails: Vec<Option<Vec<u8>>>,
    names: Vec<Option<Vec<u8>>>,
    postcodes: Vec<Option<Vec<u8>>>,
    comments: Vec<Option<Vec<u8>>>,
}

impl SealedSignatures {
    fn with_capacity(n: usize) -> Self {
        SealedSignatures {
            ids: Vec::with_capacity(n),
            email_keys: Vec::with_capacity(n),
            emails: Vec::with_capacity(n),
            names: Vec::with_capacity(n),
            postcodes: Vec::with_capacity(n),
            comments: Vec::with_capacity(n),
        }
    }

    async fn write(&self, conn: &mut AsyncPgConnection, key_id: &str) -> QueryResult<usize> {
        use diesel::sql_types::{Array, Bytea, Nullable, Text};
        if self.ids.is_empty() {
            return Ok(0);
        }
        diesel::sql_query(
            "update signatures s set key_id = $1, email_key = coalesce(u.email_key, s.email_key), \
             email = u.email, name = u.name, postcode = u.postcode, comment = u.comment \
             from unnest($2::uuid[], $3::bytea[], $4::bytea[], $5::bytea[], $6::bytea[], $7::bytea[]) \
                 as u(id, email_key, email, name, postcode, comment) \
             where s.id = u.id",
        )
        .bind::<Text, _>(key_id)
        .bind::<Array<diesel::sql_types::Uuid>, _>(&self.ids)
        .bind::<Array<Nullable<Bytea>>, _>(&self.email_keys)
        .bind::<Array<Nullable<Bytea>>, _>(&self.emails)
        .bind::<Array<Nullable<Bytea>>, _>(&self.names)
        .bind::<Array<Nullable<Bytea>>, _>(&self.postcodes)
        .bind::<Array<Nullable<Bytea>>, _>(&self.comments)
        .execute(conn)
        .await
    }
}

/// The outbox's batch, walked and written like the signatures' (`rotate_signatures`).
/// Rows with nothing sealed left (delivered supporter mail whose address and body were
/// erased: most of the table at scale) are skipped, not rewritten for their key id alone.
async fn rotate_outbox(
    conn: &mut AsyncPgConnection,
    keys: &DataKeys,
    ids: Ids,
    batch: i64,
) -> anyhow::Result<Batch> {
    use diesel::sql_types::{Array, Bytea, Nullable, Text};
    let rows: Vec<SealedMessage> = outbox::table
        .filter(outbox::key_id.ne(keys.current_id()))
        .filter(outbox::recipient.is_not_null().or(outbox::message.is_not_null()))
        .filter(outbox::id.gt(ids.after))
        .filter(outbox::id.le(ids.until))
        .select((outbox::id, outbox::key_id, outbox::recipient, outbox::message))
        .order(outbox::id)
        .limit(batch)
        .for_update()
        .skip_locked()
        .load(conn)
        .await?;
    let (mut ids, mut recipients, mut messages) = (Vec::new(), Vec::new(), Vec::new());
    for (id, key_id, recipient, message) in &rows {
        let reseal = |column, value: &Option<Vec<u8>>| {
            value.as_deref().map(|v| keys.reseal(key_id, Field { column, row: id }, v)).transpose()
        };
        ids.push(*id);
        recipients.push(reseal("outbox.recipient", recipient)?);
        messages.push(reseal("outbox.message", message)?);
    }
    if !ids.is_empty() {
        diesel::sql_query(
            "update outbox o set key_id = $1, recipient = u.recipient, message = u.message \
             from unnest($2::uuid[], $3::bytea[], $4::bytea[]) as u(id, recipient, message) \
             where o.id = u.id",
        )
        .bind::<Text, _>(keys.current_id())
        .bind::<Array<diesel::sql_types::Uuid>, _>(&ids)
        .bind::<Array<Nullable<Bytea>>, _>(&recipients)
        .bind::<Array<Nullable<Bytea>>, _>(&messages)
        .execute(conn)
        .await?;
    }
    Ok(Batch { rows: rows.len(), last: rows.last().map(|r| r.0) })
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::{Ids, slices};

    #[test]
    fn slices_cover_every_id_once_in_order() {
        let (low, high) = (Uuid::now_v7(), Uuid::from_u128(Uuid::now_v7().as_u128() + (1 << 90)));
        let all = slices(low, high, 64);
        assert_eq!(all.len(), 64);
        assert_eq!(all[0].after, Uuid::nil());
        assert_eq!(all[63].until, Uuid::max());
        assert!(all.windows(2).all(|w| w[0].until == w[1].after && w[0].after < w[0].until));
        assert!(
            all[0].until > low && all[62].until < high,
            "the cuts fall between the lowest and highest id"
        );
    }

    #[test]
    fn one_row_or_close_ids_make_fewer_slices_not_empty_ones() {
        let one = Uuid::now_v7();
        assert_eq!(slices(one, one, 64), vec![Ids::ALL]);
        let near = Uuid::from_u128(one.as_u128() + 3);
        let few = slices(one, near, 64);
        assert!(
            few.len() <= 3
                && few.first().unwrap().after == Uuid::nil()
                && few.last().unwrap().until == Uuid::max()
        );
    }

    #[test]
    fn the_plain_literal_names_the_plain_key_id() {
        assert_eq!(super::PLAIN_SQL, format!("'{}'", crate::crypto::PLAIN));
    }
}
