//! `GET /c/{slug}/handover-key`: the campaign's public key for checking its handover
//! packs, for journalists and targets. JSON: the raw key in base64, the same key as PEM
//! (SubjectPublicKeyInfo, for `openssl`), and its fingerprint, which every pack's
//! manifest names. Made on first use, so a campaign can publish it before its first pack.

use actix_web::{HttpResponse, web};
use serde::Serialize;

use super::AppState;
use super::errors::WebError;
use super::public::load_campaign;
use crate::handover;

#[derive(Serialize)]
struct KeyJson<'a> {
    campaign: &'a str,
    algorithm: &'static str,
    /// The 32-byte Ed25519 key, standard base64.
    public_key: String,
    public_key_pem: String,
    fingerprint: String,
}

#[tracing::instrument(skip_all, fields(slug = %slug))]
pub async fn handover_key(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let campaign = load_campaign(&state, &slug).await?;
    let mut conn = state.pool.get().await?;
    let key = handover::public_key(&mut conn, &state.keys, campaign.id, state.clock.now()).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=300"))
        .insert_header(("Access-Control-Allow-Origin", "*"))
        .json(KeyJson {
            campaign: &campaign.slug,
            algorithm: "Ed25519",
            public_key: key.base64(),
            public_key_pem: key.pem(),
            fingerprint: key.fingerprint(),
        }))
}
