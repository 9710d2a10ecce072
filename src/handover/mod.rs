//! Handover packs: what organizers hand a target when a petition ends, made so that
//! anyone can check later that nothing in it was changed. A pack is a private directory
//! with `handover.pdf` (the call, the counts, the signers, typeset by typst in the
//! target's language), `signatures.csv` (the same named signers), `manifest.json` (each
//! file's SHA-256, the counts, when and for whom) and `manifest.sig` (Ed25519 over the
//! manifest, with the campaign's key; its public half at `GET /c/{slug}/handover-key`).
//!
//! The rows come through `export::records`, so every pack is in the export log beside
//! the downloads. Signers who asked not to be named are counted and never named.

mod key;
mod manifest;
mod pack;
#[cfg(feature = "handover-pdf")]
mod pdf;
mod verify;

use std::sync::Arc;

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

pub use key::{PublicKey, public_key, rotate_keys, stored_public_key};
pub use manifest::{CSV, MANIFEST, Manifest, PDF, SIGNATURE};
pub use pack::{CSV_HEADER, Endorsement, PackRequest};
pub use verify::{Findings, read_manifest, verify};

use crate::campaigns::{Campaign, Target};
use crate::clock::Clock;
use crate::crypto::DataKeys;
use crate::export::Actor;

/// The files of a pack, in the order they are listed and zipped.
#[cfg(feature = "handover-pdf")]
pub const FILES: &[&str] = &[PDF, CSV, MANIFEST, SIGNATURE];
/// Without the `handover-pdf` feature a pack has no PDF.
#[cfg(not(feature = "handover-pdf"))]
pub const FILES: &[&str] = &[CSV, MANIFEST, SIGNATURE];

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the campaign has no target {given:?}; its targets are: {known}")]
pub struct UnknownTarget {
    given: String,
    known: String,
}

/// The campaign's target with that id, as its campaign file names it.
pub fn target(campaign: &Campaign, id: &str) -> Result<Target, UnknownTarget> {
    let id = id.trim();
    campaign.file.targets.iter().find(|t| t.id == id).cloned().ok_or_else(|| UnknownTarget {
        given: id.to_owned(),
        known: campaign.file.targets.iter().map(|t| t.id.as_str()).collect::<Vec<_>>().join(", "),
    })
}

/// Makes a pack: the signing key (made on first use) and the endorsements through `conn`,
/// then the rows on a connection of its own, on a blocking thread, since a pack reads
/// every signature through one long query and typesets for a while.
pub async fn make(
    conn: &mut AsyncPgConnection,
    db: &crate::db::Target,
    keys: Arc<DataKeys>,
    request: PackRequest,
    actor: Actor,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<Manifest> {
    let signing = key::signing_key(conn, &keys, request.campaign.id, clock.now()).await?;
    let endorsements = endorsing_organisations(conn, request.campaign.id).await?;
    let db = db.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = crate::db::connect(&db)?;
        pack::make(&mut conn, &keys, &signing, &endorsements, &request, &actor, clock.as_ref())
    })
    .await?
}

/// The organisations whose endorsement of the call was approved, for the pack's list.
async fn endorsing_organisations(
    conn: &mut AsyncPgConnection,
    campaign_id: Uuid,
) -> anyhow::Result<Vec<Endorsement>> {
    Ok(crate::endorsements::approved(conn, campaign_id)
        .await?
        .into_iter()
        .map(|e| Endorsement { name: e.organisation, country: e.country })
        .collect())
}
