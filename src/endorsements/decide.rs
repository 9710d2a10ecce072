//! An organizer's decision on an endorsement. Approving one publishes it and tells the
//! webhook receivers (`endorsement.approved`, in the same transaction); rejecting or
//! withdrawing one erases its contact address and cancels its confirmation email if it has
//! not gone yet.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::status::EndorsementStatus;
use crate::campaigns::Campaign;
use crate::crypto::DataKeys;
use crate::db::schema::endorsements;
use crate::outbox::{self, Kind};
use crate::webhooks::{self, ApprovedEndorsement};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
    /// The organisation asked to be taken off, or an organizer took back an approval.
    Withdraw,
}

impl Decision {
    pub fn parse(word: &str) -> Option<Decision> {
        match word {
            "approve" => Some(Decision::Approve),
            "reject" => Some(Decision::Reject),
            "withdraw" => Some(Decision::Withdraw),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DecideError {
    #[error("no such endorsement")]
    NotFound,
    #[error("only an endorsement its contact has confirmed can be approved")]
    NotConfirmed,
    #[error("this endorsement was {0} already")]
    Final(EndorsementStatus),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<diesel::result::Error> for DecideError {
    fn from(e: diesel::result::Error) -> Self {
        DecideError::Unexpected(e.into())
    }
}

/// Applies `decision` to endorsement `id` of `campaign`; returns its new status.
#[tracing::instrument(skip_all, fields(endorsement = %id, ?decision))]
pub async fn decide(
    conn: &mut AsyncPgConnection,
    keys: &DataKeys,
    campaign: &Campaign,
    id: Uuid,
    decision: Decision,
    now: DateTime<Utc>,
) -> Result<EndorsementStatus, DecideError> {
    conn.transaction(async |conn| {
        let found: Option<(EndorsementStatus, String, String, String)> = endorsements::table
            .filter(endorsements::id.eq(id))
            .filter(endorsements::campaign_id.eq(campaign.id))
            .select((
                endorsements::status,
                endorsements::organisation,
                endorsements::website,
                endorsements::country,
            ))
            .for_update()
            .first(conn)
            .await
            .optional()?;
        let Some((status, organisation, website, country)) = found else {
            return Err(DecideError::NotFound);
        };
        use EndorsementStatus as S;
        match (decision, status) {
            (_, S::Rejected | S::Withdrawn) => Err(DecideError::Final(status)),
            (Decision::Approve, S::Approved) => Ok(S::Approved),
            (Decision::Approve, S::Pending) => Err(DecideError::NotConfirmed),
            (Decision::Reject, S::Approved) => Err(DecideError::Final(status)),
            (Decision::Approve, _) => {
                diesel::update(endorsements::table.find(id))
                    .set((endorsements::status.eq(S::Approved), endorsements::decided_at.eq(now)))
                    .execute(conn)
                    .await?;
                let event = ApprovedEndorsement {
                    id,
                    campaign_slug: &campaign.slug,
                    organisation: &organisation,
                    website: &website,
                    country: &country,
                };
                let told = webhooks::endorsement_approved(conn, keys, &event, now).await?;
                tracing::info!(receivers = told, "endorsement approved");
                Ok(S::Approved)
            }
            (Decision::Reject | Decision::Withdraw, _) => {
                let to = if decision == Decision::Reject { S::Rejected } else { S::Withdrawn };
                diesel::update(endorsements::table.find(id))
                    .set((
                        endorsements::status.eq(to),
                        endorsements::decided_at.eq(now),
                        endorsements::contact_email.eq(None::<Vec<u8>>),
                        endorsements::confirm_token_hash.eq(None::<Vec<u8>>),
                    ))
                    .execute(conn)
                    .await?;
                outbox::cancel_for_target(conn, Kind::Endorsement, &id.to_string()).await?;
                tracing::info!(status = %to, "endorsement taken off; its contact address erased");
                Ok(to)
            }
        }
    })
    .await
}
