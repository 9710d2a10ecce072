//! A supporter's email address.

use std::str::FromStr;

use super::FieldError;

/// A valid address of at most 254 characters, trimmed. `key()` is the form used to find a
/// repeated signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupporterEmail(lettre::Address);

impl SupporterEmail {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let email = raw.trim();
        if email.is_empty() {
            return Err(FieldError::Missing);
        }
        if email.len() > 254 {
            return Err(FieldError::TooLong(254));
        }
        if email.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(FieldError::InvalidEmail);
        }
        let address = lettre::Address::from_str(email).map_err(|_| FieldError::InvalidEmail)?;
        if !address.domain().contains('.') || address.domain().starts_with('[') {
            return Err(FieldError::InvalidEmail);
        }
        if is_disposable(address.domain()) {
            return Err(FieldError::DisposableEmail);
        }
        let email = Self(address);
        // `+tag@gmail.com` or `.@gmail.com` is nobody's mailbox, and its canonical form
        // `@gmail.com` would make every such address the same person.
        if email.canonical().starts_with('@') {
            return Err(FieldError::InvalidEmail);
        }
        Ok(email)
    }

    /// The canonical address, so that one person signs once: lower case, and for Gmail
    /// without the dots and `+tag` in the local part (which Gmail ignores). A quoted local
    /// part (`"a+b"@gmail.com`) is no Gmail mailbox; it is only lower-cased.
    pub fn canonical(&self) -> String {
        let lower = self.as_ref().to_lowercase();
        let (local, domain) = lower.rsplit_once('@').expect("a parsed address has an @");
        match domain {
            "gmail.com" | "googlemail.com" if !local.starts_with('"') => {
                let local = local.split('+').next().unwrap_or(local).replace('.', "");
                format!("{local}@gmail.com")
            }
            _ => lower,
        }
    }

    pub fn domain(&self) -> &str {
        self.0.domain()
    }

    pub fn address(&self) -> &lettre::Address {
        &self.0
    }
}

impl AsRef<str> for SupporterEmail {
    fn as_ref(&self) -> &str {
        AsRef::<str>::as_ref(&self.0)
    }
}

fn is_disposable(domain: &str) -> bool {
    static LIST: &str = include_str!("disposable_domains.txt");
    let domain = domain.to_ascii_lowercase();
    LIST.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|listed| domain == listed || domain.strip_suffix(listed).is_some_and(|rest| rest.ends_with('.')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_addresses_parse_and_compare_case_insensitively() {
        let a = SupporterEmail::parse("  Mina.Ahmadi@Example.org ").unwrap();
        assert_eq!(a.as_ref(), "Mina.Ahmadi@Example.org");
        assert_eq!(a.canonical(), "mina.ahmadi@example.org");
    }

    #[test]
    fn gmail_dots_and_tags_are_the_same_address() {
        let canonical = |raw: &str| SupporterEmail::parse(raw).unwrap().canonical();
        assert_eq!(canonical("Mina.Ahmadi+petition@GMail.com"), "minaahmadi@gmail.com");
        assert_eq!(canonical("m.i.n.a.ahmadi@googlemail.com"), "minaahmadi@gmail.com");
        // Elsewhere dots and tags may be different mailboxes.
        assert_eq!(canonical("mina.ahmadi+x@example.org"), "mina.ahmadi+x@example.org");
    }

    #[test]
    fn a_gmail_address_with_nothing_but_dots_and_a_tag_is_refused() {
        // Found by the `domain` fuzz target: "+@gmail.com" parsed, and its canonical form
        // "@gmail.com" (shared by every such address) did not.
        for raw in ["+@gmail.com", "+tag@gmail.com", ".@googlemail.com", "..+x@GMail.com"] {
            assert_eq!(SupporterEmail::parse(raw), Err(FieldError::InvalidEmail), "{raw}");
        }
        assert_eq!(SupporterEmail::parse("a+@gmail.com").unwrap().canonical(), "a@gmail.com");
        // Also found by it: the tag was cut inside a quoted local part, leaving a lone `"`.
        let quoted = SupporterEmail::parse("\"~Ex+le.org\"@gmail.com").unwrap();
        assert_eq!(quoted.canonical(), "\"~ex+le.org\"@gmail.com");
        assert_eq!(SupporterEmail::parse(&quoted.canonical()).unwrap().canonical(), quoted.canonical());
    }

    #[test]
    fn throwaway_mailboxes_are_refused() {
        for raw in ["x@mailinator.com", "x@YOPMAIL.com", "x@eu.guerrillamail.com"] {
            assert_eq!(SupporterEmail::parse(raw), Err(FieldError::DisposableEmail), "{raw}");
        }
        assert!(SupporterEmail::parse("x@notmailinator.com").is_ok());
    }

    #[test]
    fn invalid_addresses_are_refused() {
        for raw in [
            "",
            "plain",
            "a@b",
            "a@@b.org",
            "a b@c.org",
            "a@b.org\r\nBcc: c@d.org",
            "a\0@b.org",
            "<a@b.org>",
            &format!("{}@example.org", "a".repeat(250)),
        ] {
            assert!(SupporterEmail::parse(raw).is_err(), "{raw:?}");
        }
    }
}
