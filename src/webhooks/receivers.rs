//! Receivers: where webhooks go, and whose supporters they get. A partner's receiver gets
//! the supporters who opted in to that partner; the lead organisation's (no partner) gets
//! those who asked for its news. Each has a signing secret, shown once when it is added
//! and stored encrypted under the data key.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::address::AddressPolicy;
use super::secret::SigningSecret;
use crate::crypto::{DataKeys, Field};
use crate::db::schema::webhook_receivers;
use crate::outbox::{self, Kind};

const SECRET_COLUMN: &str = "webhook_receivers.secret";

/// Whose supporters a receiver gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Whose {
    /// The lead organisation: supporters who asked for its news (`updates`).
    Lead,
    /// A partner, by the id the campaign files give it: supporters who opted in to it.
    Partner(String),
}

impl Whose {
    /// A partner id as campaign files write them: 1 to 64 letters, digits, `-`, `_` or `.`.
    pub fn partner(id: &str) -> Result<Whose, String> {
        let id = id.trim();
        let ok = (1..=64).contains(&id.len())
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if !ok {
            return Err(format!("{id:?} is not a partner id (1 to 64 letters, digits, '-', '_' or '.')"));
        }
        Ok(Whose::Partner(id.to_owned()))
    }

    fn partner_id(&self) -> Option<&str> {
        match self {
            Whose::Lead => None,
            Whose::Partner(id) => Some(id),
        }
    }
}

impl std::fmt::Display for Whose {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Whose::Lead => f.write_str("lead organisation"),
            Whose::Partner(id) => write!(f, "partner {id}"),
        }
    }
}

/// An endpoint URL: `https`, or plain `http` only to this machine (a local relay, tests),
/// since a webhook may carry a supporter's name and address. Which addresses it may reach
/// is checked apart, when it is added and at every delivery (`address.rs`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiverUrl(url::Url);

impl ReceiverUrl {
    pub fn parse(text: &str) -> Result<ReceiverUrl, String> {
        let url = url::Url::parse(text.trim()).map_err(|e| format!("{text:?} is not a URL: {e}"))?;
        let local = match url.host() {
            Some(url::Host::Domain(host)) => host == "localhost",
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => return Err(format!("{text:?} names no host")),
        };
        match url.scheme() {
            "https" => {}
            "http" if local => {}
            "http" => return Err("webhooks carry personal data: use an https:// URL".into()),
            other => return Err(format!("{other}: is not a web address; use an https:// URL")),
        }
        if url.as_str().len() > 2000 {
            return Err("the URL is longer than 2000 characters".into());
        }
        Ok(ReceiverUrl(url))
    }
}

impl AsRef<str> for ReceiverUrl {
    fn as_ref(&self) -> &str {
        self.0.as_str()
    }
}

/// Why a receiver was not added.
#[derive(Debug, thiserror::Error)]
pub enum AddError {
    /// Its address is not one webhooks may reach, or its name has none: the message says
    /// which address and why, for the owner who typed it.
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// A receiver as listed; no secret.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = webhook_receivers)]
pub struct Receiver {
    pub id: Uuid,
    pub partner_id: Option<String>,
    pub url: String,
    pub created_at: DateTime<Utc>,
}

impl Receiver {
    pub fn whose(&self) -> Whose {
        self.partner_id.clone().map_or(Whose::Lead, Whose::Partner)
    }
}

/// Adds a receiver once its host resolves to addresses `policy` allows; returns it with
/// its new secret, which is shown once and never again.
pub async fn add(
    conn: &mut AsyncPgConnection,
    keys: &DataKeys,
    whose: &Whose,
    url: &ReceiverUrl,
    policy: AddressPolicy,
    now: DateTime<Utc>,
) -> Result<(Receiver, SigningSecret), AddError> {
    check(url, policy).await?;
    Ok(insert(conn, keys, whose, url, now).await?)
}

/// Whether `url` may be added under `policy`: its host resolved, every address allowed.
pub(super) async fn check(url: &ReceiverUrl, policy: AddressPolicy) -> Result<(), AddError> {
    policy.check_url(&url.0).await.map_err(AddError::Refused)
}

/// Stores a receiver whose URL was checked, with a new secret.
pub(super) async fn insert(
    conn: &mut AsyncPgConnection,
    keys: &DataKeys,
    whose: &Whose,
    url: &ReceiverUrl,
    now: DateTime<Utc>,
) -> anyhow::Result<(Receiver, SigningSecret)> {
    let id = crate::ids::new_id();
    let secret = SigningSecret::generate();
    let sealed = keys.encrypt(Field { column: SECRET_COLUMN, row: &id }, secret.bytes());
    let receiver = diesel::insert_into(webhook_receivers::table)
        .values((
            webhook_receivers::id.eq(id),
            webhook_receivers::partner_id.eq(whose.partner_id()),
            webhook_receivers::url.eq(url.as_ref()),
            webhook_receivers::secret.eq(sealed),
            webhook_receivers::key_id.eq(keys.current_id()),
            webhook_receivers::created_at.eq(now),
        ))
        .returning(Receiver::as_returning())
        .get_result(conn)
        .await?;
    Ok((receiver, secret))
}

/// One receiver, if it exists.
pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Receiver>> {
    webhook_receivers::table.find(id).select(Receiver::as_select()).first(conn).await.optional()
}

pub async fn list(conn: &mut AsyncPgConnection) -> QueryResult<Vec<Receiver>> {
    webhook_receivers::table
        .select(Receiver::as_select())
        .order(webhook_receivers::created_at)
        .load(conn)
        .await
}

/// Removes a receiver and drops what was still queued for it; false if there was none.
pub async fn remove(conn: &mut AsyncPgConnection, id: Uuid) -> anyhow::Result<bool> {
    conn.transaction(async |conn| {
        let removed = diesel::delete(webhook_receivers::table.find(id)).execute(conn).await?;
        outbox::cancel_for_target(conn, Kind::Webhook, &id.to_string()).await?;
        Ok(removed == 1)
    })
    .await
}

/// The receivers a newly confirmed supporter goes to: the lead organisation's if they
/// asked for its news, and their partner's if they opted in to it.
pub async fn for_supporter(
    conn: &mut AsyncPgConnection,
    updates_opt_in: bool,
    opted_in_partner: Option<&str>,
) -> QueryResult<Vec<Receiver>> {
    use webhook_receivers::partner_id;
    let query = webhook_receivers::table
        .select(Receiver::as_select())
        .order(webhook_receivers::created_at)
        .into_boxed();
    let query = match (updates_opt_in, opted_in_partner) {
        (false, None) => return Ok(Vec::new()),
        (true, None) => query.filter(partner_id.is_null()),
        (false, Some(partner)) => query.filter(partner_id.eq(partner)),
        (true, Some(partner)) => query.filter(partner_id.is_null().or(partner_id.eq(partner))),
    };
    query.load(conn).await
}

/// A receiver's URL and decrypted secret, for delivering to it; `None` once removed.
pub async fn open(
    conn: &mut AsyncPgConnection,
    keys: &DataKeys,
    id: Uuid,
) -> anyhow::Result<Option<(String, SigningSecret)>> {
    let found: Option<(String, Vec<u8>, String)> = webhook_receivers::table
        .find(id)
        .select((webhook_receivers::url, webhook_receivers::secret, webhook_receivers::key_id))
        .first(conn)
        .await
        .optional()?;
    let Some((url, sealed, key_id)) = found else { return Ok(None) };
    let bytes = keys.decrypt_owned(&key_id, Field { column: SECRET_COLUMN, row: &id }, sealed)?;
    Ok(Some((url, SigningSecret::from_bytes(bytes))))
}

/// Re-encrypts the secrets stored under a key other than the current one (`keys rotate`),
/// so that the old key can be dropped; returns how many. Receivers are few: one statement
/// each, in one transaction.
pub async fn rotate_secrets(conn: &mut AsyncPgConnection, keys: &DataKeys) -> anyhow::Result<usize> {
    conn.transaction(async |conn| {
        let stale: Vec<(Uuid, Vec<u8>, String)> = webhook_receivers::table
            .filter(webhook_receivers::key_id.ne(keys.current_id()))
            .select((webhook_receivers::id, webhook_receivers::secret, webhook_receivers::key_id))
            .for_update()
            .load(conn)
            .await?;
        for (id, sealed, key_id) in &stale {
            let field = Field { column: SECRET_COLUMN, row: id };
            diesel::update(webhook_receivers::table.find(id))
                .set((
                    webhook_receivers::secret.eq(keys.reseal(key_id, field, sealed)?),
                    webhook_receivers::key_id.eq(keys.current_id()),
                ))
                .execute(conn)
                .await?;
        }
        Ok(stale.len())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receiver_urls_are_https_or_local() {
        for ok in
            ["https://crm.partner.example/hooks/rallypost", "http://127.0.0.1:9000/h", "http://localhost/h"]
        {
            assert!(ReceiverUrl::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["http://crm.partner.example/h", "ftp://x.example/", "crm.partner.example", "", "https://"]
        {
            assert!(ReceiverUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn partner_ids_are_short_words() {
        assert_eq!(Whose::partner("pro-asyl"), Ok(Whose::Partner("pro-asyl".into())));
        for bad in ["", "two words", "x/y", &"a".repeat(65)] {
            assert!(Whose::partner(bad).is_err(), "{bad}");
        }
    }
}
