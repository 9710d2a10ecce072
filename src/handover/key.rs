//! Each campaign's Ed25519 key for signing handover packs: made on first use, its secret
//! half stored encrypted under the data key (bound to the campaign's id, as supporters'
//! fields are bound to their rows), its public half stored in the clear for
//! `GET /c/{slug}/handover-key` and `handover verify`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePublicKey, EncodePublicKey};
use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::crypto::{DataKeys, Field};
use crate::db::schema::handover_keys;

const SECRET_COLUMN: &str = "handover_keys.secret_key";

/// A campaign's public key, as published and as packs name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    /// `sha256:` and the hex SHA-256 of the raw 32-byte key: short enough to read aloud
    /// over the phone, and what the manifest and the key endpoint both show.
    pub fn fingerprint(&self) -> String {
        format!("sha256:{}", hex::encode(Sha256::digest(self.0.as_bytes())))
    }

    /// The raw 32-byte key in standard base64.
    pub fn base64(&self) -> String {
        STANDARD.encode(self.0.as_bytes())
    }

    /// SubjectPublicKeyInfo PEM, as `openssl pkey -pubin` reads it.
    pub fn pem(&self) -> String {
        self.0.to_public_key_pem(LineEnding::LF).expect("an Ed25519 key always encodes")
    }

    /// Reads a key as a person may have saved it: the PEM, the key endpoint's JSON, or the
    /// raw key in base64.
    pub fn parse(text: &str) -> Result<PublicKey, String> {
        let text = text.trim();
        if text.starts_with("-----BEGIN") {
            return VerifyingKey::from_public_key_pem(text)
                .map(PublicKey)
                .map_err(|_| "not an Ed25519 public key in PEM".to_owned());
        }
        let raw = if text.starts_with('{') {
            let json: serde_json::Value =
                serde_json::from_str(text).map_err(|_| "not the key endpoint's JSON".to_owned())?;
            json["public_key"].as_str().ok_or("the JSON has no \"public_key\"")?.to_owned()
        } else {
            text.to_owned()
        };
        let bytes: [u8; 32] = STANDARD
            .decode(raw.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or("expected a PEM public key, the key endpoint's JSON, or 32 bytes in base64")?;
        VerifyingKey::from_bytes(&bytes)
            .map(PublicKey)
            .map_err(|_| "not a valid Ed25519 public key".to_owned())
    }

    /// Strict verification: refuses the malleable and small-order forms plain `verify` lets by.
    pub fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        let Ok(signature) = <[u8; 64]>::try_from(signature) else { return false };
        self.0.verify_strict(message, &Signature::from_bytes(&signature)).is_ok()
    }
}

/// The campaign's signing key, made and stored on first use. Two first uses at once
/// both end with the one that was stored first.
pub async fn signing_key(
    conn: &mut AsyncPgConnection,
    keys: &DataKeys,
    campaign_id: Uuid,
    now: DateTime<Utc>,
) -> anyhow::Result<SigningKey> {
    if let Some(key) = stored_signing_key(conn, keys, campaign_id).await? {
        return Ok(key);
    }
    let fresh = SigningKey::from_bytes(&rand::random::<[u8; 32]>());
    let sealed = keys.encrypt(Field { column: SECRET_COLUMN, row: &campaign_id }, fresh.as_bytes());
    diesel::insert_into(handover_keys::table)
        .values((
            handover_keys::campaign_id.eq(campaign_id),
            handover_keys::public_key.eq(fresh.verifying_key().as_bytes().to_vec()),
            handover_keys::secret_key.eq(sealed),
            handover_keys::key_id.eq(keys.current_id()),
            handover_keys::created_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    stored_signing_key(conn, keys, campaign_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the handover key vanished"))
}

async fn stored_signing_key(
    conn: &mut AsyncPgConnection,
    keys: &DataKeys,
    campaign_id: Uuid,
) -> anyhow::Result<Option<SigningKey>> {
    let found: Option<(Vec<u8>, String)> = handover_keys::table
        .find(campaign_id)
        .select((handover_keys::secret_key, handover_keys::key_id))
        .first(conn)
        .await
        .optional()?;
    let Some((sealed, key_id)) = found else { return Ok(None) };
    let secret = keys.decrypt_owned(&key_id, Field { column: SECRET_COLUMN, row: &campaign_id }, sealed)?;
    let secret: [u8; 32] =
        secret.try_into().map_err(|_| anyhow::anyhow!("the stored handover key is not 32 bytes"))?;
    Ok(Some(SigningKey::from_bytes(&secret)))
}

/// The public key, made on first use like the signing key: a campaign can publish it
/// before its first handover.
pub async fn public_key(
    conn: &mut AsyncPgConnection,
    keys: &DataKeys,
    campaign_id: Uuid,
    now: DateTime<Utc>,
) -> anyhow::Result<PublicKey> {
    if let Some(key) = stored_public_key(conn, campaign_id).await? {
        return Ok(key);
    }
    Ok(PublicKey(signing_key(conn, keys, campaign_id, now).await?.verifying_key()))
}

/// The public key if one was made; needs no data key (`handover verify`).
pub async fn stored_public_key(
    conn: &mut AsyncPgConnection,
    campaign_id: Uuid,
) -> anyhow::Result<Option<PublicKey>> {
    let found: Option<Vec<u8>> = handover_keys::table
        .find(campaign_id)
        .select(handover_keys::public_key)
        .first(conn)
        .await
        .optional()?;
    found
        .map(|raw| {
            let raw: [u8; 32] =
                raw.try_into().map_err(|_| anyhow::anyhow!("stored public key is not 32 bytes"))?;
            VerifyingKey::from_bytes(&raw)
                .map(PublicKey)
                .map_err(|_| anyhow::anyhow!("stored public key is not a valid Ed25519 key"))
        })
        .transpose()
}

pub fn public_of(key: &SigningKey) -> PublicKey {
    PublicKey(key.verifying_key())
}

/// Re-encrypts the keys stored under a data key other than the current one (`keys
/// rotate`), so that the old data key can be dropped; returns how many. One per campaign:
/// one statement each, in one transaction.
pub async fn rotate_keys(conn: &mut AsyncPgConnection, keys: &DataKeys) -> anyhow::Result<usize> {
    conn.transaction(async |conn| {
        let stale: Vec<(Uuid, Vec<u8>, String)> = handover_keys::table
            .filter(handover_keys::key_id.ne(keys.current_id()))
            .select((handover_keys::campaign_id, handover_keys::secret_key, handover_keys::key_id))
            .for_update()
            .load(conn)
            .await?;
        for (id, sealed, key_id) in &stale {
            let field = Field { column: SECRET_COLUMN, row: id };
            diesel::update(handover_keys::table.find(id))
                .set((
                    handover_keys::secret_key.eq(keys.reseal(key_id, field, sealed)?),
                    handover_keys::key_id.eq(keys.current_id()),
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
    use ed25519_dalek::Signer;

    use super::*;

    #[test]
    fn a_key_reads_back_from_each_published_form_and_verifies_only_its_own_signatures() {
        let signing = SigningKey::from_bytes(&[7; 32]);
        let public = public_of(&signing);
        let json = serde_json::json!({ "public_key": public.base64() }).to_string();
        for form in [public.pem(), public.base64(), json] {
            assert_eq!(PublicKey::parse(&form), Ok(public), "{form}");
        }
        let signature = signing.sign(b"manifest").to_bytes();
        assert!(public.verifies(b"manifest", &signature));
        assert!(!public.verifies(b"manifest!", &signature));
        assert!(!public.verifies(b"manifest", &signature[1..]));
        assert!(public.fingerprint().starts_with("sha256:") && public.fingerprint().len() == 71);
        assert!(PublicKey::parse("not a key").is_err());
    }
}
