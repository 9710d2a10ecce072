//! Key rotation: re-encrypts, in batches, every row written under a key other than the
//! current one (including rows from before encryption), and recomputes the lookup keys
//! of the addresses. Safe to interrupt and run again; safe while the service runs. Rows
//! from before encryption alone are sealed at every start (`seal_plain_rows`).

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::SignatureStatus;
use crate::crypto::{DataKeys, Field, PLAIN};
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

/// Rows re-encrypted so far: (signatures, outbox messages).
///
/// Each batch commits on its own, so an interrupted rotation keeps what it did and the next
/// run carries on with what is left. A row another transaction holds is skipped and picked
/// up by a further pass, until a pass finds nothing left to do.
pub async fn rotate_keys(
    conn: &mut AsyncPgConnection,
    keys: &DataKeys,
    batch: i64,
    mut progress: impl FnMut(usize, usize),
) -> anyhow::Result<(usize, usize)> {
    let (mut signatures_done, mut outbox_done) = (0, 0);
    loop {
        let pass = walk(
            async |after| {
                conn.transaction(async |conn| {
                    rotate_signatures(conn, keys, Rows::NotUnderTheCurrentKey, after, batch).await
                })
                .await
            },
            |n| {
                signatures_done += n;
                progress(signatures_done, outbox_done);
            },
        )
        .await?;
        if pass == 0 {
            break;
        }
    }
    loop {
        let pass = walk(
            async |after| conn.transaction(async |conn| rotate_outbox(conn, keys, after, batch).await).await,
            |n| {
                outbox_done += n;
                progress(signatures_done, outbox_done);
            },
        )
        .await?;
        if pass == 0 {
            break;
        }
    }
    Ok((signatures_done, outbox_done))
}

/// Runs batches from the lowest id to the highest, reporting each; returns how many rows
/// the pass did.
async fn walk(
    mut batch: impl AsyncFnMut(Uuid) -> anyhow::Result<Batch>,
    mut done: impl FnMut(usize),
) -> anyhow::Result<usize> {
    let (mut after, mut total) = (Uuid::nil(), 0);
    loop {
        let Batch { rows, last } = batch(after).await?;
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
            async |after| {
                conn.transaction(async |conn| rotate_signatures(conn, keys, Rows::Plain, after, batch).await)
                    .await
            },
            |n| done += n,
        )
        .await?;
        if pass == 0 {
            return Ok(done);
        }
    }
}

/// One batch: the next `batch` rows after `after` (in id order) that `which` selects, each
/// decrypted and sealed again in Rust, then written back by ONE `update ... from unnest(...)`
/// per batch. A statement per row capped the rate at the round trips (about 4,000 rows/s
/// here); one per batch leaves the cost to the encryption and PostgreSQL's own writes. Walking
/// the ids forward keeps each batch's read where the last one stopped: filtering on "not under
/// the current key" alone re-read every row already done at each batch, quadratic at 10M.
async fn rotate_signatures(
    conn: &mut AsyncPgConnection,
    keys: &DataKeys,
    which: Rows,
    after: Uuid,
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
        .filter(signatures::id.gt(after))
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
async fn rotate_outbox(
    conn: &mut AsyncPgConnection,
    keys: &DataKeys,
    after: Uuid,
    batch: i64,
) -> anyhow::Result<Batch> {
    use diesel::sql_types::{Array, Bytea, Nullable, Text};
    let rows: Vec<SealedMessage> = outbox::table
        .filter(outbox::key_id.ne(keys.current_id()))
        .filter(outbox::id.gt(after))
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
    #[test]
    fn the_plain_literal_names_the_plain_key_id() {
        assert_eq!(super::PLAIN_SQL, format!("'{}'", crate::crypto::PLAIN));
    }
}
