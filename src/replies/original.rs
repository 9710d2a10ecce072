//! The original of a reply, as uploaded: a PDF or a UTF-8 text file, at most
//! `MAX_ORIGINAL_BYTES`. The type is judged by the bytes, not by what the browser declared:
//! a PDF starts with `%PDF-`; text is UTF-8 without NUL bytes.

use super::record::ReplyError;

/// 5 MiB: a scanned letter of a few pages. The body gate allows this route a little more
/// (`web::body::MAX_REPLY_BODY`), for the form's other fields and the multipart framing.
pub const MAX_ORIGINAL_BYTES: usize = 5 * 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OriginalKind {
    Pdf,
    Text,
}

impl OriginalKind {
    /// The `Content-Type` it is stored and served with.
    pub fn content_type(self) -> &'static str {
        match self {
            OriginalKind::Pdf => "application/pdf",
            OriginalKind::Text => "text/plain; charset=utf-8",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            OriginalKind::Pdf => "pdf",
            OriginalKind::Text => "txt",
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct Original {
    pub kind: OriginalKind,
    /// Safe to put in a `Content-Disposition` header: letters, digits, `-`, `_`, `.`.
    pub file_name: String,
    pub bytes: Vec<u8>,
}

impl Original {
    pub fn parse(file_name: &str, bytes: Vec<u8>) -> Result<Original, ReplyError> {
        if bytes.is_empty() {
            return Err(ReplyError::OriginalMissing);
        }
        if bytes.len() > MAX_ORIGINAL_BYTES {
            return Err(ReplyError::TooLarge);
        }
        let kind = if bytes.starts_with(b"%PDF-") {
            OriginalKind::Pdf
        } else if !bytes.contains(&0) && std::str::from_utf8(&bytes).is_ok() {
            OriginalKind::Text
        } else {
            return Err(ReplyError::WrongType);
        };
        Ok(Original { kind, file_name: safe_name(file_name, kind), bytes })
    }
}

/// The uploaded name without its directory and anything unsafe in a header, with the
/// extension of what it is.
fn safe_name(raw: &str, kind: OriginalKind) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let stem = base.rsplit_once('.').map_or(base, |(stem, _)| stem);
    let stem: String = stem
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .take(80)
        .collect();
    let stem = if stem.trim_matches('_').is_empty() { "reply".to_owned() } else { stem };
    format!("{stem}.{}", kind.extension())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdf_or_utf8_text_is_an_original_whatever_its_name() {
        let pdf = Original::parse("C:\\scans\\Antwort BMI.PDF", b"%PDF-1.4 ...".to_vec()).unwrap();
        assert_eq!((pdf.kind, pdf.file_name.as_str()), (OriginalKind::Pdf, "Antwort_BMI.pdf"));
        let text = Original::parse("../../etc/passwd", "پاسخ وزارت".as_bytes().to_vec()).unwrap();
        assert_eq!((text.kind, text.file_name.as_str()), (OriginalKind::Text, "passwd.txt"));
        assert_eq!(Original::parse("\r\n\"", b"x".to_vec()).unwrap().file_name, "reply.txt");
    }

    #[test]
    fn anything_else_is_refused() {
        assert_eq!(Original::parse("a.png", b"\x89PNG\r\n\x1a\n\0".to_vec()), Err(ReplyError::WrongType));
        assert_eq!(Original::parse("a.txt", b"text\0with nul".to_vec()), Err(ReplyError::WrongType));
        assert_eq!(Original::parse("a.txt", Vec::new()), Err(ReplyError::OriginalMissing));
        let huge = vec![b'a'; MAX_ORIGINAL_BYTES + 1];
        assert_eq!(Original::parse("a.txt", huge), Err(ReplyError::TooLarge));
    }
}
