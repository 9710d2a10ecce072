//! `GET /api/v1/petitions`, `/api/v1/petitions/{slug}` and its `signatures`: OSDI
//! resources with HAL `_links`, and collections with `total_records`, `total_pages` and
//! `_links.next` while there are more pages. Signatures are paged by cursor (see
//! `export::confirmed_after`); page numbers still work. Totals come from the dashboard's
//! per-day counts (`reports`), not from counting the signatures on every request.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::paging::encode;
use super::{ApiError, Start, paging};
use crate::campaigns::{self, Campaign};
use crate::export::{Confirmed, SupporterRecord, confirmed_after, confirmed_page};
use crate::organizers::Access;
use crate::web::AppState;
use crate::web::errors::WebError;

fn href(base: &str, path: &str) -> Value {
    json!({ "href": format!("{base}{path}") })
}

fn petition(base: &str, c: &Campaign, total_signatures: i64) -> Value {
    let text = c.file.text(c.file.default_lang());
    let path = format!("/api/v1/petitions/{}", c.slug);
    json!({
        "identifiers": [format!("rallypost:{}", c.id)],
        "origin_system": "rallypost",
        "name": c.slug,
        "title": text.title,
        "description": text.summary,
        "petition_text": text.call.join("\n\n"),
        "browser_url": format!("{base}/c/{}", c.slug),
        "target": c.file.targets.iter().map(|t| json!({ "name": t.office, "organization": t.organisation })).collect::<Vec<_>>(),
        "total_signatures": total_signatures,
        "_links": {
            "self": href(base, &path),
            "osdi:signatures": href(base, &format!("{path}/signatures")),
            "rallypost:endorsements": href(base, &format!("{path}/endorsements")),
            "rallypost:replies": href(base, &format!("{path}/replies")),
        },
    })
}

fn signature(base: &str, slug: &str, s: &SupporterRecord) -> Value {
    json!({
        "identifiers": [format!("rallypost:{}", s.id)],
        "origin_system": "rallypost",
        "created_date": s.signed_at,
        "modified_date": s.confirmed_at.unwrap_or(s.signed_at),
        "comments": s.comment,
        "referrer_data": referrer_data(s),
        "_embedded": {
            "osdi:person": {
                // One name field on the form: it goes whole into given_name, never split.
                "given_name": s.name,
                "email_addresses": s.email.as_ref().map(|e| vec![json!({ "address": e, "primary": true })]).unwrap_or_default(),
                "postal_addresses": [{ "postal_code": s.postcode, "country": s.country }],
                "languages_spoken": [s.language],
                "custom_fields": {
                    "updates_opt_in": s.updates_opt_in,
                    "partner_opt_in": s.partner_opt_in,
                    "anonymous": s.anonymous,
                },
            }
        },
        "_links": { "osdi:petition": href(base, &format!("/api/v1/petitions/{slug}")) },
    })
}

/// OSDI's `referrer_data`: `source` (the link's `utm_source`), `referrer` (the partner whose
/// link it was) and `website` (the host of the page that linked to the campaign), plus the
/// link's `utm_medium` and `utm_campaign` as `medium` and `campaign`, which OSDI leaves to
/// extensions. Only what is known is present.
fn referrer_data(s: &SupporterRecord) -> Value {
    let fields = [
        ("source", &s.utm_source),
        ("referrer", &s.partner),
        ("website", &s.referrer_host),
        ("medium", &s.utm_medium),
        ("campaign", &s.utm_campaign),
    ];
    fields.into_iter().filter_map(|(k, v)| Some((k.to_owned(), Value::from(v.as_deref()?)))).collect()
}

/// How long a confirmation stays out of cursor pages: longer than any confirming
/// transaction takes to commit after stamping its time (see `export::confirmed_after`).
const SETTLING: chrono::Duration = chrono::Duration::seconds(10);

/// The collection envelope: counts and `self`/`next`/`prev` links for `path`, by page
/// number, for `page`.
fn collection(
    base: &str,
    path: &str,
    page: i64,
    per_page: i64,
    total: i64,
    key: &str,
    items: Vec<Value>,
) -> Value {
    let link = |p: i64| href(base, &format!("{path}?page={p}&per_page={per_page}"));
    let total_pages = pages(total, per_page);
    let mut links = json!({ "self": link(page) });
    if page < total_pages {
        links["next"] = link(page + 1);
    }
    if page > 1 && page <= total_pages {
        links["prev"] = link(page - 1);
    }
    let mut body = envelope(links, total, per_page, key, items);
    body["page"] = json!(page);
    body
}

/// The collection envelope for a page after `cursor`, with `next` after its last row.
fn cursor_collection(
    base: &str,
    path: &str,
    (cursor, next): (Option<Confirmed>, Option<Confirmed>),
    per_page: i64,
    total: i64,
    key: &str,
    items: Vec<Value>,
) -> Value {
    let link = |position: Option<Confirmed>| match position {
        Some(position) => href(base, &format!("{path}?cursor={}&per_page={per_page}", encode(position))),
        None => href(base, &format!("{path}?per_page={per_page}")),
    };
    let mut links = json!({ "self": link(cursor) });
    if next.is_some() {
        links["next"] = link(next);
    }
    envelope(links, total, per_page, key, items)
}

fn pages(total: i64, per_page: i64) -> i64 {
    (total + per_page - 1) / per_page
}

fn envelope(mut links: Value, total: i64, per_page: i64, key: &str, items: Vec<Value>) -> Value {
    // Signatures have no resource of their own (yet), so only petitions are linked here.
    let own: Vec<Value> = items
        .iter()
        .filter_map(|i| i["_links"]["self"].as_object().map(|o| Value::Object(o.clone())))
        .collect();
    if !own.is_empty() {
        links[key] = Value::Array(own);
    }
    json!({
        "total_records": total,
        "total_pages": pages(total, per_page),
        "per_page": per_page,
        "_links": links,
        "_embedded": { key: items },
    })
}

/// Confirmed signatures from the dashboard's counts, brought up to date first.
async fn confirmed_total(
    state: &AppState,
    conn: &mut diesel_async::AsyncPgConnection,
    c: &Campaign,
) -> Result<i64, ApiError> {
    Ok(crate::reports::status_totals(conn, c.id, state.clock.now()).await?.confirmed)
}

async fn find(conn: &mut diesel_async::AsyncPgConnection, slug: &str) -> Result<Campaign, ApiError> {
    campaigns::find_by_slug(conn, slug).await?.ok_or(WebError::NotFound.into())
}

pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    access: web::ReqData<Access>,
) -> Result<HttpResponse, ApiError> {
    // A handful of petitions: page numbers are all they need.
    let (page, per_page) = match paging(&req)? {
        (Start::Page(page), per_page) => (page, per_page),
        (Start::After(None), per_page) => (1, per_page),
        (Start::After(Some(_)), _) => {
            return Err(WebError::BadRequest("petitions are paged by page number, not cursor".into()).into());
        }
    };
    let base = &state.settings.base_url;
    let mut conn = state.pool.get().await?;
    let all: Vec<Campaign> =
        campaigns::list(&mut conn).await?.into_iter().filter(|c| access.sees_campaign(c.id)).collect();
    let total = all.len() as i64;
    let mut items = Vec::new();
    for c in all.iter().skip(((page - 1) * per_page) as usize).take(per_page as usize) {
        items.push(petition(base, c, confirmed_total(&state, &mut conn, c).await?));
    }
    let body = collection(base, "/api/v1/petitions", page, per_page, total, "osdi:petitions", items);
    Ok(HttpResponse::Ok().json(body))
}

pub async fn one(state: web::Data<AppState>, slug: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let c = find(&mut conn, &slug).await?;
    let count = confirmed_total(&state, &mut conn, &c).await?;
    Ok(HttpResponse::Ok().json(petition(&state.settings.base_url, &c, count)))
}

/// Confirmed signatures only: pending ones have not been proven to be their owner's. A
/// partner's token reads only the supporters who opted in to that partner.
pub async fn signatures(
    req: HttpRequest,
    state: web::Data<AppState>,
    access: web::ReqData<Access>,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (start, per_page) = paging(&req)?;
    let partner = access.supporters_filter().map_err(|_| WebError::Forbidden)?;
    let partner = partner.as_ref();
    let base = &state.settings.base_url;
    let mut conn = state.pool.get().await?;
    let c = find(&mut conn, &slug).await?;
    let total = match partner {
        Some(partner) => {
            crate::reports::partner_opted_in(&mut conn, c.id, partner.as_ref(), state.clock.now()).await?
        }
        None => confirmed_total(&state, &mut conn, &c).await?,
    };
    let path = format!("/api/v1/petitions/{}/signatures", c.slug);
    let key = "osdi:signatures";
    let body = match start {
        Start::Page(page) => {
            let rows = confirmed_page(&mut conn, &state.keys, c.id, partner, (page - 1) * per_page, per_page)
                .await?;
            let items = rows.iter().map(|s| signature(base, &c.slug, s)).collect();
            collection(base, &path, page, per_page, total, key, items)
        }
        Start::After(cursor) => {
            let settled_before = state.clock.now() - SETTLING;
            // One row more than the page tells whether there is a next one.
            let mut rows =
                confirmed_after(&mut conn, &state.keys, c.id, partner, cursor, settled_before, per_page + 1)
                    .await?;
            let more = rows.len() as i64 > per_page;
            rows.truncate(per_page as usize);
            let next = rows
                .last()
                .filter(|_| more)
                .and_then(|last| Some(Confirmed { at: last.confirmed_at?, id: last.id }));
            let items = rows.iter().map(|s| signature(base, &c.slug, s)).collect();
            cursor_collection(base, &path, (cursor, next), per_page, total, key, items)
        }
    };
    Ok(HttpResponse::Ok().json(body))
}

/// An approved endorsement, shaped like an OSDI organisation-ish record.
fn endorsement(base: &str, slug: &str, e: &crate::endorsements::Endorser) -> Value {
    json!({
        "identifiers": [format!("rallypost:{}", e.id)],
        "origin_system": "rallypost",
        "name": e.organisation,
        "browser_url": e.website,
        "postal_addresses": [{ "country": e.country }],
        "approved_date": e.decided_at,
        "_links": { "osdi:petition": href(base, &format!("/api/v1/petitions/{slug}")) },
    })
}

/// The organisations that endorse the petition: approved ones only, never counted among
/// its signatures. A few dozen at most, so paged by page number.
pub async fn endorsements(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (page, per_page) = match paging(&req)? {
        (Start::Page(page), per_page) => (page, per_page),
        (Start::After(None), per_page) => (1, per_page),
        (Start::After(Some(_)), _) => {
            return Err(
                WebError::BadRequest("endorsements are paged by page number, not cursor".into()).into()
            );
        }
    };
    let base = &state.settings.base_url;
    let mut conn = state.pool.get().await?;
    let c = find(&mut conn, &slug).await?;
    let all = crate::endorsements::approved(&conn, c.id).await?;
    let items = all
        .iter()
        .skip(((page - 1) * per_page) as usize)
        .take(per_page as usize)
        .map(|e| endorsement(base, &c.slug, e))
        .collect();
    let path = format!("/api/v1/petitions/{}/endorsements", c.slug);
    let body = collection(base, &path, page, per_page, all.len() as i64, "rallypost:endorsements", items);
    Ok(HttpResponse::Ok().json(body))
}

/// The targets' replies: date, target and the summary per language; the originals are for
/// organizers in the dashboard. A handful per campaign, so one page holds them all.
pub async fn replies(state: web::Data<AppState>, slug: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let base = &state.settings.base_url;
    let mut conn = state.pool.get().await?;
    let c = find(&mut conn, &slug).await?;
    let items: Vec<Value> = crate::replies::for_campaign(&conn, c.id)
        .await?
        .iter()
        .map(|r| {
            let summaries: serde_json::Map<String, Value> =
                r.summaries.iter().map(|(l, s)| (l.code().to_owned(), Value::from(s.as_str()))).collect();
            json!({
                "identifiers": [format!("rallypost:{}", r.id)],
                "origin_system": "rallypost",
                "target": r.target_id,
                "replied_date": r.replied_on,
                "recorded_date": r.recorded_at,
                "summaries": summaries,
                "_links": { "osdi:petition": href(base, &format!("/api/v1/petitions/{}", c.slug)) },
            })
        })
        .collect();
    let total = items.len() as i64;
    let path = format!("/api/v1/petitions/{}/replies", c.slug);
    let body = collection(base, &path, 1, total.max(1), total, "rallypost:replies", items);
    Ok(HttpResponse::Ok().json(body))
}
