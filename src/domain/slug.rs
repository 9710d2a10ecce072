//! Campaign slugs as they appear in URLs and file names.

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Slug(String);

/// The shape of slugs and other ids written in URLs: lower-case ASCII letters, digits and
/// inner hyphens; 1 to 64 characters.
pub fn is_slug_shaped(raw: &str) -> bool {
    !raw.is_empty()
        && raw.len() <= 64
        && raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !raw.starts_with('-')
        && !raw.ends_with('-')
}

impl Slug {
    /// Lower-case ASCII letters, digits and inner hyphens; 1 to 64 characters.
    pub fn parse(raw: &str) -> Result<Self, String> {
        if is_slug_shaped(raw) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(format!("invalid slug {raw:?}: use a-z, 0-9 and inner hyphens, at most 64"))
        }
    }
}

impl AsRef<str> for Slug {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Slug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_url_safe() {
        assert!(Slug::parse("end-forced-returns").is_ok());
        for bad in ["", "End", "a b", "-a", "a-", "a/b", "ä"] {
            assert!(Slug::parse(bad).is_err(), "{bad:?}");
        }
    }
}
