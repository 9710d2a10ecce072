//! Reading `multipart/form-data` bodies (RFC 7578) by hand, for the one form that uploads a
//! file (a target's reply). The body was read whole and bounded by the gate in `web::body`,
//! so this only splits it: every malformed input is a `MultipartError`, which the handler
//! answers with a 4xx; nothing here panics or allocates more than the body.

use std::collections::HashMap;

use actix_web::HttpRequest;

#[derive(Debug, PartialEq, Eq)]
pub enum MultipartError {
    /// Not `multipart/form-data`, or no boundary.
    WrongType,
    /// Parts that do not follow the format.
    Malformed,
    /// A text field that is not UTF-8.
    NotUtf8,
}

/// An uploaded file: its name as the browser gave it, its declared type, its bytes.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct FilePart {
    pub file_name: String,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

/// The text fields and the files of a form; the first of a repeated name wins.
#[derive(Debug, Default)]
pub struct Multipart {
    pub fields: HashMap<String, String>,
    pub files: HashMap<String, FilePart>,
}

/// The boundary of a `multipart/form-data` request.
fn boundary(req: &HttpRequest) -> Result<String, MultipartError> {
    let value = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .ok_or(MultipartError::WrongType)?;
    let mut parts = value.split(';');
    if !parts.next().is_some_and(|t| t.trim().eq_ignore_ascii_case("multipart/form-data")) {
        return Err(MultipartError::WrongType);
    }
    parts
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim().trim_matches('"').to_owned())
        .filter(|b| !b.is_empty() && b.len() <= 70)
        .ok_or(MultipartError::WrongType)
}

pub fn read(req: &HttpRequest, body: &[u8]) -> Result<Multipart, MultipartError> {
    parse(&boundary(req)?, body)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Splits `body` at `--boundary` lines (see the module comment).
pub fn parse(boundary: &str, body: &[u8]) -> Result<Multipart, MultipartError> {
    let delimiter = format!("--{boundary}").into_bytes();
    let next_delimiter = format!("\r\n--{boundary}").into_bytes();
    let start = find(body, &delimiter).ok_or(MultipartError::Malformed)?;
    let mut rest = &body[start + delimiter.len()..];
    let mut form = Multipart::default();
    loop {
        if rest.starts_with(b"--") {
            return Ok(form);
        }
        rest = rest.strip_prefix(b"\r\n").ok_or(MultipartError::Malformed)?;
        let head_end = find(rest, b"\r\n\r\n").ok_or(MultipartError::Malformed)?;
        let head = std::str::from_utf8(&rest[..head_end]).map_err(|_| MultipartError::Malformed)?;
        rest = &rest[head_end + 4..];
        let end = find(rest, &next_delimiter).ok_or(MultipartError::Malformed)?;
        let content = &rest[..end];
        rest = &rest[end + next_delimiter.len()..];

        let mut name = None;
        let mut file_name = None;
        let mut content_type = None;
        for line in head.split("\r\n") {
            let (header, value) = line.split_once(':').ok_or(MultipartError::Malformed)?;
            let header = header.trim();
            if header.eq_ignore_ascii_case("content-disposition") {
                name = param(value, "name");
                file_name = param(value, "filename");
            } else if header.eq_ignore_ascii_case("content-type") {
                content_type = Some(value.trim().to_owned());
            }
        }
        let name = name.ok_or(MultipartError::Malformed)?;
        match file_name {
            Some(file_name) => {
                form.files.entry(name).or_insert(FilePart {
                    file_name,
                    content_type,
                    bytes: content.to_vec(),
                });
            }
            None => {
                let text = String::from_utf8(content.to_vec()).map_err(|_| MultipartError::NotUtf8)?;
                form.fields.entry(name).or_insert(text);
            }
        }
    }
}

/// `name="value"` from a `Content-Disposition` value; quotes and backslash escapes undone.
fn param(value: &str, wanted: &str) -> Option<String> {
    let mut rest = value;
    while let Some(i) = rest.find(';') {
        rest = rest[i + 1..].trim_start();
        let (key, after) = rest.split_once('=')?;
        let key = key.trim();
        let (found, tail) = match after.strip_prefix('"') {
            Some(quoted) => {
                let mut out = String::new();
                let mut chars = quoted.char_indices();
                let mut end = quoted.len();
                while let Some((i, c)) = chars.next() {
                    match c {
                        '\\' => out.extend(chars.next().map(|(_, c)| c)),
                        '"' => {
                            end = i + 1;
                            break;
                        }
                        c => out.push(c),
                    }
                }
                (out, &quoted[end.min(quoted.len())..])
            }
            None => {
                let end = after.find(';').unwrap_or(after.len());
                (after[..end].trim().to_owned(), &after[end..])
            }
        };
        if key.eq_ignore_ascii_case(wanted) {
            return Some(found);
        }
        rest = tail;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = b"preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc\r\n--XyZ\r\nContent-Disposition: form-data; name=\"original\"; filename=\"reply \\\"1\\\".pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\r\n\x00\xff\r\n--XyZ\r\nContent-Disposition: form-data; name=\"summary_de\"\r\n\r\nZeile 1\r\nZeile 2\r\n--XyZ--\r\n";

    #[test]
    fn fields_and_files_are_split_at_the_boundary() {
        let form = parse("XyZ", BODY).unwrap();
        assert_eq!(form.fields["csrf_token"], "abc");
        assert_eq!(form.fields["summary_de"], "Zeile 1\r\nZeile 2");
        let file = &form.files["original"];
        assert_eq!(file.file_name, "reply \"1\".pdf");
        assert_eq!(file.content_type.as_deref(), Some("application/pdf"));
        assert_eq!(file.bytes, b"%PDF-1.7\r\n\x00\xff");
    }

    #[test]
    fn a_body_that_does_not_follow_the_format_is_refused_not_panicked_on() {
        for body in [
            &b""[..],
            b"--XyZ",
            b"--XyZ\r\n",
            b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end",
            b"--XyZ\r\nno colon\r\n\r\nx\r\n--XyZ--",
            b"--XyZ\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XyZ--",
            b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"; filename=\"",
        ] {
            assert!(parse("XyZ", body).is_err(), "{body:?}");
        }
        let not_utf8 = b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n\xff\r\n--XyZ--";
        assert_eq!(parse("XyZ", not_utf8).unwrap_err(), MultipartError::NotUtf8);
    }
}
