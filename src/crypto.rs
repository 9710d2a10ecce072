//! Supporters' personal data at rest: XChaCha20-Poly1305 under the data key, with the key's
//! id stored beside each row so keys can rotate, and a keyed hash (HMAC-SHA256) of the
//! canonical address for finding a repeated signature without storing the address.
//!
//! Each ciphertext is bound to its table, column and row (as associated data), so a value
//! copied into another row or column does not decrypt.

pub mod secret;

use chacha20poly1305::aead::{Aead, AeadInPlace, KeyInit, Payload};
use chacha20poly1305::{Tag, XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Rows written before encryption, or with encryption turned off for a benchmark.
pub const PLAIN: &str = "plain";

struct DataKey {
    id: String,
    cipher: XChaCha20Poly1305,
    lookup: [u8; 32],
    tagging: [u8; 32],
}

impl DataKey {
    fn new(secret: &[u8; 32]) -> DataKey {
        let digest = Sha256::digest(secret);
        let mut lookup = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("any key length");
        lookup.update(b"rallypost email lookup v1");
        let mut tagging = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("any key length");
        tagging.update(b"rallypost tags v1");
        DataKey {
            tagging: tagging.finalize().into_bytes().into(),
            id: hex::encode(&digest[..4]),
            cipher: XChaCha20Poly1305::new(secret.into()),
            lookup: lookup.finalize().into_bytes().into(),
        }
    }
}

/// The current key (used to write) and older ones (still readable until rotated away).
pub struct DataKeys {
    current: Option<DataKey>,
    old: Vec<DataKey>,
}

/// Where a value lives; part of what its ciphertext is bound to.
#[derive(Clone, Copy)]
pub struct Field<'a> {
    pub column: &'static str,
    pub row: &'a uuid::Uuid,
}

impl DataKeys {
    pub fn new(current: [u8; 32], old: &[[u8; 32]]) -> DataKeys {
        DataKeys { current: Some(DataKey::new(&current)), old: old.iter().map(DataKey::new).collect() }
    }

    /// Stores values in the clear; for measuring what encryption costs, never for use.
    pub fn disabled() -> DataKeys {
        DataKeys { current: None, old: Vec::new() }
    }

    /// The id written beside new rows.
    pub fn current_id(&self) -> &str {
        self.current.as_ref().map_or(PLAIN, |k| &k.id)
    }

    pub fn encrypt(&self, field: Field<'_>, plaintext: &[u8]) -> Vec<u8> {
        let Some(key) = &self.current else { return plaintext.to_vec() };
        let nonce: [u8; 24] = rand::random();
        let mut aad = [0; AAD_MAX];
        let aad = associated_data(field, &mut aad);
        let mut out = nonce.to_vec();
        out.extend(
            key.cipher
                .encrypt(XNonce::from_slice(&nonce), Payload { msg: plaintext, aad })
                .expect("encryption of a bounded message cannot fail"),
        );
        out
    }

    pub fn encrypt_text(&self, field: Field<'_>, text: Option<&str>) -> Option<Vec<u8>> {
        text.map(|t| self.encrypt(field, t.as_bytes()))
    }

    /// A value sealed under `key_id`, sealed again under the current key (`keys rotate`).
    pub fn reseal(&self, key_id: &str, field: Field<'_>, blob: &[u8]) -> anyhow::Result<Vec<u8>> {
        Ok(self.encrypt(field, &self.decrypt(key_id, field, blob)?))
    }

    pub fn decrypt(&self, key_id: &str, field: Field<'_>, blob: &[u8]) -> anyhow::Result<Vec<u8>> {
        self.decrypt_owned(key_id, field, blob.to_vec())
    }

    /// Like `decrypt`, but the plaintext takes the place of `blob` in its own memory: an
    /// export opens millions of values, and allocating for each was a tenth of its time.
    pub fn decrypt_owned(
        &self,
        key_id: &str,
        field: Field<'_>,
        mut blob: Vec<u8>,
    ) -> anyhow::Result<Vec<u8>> {
        if key_id == PLAIN {
            return Ok(blob);
        }
        let key = self.current.iter().chain(&self.old).find(|k| k.id == key_id).ok_or_else(|| {
            anyhow::anyhow!(
                "data key {key_id} is not configured (RALLYPOST_DATA_KEY / RALLYPOST_DATA_KEYS_OLD)"
            )
        })?;
        anyhow::ensure!(
            blob.len() >= 24,
            "{} of row {} is too short to be ciphertext",
            field.column,
            field.row
        );
        let wrong =
            || anyhow::anyhow!("{} of row {} does not decrypt with key {key_id}", field.column, field.row);
        let Some(tag_at) = blob.len().checked_sub(16).filter(|&at| at >= 24) else { return Err(wrong()) };
        let nonce = *XNonce::from_slice(&blob[..24]);
        let tag = *Tag::from_slice(&blob[tag_at..]);
        blob.truncate(tag_at);
        blob.drain(..24);
        let mut aad = [0; AAD_MAX];
        let aad = associated_data(field, &mut aad);
        key.cipher.decrypt_in_place_detached(&nonce, aad, &mut blob, &tag).map_err(|_| wrong())?;
        Ok(blob)
    }

    pub fn decrypt_text(
        &self,
        key_id: &str,
        field: Field<'_>,
        blob: Option<&[u8]>,
    ) -> anyhow::Result<Option<String>> {
        self.decrypt_text_owned(key_id, field, blob.map(<[u8]>::to_vec))
    }

    pub fn decrypt_text_owned(
        &self,
        key_id: &str,
        field: Field<'_>,
        blob: Option<Vec<u8>>,
    ) -> anyhow::Result<Option<String>> {
        blob.map(|b| Ok(String::from_utf8(self.decrypt_owned(key_id, field, b)?)?)).transpose()
    }

    /// The lookup key for a canonical address under the current key: 32 raw bytes (stored as
    /// `bytea`, half the size of its hex in the table and in the unique index). With
    /// encryption off (benchmarks only), an unkeyed SHA-256: the column never holds the
    /// address itself.
    pub fn email_lookup(&self, canonical: &str) -> Vec<u8> {
        match &self.current {
            Some(key) => lookup(key, canonical),
            None => unkeyed_lookup(canonical),
        }
    }

    /// The lookup keys under every configured key, so that a repeated signature is found
    /// even while a rotation is under way. Only hashes: the address never travels to the
    /// database. Rows from before encryption, keyed by the address itself, get their keyed
    /// hash when a server starts (`signatures::seal_plain_rows`).
    pub fn email_lookups(&self, canonical: &str) -> Vec<Vec<u8>> {
        let keyed = self.current.iter().chain(&self.old).map(|k| lookup(k, canonical));
        match &self.current {
            Some(_) => keyed.collect(),
            None => std::iter::once(unkeyed_lookup(canonical)).chain(keyed).collect(),
        }
    }
}

impl DataKeys {
    /// A keyed hash (HMAC-SHA256) of `data` for `purpose` under the current key, for a
    /// value handed out that must come back unforged (a bounce address). With encryption
    /// off (benchmarks only), unkeyed.
    pub fn tag(&self, purpose: &str, data: &[u8]) -> [u8; 32] {
        tag(self.current.as_ref(), purpose, data)
    }

    /// `tag` under every configured key, current first: a value handed out before a
    /// rotation still checks.
    pub fn tags(&self, purpose: &str, data: &[u8]) -> Vec<[u8; 32]> {
        match &self.current {
            None => vec![tag(None, purpose, data)],
            Some(_) => self.current.iter().chain(&self.old).map(|k| tag(Some(k), purpose, data)).collect(),
        }
    }
}

fn tag(key: Option<&DataKey>, purpose: &str, data: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.map_or(&[][..], |k| &k.tagging[..]))
        .expect("any key length");
    mac.update(purpose.as_bytes());
    mac.update(b"\0");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

fn lookup(key: &DataKey, canonical: &str) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key.lookup).expect("any key length");
    mac.update(canonical.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

fn unkeyed_lookup(canonical: &str) -> Vec<u8> {
    Sha256::digest(canonical.as_bytes()).to_vec()
}

/// Room for `rallypost:{column}:{row}` with the longest column name in use.
const AAD_MAX: usize = 96;

/// `rallypost:{column}:{row}`, written into `buf` rather than a new allocation.
fn associated_data<'b>(field: Field<'_>, buf: &'b mut [u8; AAD_MAX]) -> &'b [u8] {
    let mut row = uuid::Uuid::encode_buffer();
    let row = field.row.hyphenated().encode_lower(&mut row);
    let mut len = 0;
    for part in ["rallypost:", field.column, ":", row] {
        buf[len..len + part.len()].copy_from_slice(part.as_bytes());
        len += part.len();
    }
    &buf[..len]
}

/// Parses a 32-byte key written as 64 hex digits.
pub fn parse_key(text: &str) -> Result<[u8; 32], String> {
    let bytes = hex::decode(text.trim()).map_err(|_| "expected 64 hexadecimal digits".to_owned())?;
    bytes.try_into().map_err(|_| "expected 64 hexadecimal digits (32 bytes)".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(row: &uuid::Uuid) -> Field<'_> {
        Field { column: "signatures.name", row }
    }

    #[test]
    fn values_round_trip_and_are_not_readable() {
        let keys = DataKeys::new([7; 32], &[]);
        let row = uuid::Uuid::now_v7();
        let blob = keys.encrypt(field(&row), "Mina Ahmadi".as_bytes());
        assert!(!String::from_utf8_lossy(&blob).contains("Mina"));
        assert_eq!(keys.decrypt(keys.current_id(), field(&row), &blob).unwrap(), b"Mina Ahmadi");
    }

    #[test]
    fn a_value_moved_to_another_row_or_key_does_not_decrypt() {
        let keys = DataKeys::new([7; 32], &[]);
        let (a, b) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        let blob = keys.encrypt(field(&a), b"Mina");
        assert!(keys.decrypt(keys.current_id(), field(&b), &blob).is_err());
        let other = DataKeys::new([8; 32], &[]);
        assert!(other.decrypt(keys.current_id(), field(&a), &blob).is_err());
    }

    #[test]
    fn old_keys_still_read_after_a_new_one_is_set() {
        let old = DataKeys::new([7; 32], &[]);
        let row = uuid::Uuid::now_v7();
        let blob = old.encrypt(field(&row), b"Mina");
        let rotated = DataKeys::new([9; 32], &[[7; 32]]);
        assert_ne!(rotated.current_id(), old.current_id());
        assert_eq!(rotated.decrypt(old.current_id(), field(&row), &blob).unwrap(), b"Mina");
        assert!(rotated.email_lookups("a@b.org").contains(&old.email_lookup("a@b.org")));
    }

    #[test]
    fn associated_data_names_table_column_and_row() {
        let row = uuid::Uuid::now_v7();
        let mut buf = [0; AAD_MAX];
        let field = Field { column: "signatures.comment", row: &row };
        assert_eq!(
            associated_data(field, &mut buf),
            format!("rallypost:signatures.comment:{row}").as_bytes()
        );
    }

    #[test]
    fn truncated_or_tampered_values_are_refused() {
        let keys = DataKeys::new([7; 32], &[]);
        let row = uuid::Uuid::now_v7();
        let blob = keys.encrypt(field(&row), b"Mina");
        for cut in [0, 10, 24, 30, blob.len() - 1] {
            assert!(keys.decrypt(keys.current_id(), field(&row), &blob[..cut]).is_err(), "cut at {cut}");
        }
        let mut tampered = blob.clone();
        tampered[30] ^= 1;
        assert!(keys.decrypt(keys.current_id(), field(&row), &tampered).is_err());
        assert_eq!(keys.decrypt_owned(keys.current_id(), field(&row), blob).unwrap(), b"Mina");
    }

    #[test]
    fn lookups_are_keyed() {
        let a = DataKeys::new([1; 32], &[]);
        let b = DataKeys::new([2; 32], &[]);
        assert_eq!(a.email_lookup("mina@example.org"), a.email_lookup("mina@example.org"));
        assert_ne!(a.email_lookup("mina@example.org"), b.email_lookup("mina@example.org"));
        assert!(!a.email_lookup("mina@example.org").windows(4).any(|w| w == b"mina"));
    }

    #[test]
    fn lookups_never_carry_the_address_even_with_encryption_off() {
        for keys in [DataKeys::new([1; 32], &[[2; 32]]), DataKeys::disabled()] {
            let lookups = keys.email_lookups("mina@example.org");
            assert!(lookups.contains(&keys.email_lookup("mina@example.org")));
            assert!(lookups.iter().all(|l| !l.windows(4).any(|w| w == b"mina")), "{lookups:?}");
        }
    }
}
