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
    email_key: String,
    email: Option<Vec<u8>>,
    name: Option<Vec<u8>>,
    postcode: Option<Vec<u8>>,
    comment: Option<Vec<u8>>,
}

/// Which signatures a pass re-encrypts.
#[derive(Clone, Copy)]
enum Rows {
    NotUnderTheCurrentKey,
    /// Written before encryption (or with it off): personal data and the lookup key (the
    /// address itself) in the clear.
    Plain,
}

/// Rows re-encrypted so far: (signatures, outbox messages).
pub async fn rotate_keys(
    conn: &mut AsyncPgConnection,
    keys: &DataKeys,
    batch: i64,
    mut progress: impl FnMut(usize, usize),
) -> anyhow::Result<(usize, usize)> {
    let (mut signatures_done, mut outbox_done) = (0, 0);
    loop {
        let n = conn
            .transaction(async |conn| rotate_signatures(conn, keys, Rows::NotUnderTheCurrentKey, batch).await)
            .await?;
        signatures_done += n;
        progress(signatures_done, outbox_done);
        if n == 0 {
            break;
        }
    }
    loop {
        let n = conn.transaction(async |conn| rotate_outbox(conn, keys, batch).await).await?;
        outbox_done += n;
        progress(signatures_done, outbox_done);
        if n == 0 {
            break;
        }
    }
    Ok((signatures_done, outbox_done))
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
        let n =
            conn.transaction(async |conn| rotate_signatures(conn, keys, Rows::Plain, batch).await).await?;
        done += n;
        if n == 0 {
            return Ok(done);
        }
    }
}

async fn rotate_signatures(
    conn: &mut AsyncPgConnection,
    keys: &DataKeys,
    which: Rows,
    batch: i64,
) -> anyhow::Result<usize> {
    let which: Box<dyn BoxableExpression<signatures::table, Pg, SqlType = Bool>> = match which {
        Rows::NotUnderTheCurrentKey => Box::new(signatures::key_id.ne(keys.current_id().to_owned())),
        Rows::Plain => Box::new(signatures::key_id.eq(PLAIN)),
    };
    let rows: Vec<Row> = signatures::table
        .filter(which)
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
        .limit(batch)
        .for_update()
        .skip_locked()
        .load(conn)
        .await?;
    for row in &rows {
        let field = |column| Field { column, row: &row.id };
        let reseal = |column, value: &Option<Vec<u8>>| -> anyhow::Result<Option<Vec<u8>>> {
            let plain = value.as_deref().map(|v| keys.decrypt(&row.key_id, field(column), v)).transpose()?;
            Ok(plain.map(|p| keys.encrypt(field(column), &p)))
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
        let update = diesel::update(signatures::table.find(row.id));
        let sealed = (
            signatures::key_id.eq(keys.current_id()),
            signatures::email.eq(reseal("signatures.email", &row.email)?),
            signatures::name.eq(reseal("signatures.name", &row.name)?),
            signatures::postcode.eq(reseal("signatures.postcode", &row.postcode)?),
            signatures::comment.eq(reseal("signatures.comment", &row.comment)?),
        );
        match lookup {
            Some(lookup) => {
                // The suppression list is keyed like the signature: it moves along. A row
                // from before encryption is keyed by the address itself, which must not
                // travel to the database; the list is younger than such rows anyway.
                if row.key_id != PLAIN {
                    suppressions::rekey(conn, &row.email_key, &lookup).await?;
                }
                update.set((sealed, signatures::email_key.eq(lookup))).execute(conn).await?
            }
            None => update.set(sealed).execute(conn).await?,
        };
    }
    Ok(rows.len())
}

async fn rotate_outbox(conn: &mut AsyncPgConnection, keys: &DataKeys, batch: i64) -> anyhow::Result<usize> {
    let rows: Vec<SealedMessage> = outbox::table
        .filter(outbox::key_id.ne(keys.current_id()))
        .select((outbox::id, outbox::key_id, outbox::recipient, outbox::message))
        .limit(batch)
        .for_update()
        .skip_locked()
        .load(conn)
        .await?;
    for (id, key_id, recipient, message) in &rows {
        let reseal = |column, value: &Option<Vec<u8>>| -> anyhow::Result<Option<Vec<u8>>> {
            let field = Field { column, row: id };
            let plain = value.as_deref().map(|v| keys.decrypt(key_id, field, v)).transpose()?;
            Ok(plain.map(|p| keys.encrypt(field, &p)))
        };
        diesel::update(outbox::table.find(id))
            .set((
                outbox::key_id.eq(keys.current_id()),
                outbox::recipient.eq(reseal("outbox.recipient", recipient)?),
                outbox::message.eq(reseal("outbox.message", message)?),
            ))
            .execute(conn)
            .await?;
    }
    Ok(rows.len())
}
