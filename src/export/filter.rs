//! Which signatures an export holds. Parsed once from the query string or the command
//! line; both give the same `ExportFilter`, so the same rows.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::domain::Country;
use crate::partners::PartnerId;
use crate::signatures::SignatureStatus;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusFilter {
    Pending,
    /// The default: signatures that count.
    #[default]
    Confirmed,
    /// Pending and confirmed. Withdrawn signatures are never exported: their owners asked
    /// to be removed, and their personal fields are already erased.
    All,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ExportFilter {
    pub status: StatusFilter,
    /// Signed at or after.
    pub since: Option<DateTime<Utc>>,
    /// Signed before.
    pub until: Option<DateTime<Utc>>,
    #[serde(serialize_with = "country_code")]
    pub country: Option<Country>,
    /// Only supporters who opted in to this partner: set from a partner organizer's scope,
    /// never from the query string, and kept in the export log.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner: Option<PartnerId>,
}

fn country_code<S: serde::Serializer>(c: &Option<Country>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_some(&c.map(|c| c.code()))
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FilterError {
    #[error("status must be pending, confirmed or all")]
    Status,
    #[error("{0} must be a date (2026-11-29) or an RFC 3339 time (2026-11-29T08:00:00Z)")]
    Time(&'static str),
    #[error("country must be a two-letter ISO code such as DE")]
    Country,
}

impl ExportFilter {
    /// Empty strings count as absent, as forms send them.
    pub fn parse(
        status: Option<&str>,
        since: Option<&str>,
        until: Option<&str>,
        country: Option<&str>,
    ) -> Result<ExportFilter, FilterError> {
        let status = match present(status) {
            None | Some("confirmed") => StatusFilter::Confirmed,
            Some("pending") => StatusFilter::Pending,
            Some("all") => StatusFilter::All,
            Some(_) => return Err(FilterError::Status),
        };
        Ok(ExportFilter {
            status,
            since: present(since).map(|v| parse_time(v, "since")).transpose()?,
            until: present(until).map(|v| parse_time(v, "until")).transpose()?,
            country: present(country)
                .map(|v| Country::parse(v).map_err(|_| FilterError::Country))
                .transpose()?,
            partner: None,
        })
    }

    pub fn statuses(&self) -> &'static [SignatureStatus] {
        match self.status {
            StatusFilter::Pending => &[SignatureStatus::Pending],
            StatusFilter::Confirmed => &[SignatureStatus::Confirmed],
            StatusFilter::All => &[SignatureStatus::Pending, SignatureStatus::Confirmed],
        }
    }
}

fn present(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|v| !v.is_empty())
}

fn parse_time(v: &str, name: &'static str) -> Result<DateTime<Utc>, FilterError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or(FilterError::Time(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_from_text_and_refuse_nonsense() {
        let f = ExportFilter::parse(Some("all"), Some("2026-11-01"), Some(""), Some("af")).unwrap();
        assert_eq!(f.status, StatusFilter::All);
        assert_eq!(f.since.unwrap().to_rfc3339(), "2026-11-01T00:00:00+00:00");
        assert_eq!(f.until, None);
        assert_eq!(f.country.unwrap().code(), "AF");
        assert_eq!(ExportFilter::parse(None, None, None, None).unwrap(), ExportFilter::default());
        assert_eq!(ExportFilter::parse(Some("withdrawn"), None, None, None), Err(FilterError::Status));
        assert_eq!(ExportFilter::parse(None, Some("yesterday"), None, None), Err(FilterError::Time("since")));
        assert_eq!(ExportFilter::parse(None, None, None, Some("XX")), Err(FilterError::Country));
    }
}
