//! Paging parameters of API collections: `per_page`, and where a page starts, either a
//! `page` number (kept for clients written against page numbers) or an opaque `cursor`
//! from a previous answer's `_links.next`.

use actix_web::HttpRequest;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::DateTime;

use super::ApiError;
use crate::export::Confirmed;
use crate::web::errors::WebError;

/// Where a page starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    /// Page `n` (from 1) of the whole collection, by offset.
    Page(i64),
    /// After a cursor's position; `None` from the first row.
    After(Option<Confirmed>),
}

/// `page` or `cursor`, and `per_page` (1 to 100, default 25), from the query string.
/// Neither `page` nor `cursor`: the first page, answered with a cursor to the next.
pub fn paging(req: &HttpRequest) -> Result<(Start, i64), ApiError> {
    let mut page = None;
    let mut cursor = None;
    let mut per_page = 25;
    for (key, value) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
        let number = |name: &str, max: i64| {
            value.trim().parse::<i64>().ok().filter(|n| (1..=max).contains(n)).ok_or_else(|| {
                ApiError::from(WebError::BadRequest(format!("{name} must be a whole number from 1 to {max}")))
            })
        };
        match key.as_ref() {
            "page" => page = Some(number("page", 1_000_000_000)?),
            "per_page" => per_page = number("per_page", 100)?,
            "cursor" => {
                cursor = Some(decode(&value).ok_or_else(|| {
                    WebError::BadRequest("cursor is not one this API gave out: start again without it".into())
                })?)
            }
            _ => {}
        }
    }
    let start = match (page, cursor) {
        (Some(_), Some(_)) => {
            return Err(WebError::BadRequest("give page or cursor, not both".into()).into());
        }
        (Some(page), None) => Start::Page(page),
        (None, cursor) => Start::After(cursor),
    };
    Ok((start, per_page))
}

/// The cursor after `position`: opaque to clients, so its shape may change.
pub fn encode(position: Confirmed) -> String {
    let text = format!("c1.{}.{}", position.at.timestamp_micros(), position.id.simple());
    URL_SAFE_NO_PAD.encode(text)
}

fn decode(cursor: &str) -> Option<Confirmed> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor.trim()).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    let mut parts = text.split('.');
    if parts.next()? != "c1" {
        return None;
    }
    let at = DateTime::from_timestamp_micros(parts.next()?.parse().ok()?)?;
    let id = uuid::Uuid::try_parse(parts.next()?).ok()?;
    parts.next().is_none().then_some(Confirmed { at, id })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_as_the_position_it_was_made_from() {
        let position =
            Confirmed { at: "2026-11-01T10:05:00.123456Z".parse().unwrap(), id: crate::ids::new_id() };
        assert_eq!(decode(&encode(position)), Some(position));
    }

    #[test]
    fn anything_else_is_no_cursor() {
        let good = encode(Confirmed { at: chrono::Utc::now(), id: crate::ids::new_id() });
        for bad in [
            "",
            "abc",
            &good[..good.len() - 2],
            &format!("{good}AA"),
            &URL_SAFE_NO_PAD.encode("c2.1.00000000000000000000000000000000"),
            &URL_SAFE_NO_PAD.encode("c1.99999999999999999999.00000000000000000000000000000000"),
            &URL_SAFE_NO_PAD.encode("c1.1.not-a-uuid"),
            &URL_SAFE_NO_PAD.encode("c1.1.00000000000000000000000000000000.x"),
        ] {
            assert_eq!(decode(bad), None, "{bad:?}");
        }
    }
}
