//! Recording a reply: parsed whole first (every problem named at once), then written with
//! its `response.recorded` webhook in one transaction.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::original::Original;
use crate::campaigns::Campaign;
use crate::crypto::DataKeys;
use crate::db::schema::replies;
use crate::domain::Lang;
use crate::webhooks::{self, RecordedReply};

/// A summary is a paragraph or two for the campaign page, not the letter itself.
pub const MAX_SUMMARY_CHARS: usize = 2000;

/// What is wrong with a reply as entered; the organizer's pages are in English.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    #[error("Choose one of the campaign's targets.")]
    UnknownTarget,
    #[error("Give the date of the reply as YYYY-MM-DD; it cannot be in the future.")]
    BadDate,
    #[error("Write a summary in {0}, the campaign's default language.")]
    DefaultSummaryMissing(&'static str),
    #[error("The {0} summary is longer than {MAX_SUMMARY_CHARS} characters.")]
    SummaryTooLong(&'static str),
    #[error("The {0} summary contains control characters; remove them.")]
    ControlCharacters(&'static str),
    #[error("Attach the original reply: a PDF or a text file.")]
    OriginalMissing,
    #[error("The original must be a PDF or a UTF-8 text file.")]
    WrongType,
    #[error("The original is larger than 5 MiB.")]
    TooLarge,
}

/// A reply ready to be recorded.
#[derive(Debug)]
pub struct NewReply {
    pub target_id: String,
    pub replied_on: NaiveDate,
    pub summaries: BTreeMap<Lang, String>,
    pub original: Original,
}

impl NewReply {
    /// Parses what the form gave; `today` is the latest date a reply may carry.
    pub fn parse(
        campaign: &Campaign,
        target: &str,
        date: &str,
        summaries: BTreeMap<Lang, String>,
        original: Result<Original, ReplyError>,
        today: NaiveDate,
    ) -> Result<NewReply, Vec<ReplyError>> {
        let mut errors = Vec::new();
        if !campaign.file.targets.iter().any(|t| t.id == target) {
            errors.push(ReplyError::UnknownTarget);
        }
        let replied_on = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
            .ok()
            .filter(|d| *d <= today && d.year_ce().1 >= 2000);
        if replied_on.is_none() {
            errors.push(ReplyError::BadDate);
        }
        let mut kept = BTreeMap::new();
        for (lang, text) in summaries {
            let text = text.trim().replace("\r\n", "\n");
            if text.is_empty() {
                continue;
            }
            if text.chars().count() > MAX_SUMMARY_CHARS {
                errors.push(ReplyError::SummaryTooLong(lang.native_name()));
            } else if text
                .chars()
                .any(|c| (c.is_control() && c != '\n') || crate::domain::is_direction_control(c))
            {
                errors.push(ReplyError::ControlCharacters(lang.native_name()));
            }
            kept.insert(lang, text);
        }
        let default = campaign.file.default_lang();
        if !kept.contains_key(&default) {
            errors.push(ReplyError::DefaultSummaryMissing(default.native_name()));
        }
        let original = original.map_err(|e| errors.push(e)).ok();
        match (replied_on, original) {
            (Some(replied_on), Some(original)) if errors.is_empty() => {
                Ok(NewReply { target_id: target.to_owned(), replied_on, summaries: kept, original })
            }
            _ => Err(errors),
        }
    }
}

/// Stores the reply and queues `response.recorded`; returns its id.
#[tracing::instrument(skip_all, fields(campaign = %campaign.slug, target = %new.target_id))]
pub async fn record(
    conn: &mut AsyncPgConnection,
    keys: &DataKeys,
    campaign: &Campaign,
    organizer_id: Uuid,
    new: &NewReply,
    now: DateTime<Utc>,
) -> anyhow::Result<Uuid> {
    let id = crate::ids::new_id();
    let summaries: BTreeMap<&str, &str> = new.summaries.iter().map(|(l, t)| (l.code(), t.as_str())).collect();
    let event_summaries: Vec<(String, String)> =
        new.summaries.iter().map(|(l, t)| (l.code().to_owned(), t.clone())).collect();
    conn.transaction(async |conn| {
        diesel::insert_into(replies::table)
            .values((
                replies::id.eq(id),
                replies::campaign_id.eq(campaign.id),
                replies::target_id.eq(&new.target_id),
                replies::replied_on.eq(new.replied_on),
                replies::summaries.eq(serde_json::to_value(&summaries)?),
                replies::file_name.eq(&new.original.file_name),
                replies::content_type.eq(new.original.kind.content_type()),
                replies::original.eq(&new.original.bytes),
                replies::recorded_by.eq(organizer_id),
                replies::recorded_at.eq(now),
            ))
            .execute(conn)
            .await?;
        let event = RecordedReply {
            id,
            campaign_slug: &campaign.slug,
            target_id: &new.target_id,
            replied_on: new.replied_on,
            summaries: &event_summaries,
        };
        let told = webhooks::response_recorded(conn, keys, &event, now).await?;
        tracing::info!(reply = %id, receivers = told, "reply recorded");
        Ok::<_, anyhow::Error>(())
    })
    .await?;
    Ok(id)
}
