//! An organisation's website, as an endorsing organisation types it: shown as a link on the
//! campaign page and in letters, so only `http` and `https` with a host name, nothing that
//! a browser would run (`javascript:`) or open elsewhere (`file:`), and no user or password.

use super::FieldError;

/// At most this many bytes, as stored.
const MAX_LEN: usize = 300;

/// An `http(s)://` URL with a host name; `example.org` typed without a scheme is read as
/// `https://example.org/`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Website(String);

impl Website {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(FieldError::Missing);
        }
        if raw.len() > MAX_LEN {
            return Err(FieldError::TooLong(MAX_LEN));
        }
        if raw.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(FieldError::InvalidUrl);
        }
        let with_scheme = if raw.contains("://") { raw.to_owned() } else { format!("https://{raw}") };
        let url = url::Url::parse(&with_scheme).map_err(|_| FieldError::InvalidUrl)?;
        let host_is_a_name = url.host_str().is_some_and(|h| h.contains('.') && !h.ends_with('.'));
        if !matches!(url.scheme(), "http" | "https")
            || !host_is_a_name
            || !url.username().is_empty()
            || url.password().is_some()
        {
            return Err(FieldError::InvalidUrl);
        }
        let url = url.to_string();
        if url.len() > MAX_LEN {
            return Err(FieldError::TooLong(MAX_LEN));
        }
        Ok(Website(url))
    }
}

impl AsRef<str> for Website {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_addresses_parse_and_a_bare_host_is_read_as_https() {
        assert_eq!(Website::parse(" https://proasyl.de/ ").unwrap().as_ref(), "https://proasyl.de/");
        assert_eq!(Website::parse("proasyl.de").unwrap().as_ref(), "https://proasyl.de/");
        assert_eq!(Website::parse("http://a.example/x?y=1").unwrap().as_ref(), "http://a.example/x?y=1");
    }

    #[test]
    fn anything_but_a_web_address_is_refused() {
        assert_eq!(Website::parse(""), Err(FieldError::Missing));
        for raw in [
            "javascript:alert(1)",
            "javascript://example.org/%0Aalert(1)",
            "file:///etc/passwd",
            "ftp://example.org",
            "https://user:pw@example.org",
            "https://localhost",
            "not a url",
            "https://exa mple.org",
            "https://example.org/\r\nX: y",
        ] {
            assert_eq!(Website::parse(raw), Err(FieldError::InvalidUrl), "{raw:?}");
        }
        assert_eq!(
            Website::parse(&format!("https://{}.org", "a".repeat(300))),
            Err(FieldError::TooLong(300))
        );
    }
}
