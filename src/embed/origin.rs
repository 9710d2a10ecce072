//! An origin allowed to frame the embed, as written in a campaign file's `embed_origins`.

use serde::{Deserialize, Serialize};

/// `scheme://host[:port]`, `http` or `https`, nothing else: no path, query, user or
/// wildcard. Kept in the form browsers compare (`Url::origin`, lower case, punycode, the
/// default port left out), which is also safe inside a CSP header: no space, `;` or `,`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmbedOrigin(String);

impl EmbedOrigin {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let refuse =
            |why: &str| Err(format!("embed origin {raw:?} {why}: write it like https://partner.example"));
        let Ok(url) = url::Url::parse(raw.trim()) else {
            return refuse("is not an address");
        };
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            return refuse("is not an http(s) origin");
        }
        if !url.username().is_empty() || url.password().is_some() {
            return refuse("has a user name");
        }
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            return refuse("has a path, query or fragment");
        }
        if url.host_str().is_some_and(|h| h.contains('*')) {
            return refuse("has a wildcard");
        }
        Ok(EmbedOrigin(url.origin().ascii_serialization()))
    }
}

impl TryFrom<String> for EmbedOrigin {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        EmbedOrigin::parse(&raw)
    }
}

impl From<EmbedOrigin> for String {
    fn from(origin: EmbedOrigin) -> String {
        origin.0
    }
}

impl AsRef<str> for EmbedOrigin {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_origin_is_kept_as_browsers_compare_it() {
        assert_eq!(
            EmbedOrigin::parse("https://Partner.Example").unwrap().as_ref(),
            "https://partner.example"
        );
        assert_eq!(
            EmbedOrigin::parse("https://partner.example/").unwrap().as_ref(),
            "https://partner.example"
        );
        assert_eq!(EmbedOrigin::parse("https://p.example:443").unwrap().as_ref(), "https://p.example");
        assert_eq!(EmbedOrigin::parse("http://127.0.0.1:8081").unwrap().as_ref(), "http://127.0.0.1:8081");
        assert_eq!(
            EmbedOrigin::parse("https://bücher.example").unwrap().as_ref(),
            "https://xn--bcher-kva.example"
        );
    }

    #[test]
    fn anything_but_a_bare_origin_is_refused_with_its_reason() {
        for bad in [
            "partner.example",
            "javascript:alert(1)",
            "ftp://p.example",
            "https://p.example/campaigns",
            "https://p.example?x=1",
            "https://u:p@p.example",
            "https://*.p.example",
            "https://p.example; script-src *",
            "",
        ] {
            let error = EmbedOrigin::parse(bad).unwrap_err();
            assert!(error.contains("embed origin"), "{bad:?}: {error}");
        }
    }
}
