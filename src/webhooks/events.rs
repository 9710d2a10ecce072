//! The events and what they carry, queued in the transaction of the change that causes
//! them. A payload is the Standard Webhooks shape, `{"type", "timestamp", "data"}`; a
//! person inside it is shaped as in OSDI, like the API's signatures.
//!
//! `endorsement.approved` and `response.recorded` carry what is public anyway (an
//! organisation's name and website, a ministry's reply and its summaries) and go to every
//! receiver.
//!
//! `signature.confirmed` carries a supporter's name, address and country, and goes only to
//! the receivers they opted in to. `signature.withdrawn` carries ids alone and goes to every
//! receiver that was sent (or queued) the confirmation, so that it erases what it got.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

use super::receivers;
use crate::crypto::DataKeys;
use crate::db::schema::webhook_events;
use crate::outbox::{self, Kind, NewMessage};

/// A withdrawal's webhook waits this long, so that a confirmation already on its way to
/// the same receiver (sent, its answer not yet in: at most the 10 s timeout) lands first.
const AFTER_CONFIRMATIONS_IN_FLIGHT: Duration = Duration::seconds(15);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum EventType {
    #[serde(rename = "signature.confirmed")]
    SignatureConfirmed,
    #[serde(rename = "signature.withdrawn")]
    SignatureWithdrawn,
    /// An organizer approved an organisation's endorsement.
    #[serde(rename = "endorsement.approved")]
    EndorsementApproved,
    /// An organizer recorded a target's reply.
    #[serde(rename = "response.recorded")]
    ResponseRecorded,
}

impl EventType {
    /// The event's name, as in the payload's `type` and the delivery log.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::SignatureConfirmed => "signature.confirmed",
            EventType::SignatureWithdrawn => "signature.withdrawn",
            EventType::EndorsementApproved => "endorsement.approved",
            EventType::ResponseRecorded => "response.recorded",
        }
    }
}

/// Queues the rows of one event, due at `due`, and notes which event each is, for the
/// delivery log (the body that says so is erased in time); returns how many were new.
async fn enqueue(
    conn: &mut AsyncPgConnection,
    keys: &DataKeys,
    event: EventType,
    rows: &[NewMessage],
    due: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let queued = outbox::enqueue_many(conn, keys, &rows.iter().collect::<Vec<_>>(), due).await?;
    let noted: Vec<_> = rows
        .iter()
        .map(|row| (webhook_events::outbox_id.eq(row.id), webhook_events::event.eq(event.as_str())))
        .collect();
    if !noted.is_empty() {
        diesel::insert_into(webhook_events::table)
            .values(noted)
            .on_conflict_do_nothing()
            .execute(conn)
            .await?;
    }
    Ok(queued)
}

#[derive(Serialize)]
struct Event<'a, T> {
    #[serde(rename = "type")]
    kind: EventType,
    timestamp: DateTime<Utc>,
    data: &'a T,
}

/// A signature just confirmed, with what its owner agreed may travel.
pub struct ConfirmedSignature<'a> {
    pub id: Uuid,
    pub campaign_slug: &'a str,
    pub signed_at: DateTime<Utc>,
    pub name: &'a str,
    pub email: &'a str,
    pub country: &'a str,
    pub language: &'a str,
    /// News from the lead organisation.
    pub updates_opt_in: bool,
    /// The partner that brought the supporter, if they opted in to its news.
    pub opted_in_partner: Option<&'a str>,
}

#[derive(Serialize)]
struct Confirmed<'a> {
    signature_id: Uuid,
    petition: &'a str,
    created_date: DateTime<Utc>,
    confirmed_date: DateTime<Utc>,
    partner: Option<&'a str>,
    person: Person<'a>,
}

#[derive(Serialize)]
struct Person<'a> {
    /// One name field on the form: it goes whole into given_name, never split.
    given_name: &'a str,
    email_addresses: [EmailAddress<'a>; 1],
    postal_addresses: [PostalAddress<'a>; 1],
    languages_spoken: [&'a str; 1],
}

#[derive(Serialize)]
struct EmailAddress<'a> {
    address: &'a str,
    primary: bool,
}

#[derive(Serialize)]
struct PostalAddress<'a> {
    country: &'a str,
}

#[derive(Serialize)]
struct Withdrawn<'a> {
    signature_id: Uuid,
    petition: &'a str,
}

/// Queues `signature.confirmed` for the receivers the supporter opted in to; returns how
/// many. Call inside the confirming transaction.
pub async fn signature_confirmed(
    conn: &mut AsyncPgConnection,
    keys: &DataKeys,
    signature: &ConfirmedSignature<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let to = receivers::for_supporter(conn, signature.updates_opt_in, signature.opted_in_partner).await?;
    if to.is_empty() {
        return Ok(0);
    }
    let data = Confirmed {
        signature_id: signature.id,
        petition: signature.campaign_slug,
        created_date: signature.signed_at,
        confirmed_date: now,
        partner: signature.opted_in_partner,
        person: Person {
            given_name: signature.name,
            email_addresses: [EmailAddress { address: signature.email, primary: true }],
            postal_addresses: [PostalAddress { country: signature.country }],
            languages_spoken: [signature.language],
        },
    };
    let body =
        serde_json::to_vec(&Event { kind: EventType::SignatureConfirmed, timestamp: now, data: &data })?;
    let rows: Vec<NewMessage> = to
        .into_iter()
        .map(|receiver| NewMessage {
            id: crate::ids::new_id(),
            kind: Kind::Webhook,
            // No campaign: the dashboard's counts by campaign are of mail and letters.
            campaign_id: None,
            signature_id: Some(signature.id),
            target_id: Some(receiver.id.to_string()),
            // The deliverer reads the URL and secret by this id when it posts.
            recipient: receiver.id.to_string(),
            message: body.clone(),
        })
        .collect();
    enqueue(conn, keys, EventType::SignatureConfirmed, &rows, now).await
}

/// Queues `signature.withdrawn` for every receiver queued the signature's confirmation,
/// delivered or not: one still on its way cannot be called back. Call inside the
/// withdrawing transaction, before the signature's unsent rows are cancelled (they name
/// receivers too). The rows carry no signature id, so that cancelling leaves them be.
pub async fn signature_withdrawn(
    conn: &mut AsyncPgConnection,
    keys: &DataKeys,
    signature_id: Uuid,
    campaign_slug: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let told = outbox::targets_for_signature(conn, signature_id, Kind::Webhook).await?;
    let data = Withdrawn { signature_id, petition: campaign_slug };
    let body =
        serde_json::to_vec(&Event { kind: EventType::SignatureWithdrawn, timestamp: now, data: &data })?;
    let mut rows = Vec::new();
    for receiver in receivers::list(conn).await? {
        if !told.contains(&receiver.id.to_string()) {
            continue;
        }
        rows.push(NewMessage {
            id: crate::ids::new_id(),
            kind: Kind::Webhook,
            campaign_id: None,
            signature_id: None,
            target_id: Some(receiver.id.to_string()),
            recipient: receiver.id.to_string(),
            message: body.clone(),
        });
    }
    let due = now + AFTER_CONFIRMATIONS_IN_FLIGHT;
    enqueue(conn, keys, EventType::SignatureWithdrawn, &rows, due).await
}

/// An endorsement an organizer just approved: what the organisation asked to publish.
pub struct ApprovedEndorsement<'a> {
    pub id: Uuid,
    pub campaign_slug: &'a str,
    pub organisation: &'a str,
    pub website: &'a str,
    pub country: &'a str,
}

#[derive(Serialize)]
struct Endorsed<'a> {
    endorsement_id: Uuid,
    petition: &'a str,
    organization: Organization<'a>,
}

/// OSDI-ish: an organisation's name, its website and where it is.
#[derive(Serialize)]
struct Organization<'a> {
    name: &'a str,
    browser_url: &'a str,
    postal_addresses: [PostalAddress<'a>; 1],
}

/// A target's reply just recorded, with its summary in each language it has one.
pub struct RecordedReply<'a> {
    pub id: Uuid,
    pub campaign_slug: &'a str,
    pub target_id: &'a str,
    pub replied_on: chrono::NaiveDate,
    /// Language tag and summary.
    pub summaries: &'a [(String, String)],
}

#[derive(Serialize)]
struct Replied<'a> {
    response_id: Uuid,
    petition: &'a str,
    target: &'a str,
    replied_on: chrono::NaiveDate,
    summaries: std::collections::BTreeMap<&'a str, &'a str>,
}

/// Queues `endorsement.approved` for every receiver; returns how many. Call inside the
/// approving transaction.
pub async fn endorsement_approved(
    conn: &mut AsyncPgConnection,
    keys: &DataKeys,
    endorsement: &ApprovedEndorsement<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let data = Endorsed {
        endorsement_id: endorsement.id,
        petition: endorsement.campaign_slug,
        organization: Organization {
            name: endorsement.organisation,
            browser_url: endorsement.website,
            postal_addresses: [PostalAddress { country: endorsement.country }],
        },
    };
    to_everyone(conn, keys, EventType::EndorsementApproved, &data, now).await
}

/// Queues `response.recorded` for every receiver; returns how many. Call inside the
/// recording transaction.
pub async fn response_recorded(
    conn: &mut AsyncPgConnection,
    keys: &DataKeys,
    reply: &RecordedReply<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let data = Replied {
        response_id: reply.id,
        petition: reply.campaign_slug,
        target: reply.target_id,
        replied_on: reply.replied_on,
        summaries: reply.summaries.iter().map(|(lang, text)| (lang.as_str(), text.as_str())).collect(),
    };
    to_everyone(conn, keys, EventType::ResponseRecorded, &data, now).await
}

async fn to_everyone<T: Serialize>(
    conn: &mut AsyncPgConnection,
    keys: &DataKeys,
    kind: EventType,
    data: &T,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let body = serde_json::to_vec(&Event { kind, timestamp: now, data })?;
    let rows: Vec<NewMessage> = receivers::list(conn)
        .await?
        .into_iter()
        .map(|receiver| NewMessage {
            id: crate::ids::new_id(),
            kind: Kind::Webhook,
            campaign_id: None,
            signature_id: None,
            target_id: Some(receiver.id.to_string()),
            recipient: receiver.id.to_string(),
            message: body.clone(),
        })
        .collect();
    enqueue(conn, keys, kind, &rows, now).await
}
