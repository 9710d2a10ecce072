//! Where a supporter came from: the partner whose link they followed, the link's utm
//! parameters and the host of the page that linked to the campaign. Read from the campaign
//! page's query and `Referer`, carried through the form as hidden fields (our own pages
//! send no `Referer`), and read back from the form when it is posted.

use super::PartnerId;

/// A utm value as stored: at most this many characters.
const MAX_TAG: usize = 100;

/// A utm value: trimmed, 1 to 100 characters, no control or direction-control characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceTag(String);

impl SourceTag {
    pub fn parse(raw: &str) -> Option<Self> {
        let tag = raw.trim();
        let clean = !tag.chars().any(|c| c.is_control() || crate::domain::is_direction_control(c));
        (!tag.is_empty() && tag.chars().count() <= MAX_TAG && clean).then(|| SourceTag(tag.to_owned()))
    }
}

impl AsRef<str> for SourceTag {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// A host name (or IP address), lower case, without scheme, port, path or user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostName(String);

impl HostName {
    /// A bare host as the hidden form field carries it.
    pub fn parse(raw: &str) -> Option<Self> {
        let host = url::Host::parse(raw.trim()).ok()?.to_string();
        (host.len() <= 253 && !host.is_empty()).then_some(HostName(host))
    }

    /// The host of a `Referer` header's URL; nothing of its path or query is kept.
    pub fn of_url(raw: &str) -> Option<Self> {
        let url = url::Url::parse(raw).ok()?;
        if !matches!(url.scheme(), "http" | "https") {
            return None;
        }
        HostName::parse(url.host_str()?)
    }
}

impl AsRef<str> for HostName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// The form fields a referral travels in, in the order the page writes them.
pub const FIELDS: [&str; 5] = ["via", "utm_source", "utm_medium", "utm_campaign", "ref"];

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Referral {
    /// Only a partner the campaign lists.
    pub partner: Option<PartnerId>,
    pub source: Option<SourceTag>,
    pub medium: Option<SourceTag>,
    pub campaign: Option<SourceTag>,
    pub referrer_host: Option<HostName>,
}

impl Referral {
    /// Reads the fields named in `FIELDS` with `get`; keeps a partner only if `known`
    /// says the campaign has it. Whatever does not parse is left out.
    pub fn read<'a>(get: impl Fn(&str) -> Option<&'a str>, known: impl Fn(&PartnerId) -> bool) -> Referral {
        let tag = |name| get(name).and_then(SourceTag::parse);
        Referral {
            partner: get("via").and_then(|v| PartnerId::parse(v.trim()).ok()).filter(known),
            source: tag("utm_source"),
            medium: tag("utm_medium"),
            campaign: tag("utm_campaign"),
            referrer_host: get("ref").and_then(HostName::parse),
        }
    }

    /// The hidden fields that carry this referral through the form: only those with a value.
    pub fn hidden_fields(&self) -> Vec<(&'static str, &str)> {
        let values = [
            self.partner.as_ref().map(AsRef::as_ref),
            self.source.as_ref().map(AsRef::as_ref),
            self.medium.as_ref().map(AsRef::as_ref),
            self.campaign.as_ref().map(AsRef::as_ref),
            self.referrer_host.as_ref().map(AsRef::as_ref),
        ];
        FIELDS.into_iter().zip(values).filter_map(|(name, value)| Some((name, value?))).collect()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn read(pairs: &[(&str, &str)]) -> Referral {
        let map: HashMap<&str, &str> = pairs.iter().copied().collect();
        Referral::read(|name| map.get(name).copied(), |id| id.as_ref() == "known")
    }

    #[test]
    fn a_known_partner_and_clean_utm_values_are_kept() {
        let r = read(&[
            ("via", "known"),
            ("utm_source", " newsletter "),
            ("utm_medium", "email"),
            ("utm_campaign", "winter-2026"),
            ("ref", "Partner.Example"),
        ]);
        assert_eq!(r.partner.unwrap().as_ref(), "known");
        assert_eq!(r.source.unwrap().as_ref(), "newsletter");
        assert_eq!(r.medium.unwrap().as_ref(), "email");
        assert_eq!(r.campaign.unwrap().as_ref(), "winter-2026");
        assert_eq!(r.referrer_host.unwrap().as_ref(), "partner.example");
    }

    #[test]
    fn unknown_partners_and_bad_values_are_dropped_not_refused() {
        let long = "x".repeat(101);
        let r = read(&[
            ("via", "unknown"),
            ("utm_source", &long),
            ("utm_medium", "e\u{0}mail"),
            ("utm_campaign", "a\u{202E}b"),
            ("ref", "not a host/"),
        ]);
        assert_eq!(r, Referral::default());
        assert!(r.hidden_fields().is_empty());
        assert!(read(&[("utm_source", &"x".repeat(100))]).source.is_some(), "100 is allowed");
        assert!(read(&[("via", &"k".repeat(200))]).partner.is_none());
    }

    #[test]
    fn a_referer_keeps_only_its_host() {
        let host = HostName::of_url("https://www.partner.example:8443/campaigns/x?email=a@b.example#top");
        assert_eq!(host.unwrap().as_ref(), "www.partner.example");
        assert!(HostName::of_url("android-app://com.example/").is_none());
        assert!(HostName::of_url("not a url").is_none());
    }
}
