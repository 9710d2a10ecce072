//! Reading `application/x-www-form-urlencoded` bodies by hand, so that every malformed
//! input gets a precise 4xx: wrong type, or bytes that are not UTF-8. The body itself was
//! read, bounded, by the gate in `web::body`.

use std::collections::HashMap;

use actix_web::HttpRequest;

#[derive(Debug, PartialEq, Eq)]
pub enum FormError {
    WrongType,
    NotUtf8,
}

pub fn is_form_content_type(req: &HttpRequest) -> bool {
    req.headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"))
}

/// The fields of a posted form; another content type or bytes that are not UTF-8 are refused.
pub fn fields(req: &HttpRequest, body: &[u8]) -> Result<HashMap<String, String>, FormError> {
    if !is_form_content_type(req) {
        return Err(FormError::WrongType);
    }
    parse(body)
}

/// Decodes `a=1&b=2`; the first value of a repeated name wins.
pub fn parse(body: &[u8]) -> Result<HashMap<String, String>, FormError> {
    let mut fields = HashMap::new();
    for pair in body.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
        let mut parts = pair.splitn(2, |&b| b == b'=');
        let name = decode(parts.next().unwrap_or_default())?;
        let value = decode(parts.next().unwrap_or_default())?;
        fields.entry(name).or_insert(value);
    }
    Ok(fields)
}

fn decode(raw: &[u8]) -> Result<String, FormError> {
    let plus_as_space: Vec<u8> = raw.iter().map(|&b| if b == b'+' { b' ' } else { b }).collect();
    let bytes: Vec<u8> = percent_encoding::percent_decode(&plus_as_space).collect();
    String::from_utf8(bytes).map_err(|_| FormError::NotUtf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_percent_and_plus() {
        let f = parse(b"name=Mina+Ahmadi&comment=a%26b%3Dc&name=second").unwrap();
        assert_eq!(f["name"], "Mina Ahmadi");
        assert_eq!(f["comment"], "a&b=c");
    }

    #[test]
    fn keeps_nul_and_newlines_for_validation_to_judge() {
        let f = parse(b"name=a%00b%0D%0A").unwrap();
        assert_eq!(f["name"], "a\0b\r\n");
    }

    #[test]
    fn refuses_invalid_utf8() {
        assert_eq!(parse(b"name=%FF%FE"), Err(FormError::NotUtf8));
        assert_eq!(parse(b"name=\xff"), Err(FormError::NotUtf8));
    }
}
