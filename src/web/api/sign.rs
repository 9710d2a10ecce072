//! `POST /api/v1/petitions/{slug}/signatures`: a partner site posts a signature from its
//! own form. The token guard (`web::protected`, `Need::Sign`) has let through an owner's,
//! a manager's or a partner's token for this campaign; here the request walks the form's
//! line: closed campaign (410), the token's rate limit (429), the body (415, 400, 422),
//! then `signatures::prepare` and the signing queue, exactly as the form signs. The
//! supporter gets the same confirmation email and must confirm it themselves: nothing a
//! partner sends confirms a signature.
//!
//! Whose signature it is: a partner's token records its own partner (which the campaign
//! must list), and `referrer_data.referrer` may only repeat it; a lead organizer's token
//! records no partner, unless `referrer_data.referrer` names one the campaign lists
//! (forwarding signatures a partner collected). The answer is the same `202` whether the
//! address is new, pending or confirmed, with an id that is new each time (see
//! `Prepared::id`), so the API never tells whether someone signed.
//!
//! `Idempotency-Key` (optional, `crate::idempotency`): the same key and body within 24
//! hours get the stored answer again, and nothing is written or mailed twice; the same key
//! with another body, `422`.

use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_TYPE, RETRY_AFTER};
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::signature_body::{self, FieldErrors, SignatureBody};
use super::{ApiError, bearer_token};
use crate::campaigns::Campaign;
use crate::crypto::secret;
use crate::idempotency::{self, Claim, IdempotencyKey, Slot};
use crate::organizers::{Access, Role};
use crate::partners::PartnerId;
use crate::signatures;
use crate::web::AppState;
use crate::web::body::Body;
use crate::web::errors::WebError;
use crate::web::public::load_campaign;

/// A refusal the handler answers itself: a status, a message and, for a body that does
/// not validate, what is wrong with each field.
struct Refusal {
    status: StatusCode,
    error: String,
    fields: Option<FieldErrors>,
    retry_after: Option<u64>,
}

impl Refusal {
    fn new(status: StatusCode, error: impl Into<String>) -> Refusal {
        Refusal { status, error: error.into(), fields: None, retry_after: None }
    }

    fn response(self) -> HttpResponse {
        let mut body = json!({ "error": self.error });
        if let Some(fields) = self.fields {
            body["fields"] = json!(fields);
        }
        let mut response =
            HttpResponse::build(self.status).insert_header(("cache-control", "no-store")).json(body);
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(RETRY_AFTER, seconds.into());
        }
        response
    }
}

/// Either answered here (`Refusal`) or by the shared error type (`ApiError`).
enum Failure {
    Refused(Refusal),
    Error(ApiError),
}

impl<E: Into<ApiError>> From<E> for Failure {
    fn from(e: E) -> Failure {
        Failure::Error(e.into())
    }
}

fn refuse(status: StatusCode, error: impl Into<String>) -> Failure {
    Failure::Refused(Refusal::new(status, error))
}

#[tracing::instrument(skip_all, fields(slug = %slug))]
pub async fn sign(
    req: HttpRequest,
    state: web::Data<AppState>,
    access: web::ReqData<Access>,
    slug: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    match answer(&req, &state, &access, &slug, &body).await {
        Ok(response) => Ok(response),
        Err(Failure::Refused(refusal)) => Ok(refusal.response()),
        Err(Failure::Error(e)) => Err(e),
    }
}

async fn answer(
    req: &HttpRequest,
    state: &AppState,
    access: &Access,
    slug: &str,
    body: &[u8],
) -> Result<HttpResponse, Failure> {
    // The guard let the request through only with a valid token.
    let token_hash = secret::digest(&bearer_token(req).ok_or(WebError::Unauthorized)?);
    let campaign = load_campaign(state, slug).await?;
    if !campaign.open_at(state.clock.now()) {
        return Err(refuse(StatusCode::GONE, "this campaign no longer takes signatures"));
    }
    if let Err(wait) = state.api_limiter.check(token_hash.clone()) {
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        let mut refusal = Refusal::new(
            StatusCode::TOO_MANY_REQUESTS,
            "this token has posted too many signatures; try again after Retry-After seconds",
        );
        refusal.retry_after = Some(seconds.max(1));
        return Err(Failure::Refused(refusal));
    }
    if !is_json(req) {
        return Err(refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the body as Content-Type: application/json",
        ));
    }
    let key = match req.headers().get("idempotency-key") {
        None => None,
        Some(value) => Some(
            value
                .to_str()
                .ok()
                .and_then(|v| IdempotencyKey::parse(v).ok())
                .ok_or_else(|| refuse(StatusCode::BAD_REQUEST, IdempotencyKey::parse("").unwrap_err()))?,
        ),
    };
    let parsed = signature_body::parse(body).map_err(|malformed| {
        let mut refusal = Refusal::new(
            StatusCode::BAD_REQUEST,
            format!("the body is not a signature: {}", malformed.message),
        );
        refusal.fields = malformed.field.map(|field| FieldErrors::from([(field, malformed.message)]));
        Failure::Refused(refusal)
    })?;
    let partner = partner_for(access, &campaign, &parsed)?;
    let new = parsed.validate(partner.as_ref(), campaign.file.default_lang()).map_err(|fields| {
        let mut refusal =
            Refusal::new(StatusCode::UNPROCESSABLE_ENTITY, "some fields are not valid; see fields");
        refusal.fields = Some(fields);
        Failure::Refused(refusal)
    })?;

    let now = state.clock.now();
    let request_sha256 = idempotency::fingerprint(&[campaign.slug.as_bytes(), body]);
    let slot = key.as_ref().map(|key| Slot { token_hash: &token_hash, key });
    if let Some(slot) = &slot {
        let mut conn = state.pool.get().await?;
        match idempotency::claim(&mut conn, slot, &request_sha256, now).await? {
            Claim::New => {}
            Claim::Answered { status, body: stored } => {
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::ACCEPTED);
                let mut replay = HttpResponse::build(status);
                replay
                    .insert_header(("cache-control", "no-store"))
                    .insert_header(("idempotent-replayed", "true"));
                return Ok(replay.json(stored));
            }
            Claim::OtherRequest => {
                return Err(refuse(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "this Idempotency-Key was used for a different request in the last 24 hours; use a new key",
                ));
            }
            Claim::InProgress => {
                let mut refusal = Refusal::new(
                    StatusCode::CONFLICT,
                    "a request with this Idempotency-Key is still being answered",
                );
                refusal.retry_after = Some(1);
                return Err(Failure::Refused(refusal));
            }
        }
    }

    let signed = sign_one(state, &campaign, &new, now).await;
    let id = match (signed, &slot) {
        (Ok(id), _) => id,
        (Err(e), None) => return Err(e.into()),
        (Err(e), Some(slot)) => {
            // The client's retry must be tried afresh. Should this fail too, the claim is
            // taken over once abandoned (`idempotency::ABANDONED_AFTER`).
            let mut conn = state.pool.get().await?;
            if let Err(release) = idempotency::release(&mut conn, slot).await {
                tracing::warn!(error = %release, "could not release an idempotency key");
            }
            return Err(e.into());
        }
    };
    let reply = accepted(&state.settings.base_url, &campaign.slug, id);
    if let Some(slot) = &slot {
        let mut conn = state.pool.get().await?;
        idempotency::answer(&mut conn, slot, StatusCode::ACCEPTED.as_u16(), &reply).await?;
    }
    Ok(HttpResponse::Accepted().insert_header(("cache-control", "no-store")).json(reply))
}

/// Signs as the form does; returns the id to answer with (see the module comment).
async fn sign_one(
    state: &AppState,
    campaign: &Campaign,
    new: &signatures::NewSignature,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<uuid::Uuid, WebError> {
    let ctx = signatures::SignContext { keys: &state.keys, mail: &state.mail };
    let prepared = signatures::prepare(campaign, new, &ctx, now)?;
    let id = prepared.id();
    let outcome = state.signing.sign(prepared).await?;
    tracing::info!(?outcome, "signature posted through the API");
    // The partner's server is the client here, not the supporter: only the address's
    // domain counts toward a surge.
    state.surges.record(new.email.domain(), None);
    state.outbox_wake.notify_one();
    Ok(id)
}

/// The answer: OSDI's signature, as far as there is one before the supporter confirms.
fn accepted(base: &str, slug: &str, id: uuid::Uuid) -> Value {
    json!({
        "id": id,
        "identifiers": [format!("rallypost:{id}")],
        "status": "pending",
        "_links": { "osdi:petition": { "href": format!("{base}/api/v1/petitions/{slug}") } },
    })
}

/// The partner the signature is recorded with (see the module comment).
fn partner_for(
    access: &Access,
    campaign: &Campaign,
    body: &SignatureBody,
) -> Result<Option<PartnerId>, Failure> {
    let named = body.referrer_data.referrer.as_deref().map(str::trim);
    let listed = |id: &PartnerId| campaign.file.partner(id).is_some();
    let wrong_referrer = |message: &str| {
        let mut refusal =
            Refusal::new(StatusCode::UNPROCESSABLE_ENTITY, "some fields are not valid; see fields");
        refusal.fields = Some(FieldErrors::from([("referrer_data.referrer".to_owned(), message.to_owned())]));
        Failure::Refused(refusal)
    };
    match access.role() {
        Role::Partner => {
            let own = access.partner().filter(|p| listed(p)).ok_or_else(|| {
                refuse(StatusCode::FORBIDDEN, "this token's partner is not a partner of this campaign")
            })?;
            match named {
                Some(named) if named != own.as_ref() => {
                    Err(wrong_referrer("a partner's token posts for its own partner only"))
                }
                _ => Ok(Some(own.clone())),
            }
        }
        _ => match named {
            None => Ok(None),
            Some(named) => match PartnerId::parse(named) {
                Ok(id) if listed(&id) => Ok(Some(id)),
                _ => Err(wrong_referrer("not one of this campaign's partners")),
            },
        },
    }
}

fn is_json(req: &HttpRequest) -> bool {
    let Some(value) = req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}
