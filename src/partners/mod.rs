//! Partners: the organisations that share a campaign with the lead organisation and bring
//! supporters to it through their own links (`/c/{slug}?via={partner}&utm_source=...`).
//! Here live what a campaign file says about a partner (`Partner`) and where a supporter
//! came from (`Referral`), both as types that parse. Which partners a campaign has is read
//! from the campaign file, and the signing code stores a referral with the signature; both
//! use this module, never the other way round.
//!
//! A referral is analytics, not input a supporter typed: a value that does not parse (an
//! unknown partner, a utm value over 100 characters or with control characters, a
//! referrer that is no host name) is dropped, never an error that would stop someone
//! from signing.

mod referral;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::Lang;

pub use referral::{HostName, Referral, SourceTag};

/// A partner's id, as written in links (`?via=`) and form fields (`optin_{id}`): lower-case
/// ASCII letters, digits and inner hyphens, 1 to 64 characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(try_from = "String", into = "String")]
pub struct PartnerId(String);

impl PartnerId {
    pub fn parse(raw: &str) -> Result<Self, String> {
        if crate::domain::is_slug_shaped(raw) {
            Ok(PartnerId(raw.to_owned()))
        } else {
            Err(format!("invalid partner id {raw:?}: use a-z, 0-9 and inner hyphens, at most 64"))
        }
    }

    /// The name of the form's checkbox for this partner's news.
    pub fn optin_field(&self) -> String {
        format!("optin_{}", self.0)
    }
}

impl TryFrom<String> for PartnerId {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        PartnerId::parse(&raw)
    }
}

impl From<PartnerId> for String {
    fn from(id: PartnerId) -> String {
        id.0
    }
}

impl AsRef<str> for PartnerId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for PartnerId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A `[[partners]]` block of a campaign file.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Partner {
    pub id: PartnerId,
    pub name: String,
    /// An `http` or `https` address.
    pub website: String,
    /// `[partners.texts.LANG]`: the partner's own news opt-in sentence, per language.
    pub texts: BTreeMap<Lang, PartnerText>,
    /// Where replies to the partner's news mailings go (their `Reply-To`); optional. The
    /// mailings' `From` stays the campaign's own address, whose domain signs them (DMARC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PartnerText {
    pub optin: String,
}

impl Partner {
    /// The checks a campaign file runs on each of its partners; `default_lang` is the
    /// campaign's, which every partner's opt-in must be written in (it is the fallback).
    pub fn check(&self, default_lang: Lang) -> Result<(), String> {
        let id = &self.id;
        if self.name.trim().is_empty() {
            return Err(format!("partner {id:?} has no name"));
        }
        match url::Url::parse(&self.website) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {}
            _ => return Err(format!("partner {id:?}: website {:?} is not an http(s) address", self.website)),
        }
        if let Some(contact) = &self.contact
            && contact.parse::<lettre::Address>().is_err()
        {
            return Err(format!("partner {id:?}: contact {contact:?} is not an email address"));
        }
        if !self.texts.contains_key(&default_lang) {
            return Err(format!(
                "partner {id:?} has no [partners.texts.{}] in the campaign's default language",
                default_lang.code()
            ));
        }
        if let Some((lang, _)) = self.texts.iter().find(|(_, t)| t.optin.trim().is_empty()) {
            return Err(format!("partner {id:?}: [partners.texts.{}] optin is empty", lang.code()));
        }
        Ok(())
    }

    /// The opt-in sentence in `lang`, else in `default_lang`; with the language it is in.
    pub fn optin(&self, lang: Lang, default_lang: Lang) -> (Lang, &str) {
        match self.texts.get(&lang) {
            Some(text) => (lang, &text.optin),
            None => (default_lang, self.texts.get(&default_lang).map_or("", |t| t.optin.as_str())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partner_ids_are_safe_in_links_and_field_names() {
        assert_eq!(
            PartnerId::parse("afghan-women-network").unwrap().optin_field(),
            "optin_afghan-women-network"
        );
        for bad in ["", "A", "a b", "-a", "a-", "a/b", "ä", "a\u{0}", &"a".repeat(65)] {
            assert!(PartnerId::parse(bad).is_err(), "{bad:?}");
        }
    }

    fn partner(website: &str, texts: &[(Lang, &str)]) -> Partner {
        Partner {
            id: PartnerId::parse("p").unwrap(),
            name: "P".into(),
            website: website.into(),
            texts: texts.iter().map(|(l, t)| (*l, PartnerText { optin: (*t).into() })).collect(),
            contact: None,
        }
    }

    #[test]
    fn a_partner_needs_a_web_address_and_an_optin_in_the_default_language() {
        assert!(partner("https://p.example", &[(Lang::En, "News from P")]).check(Lang::En).is_ok());
        let error = partner("javascript:alert(1)", &[(Lang::En, "x")]).check(Lang::En).unwrap_err();
        assert!(error.contains("website"), "{error}");
        let error = partner("https://p.example", &[(Lang::De, "x")]).check(Lang::En).unwrap_err();
        assert!(error.contains("partners.texts.en"), "{error}");
        let error =
            partner("https://p.example", &[(Lang::En, "x"), (Lang::De, " ")]).check(Lang::En).unwrap_err();
        assert!(error.contains("empty"), "{error}");
        let mut with_contact = partner("https://p.example", &[(Lang::En, "x")]);
        with_contact.contact = Some("news@p.example".into());
        assert!(with_contact.check(Lang::En).is_ok());
        with_contact.contact = Some("news at p.example".into());
        let error = with_contact.check(Lang::En).unwrap_err();
        assert!(error.contains("not an email address"), "{error}");
    }

    #[test]
    fn the_optin_falls_back_to_the_default_language() {
        let p = partner("https://p.example", &[(Lang::En, "News"), (Lang::De, "Neuigkeiten")]);
        assert_eq!(p.optin(Lang::De, Lang::En), (Lang::De, "Neuigkeiten"));
        assert_eq!(p.optin(Lang::Ps, Lang::En), (Lang::En, "News"));
    }
}
