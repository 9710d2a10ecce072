//! The body of `POST /api/v1/petitions/{slug}/signatures`: OSDI's record signature helper
//! (`person`, `comments`, `referrer_data`) plus a `rallypost` object for what OSDI has no
//! word for (consent to the targets, the news opt-ins, anonymity). Only that shape is
//! read: an unknown field, a wrong type or bytes that are not JSON are refused with the
//! path of the field at fault, never guessed at.
//!
//! Validation is the sign form's, not a copy of it: the body is turned into the form's
//! fields (`form_fields`) and parsed by `web::sign::parse_signature`, so both ways in
//! accept and refuse exactly the same signatures. Its errors come back under the body's
//! field paths, in the supporter's language (`person.languages_spoken`), so that a partner
//! site can show them to the supporter as they are.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::domain::Lang;
use crate::partners::{HostName, PartnerId, Referral};
use crate::signatures::NewSignature;

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureBody {
    pub person: Person,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comments: Option<String>,
    #[serde(default)]
    pub referrer_data: ReferrerData,
    #[serde(default)]
    pub rallypost: Choices,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    #[serde(default)]
    pub email_addresses: Vec<EmailAddress>,
    #[serde(default)]
    pub postal_addresses: Vec<PostalAddress>,
    /// The first one rallypost has texts in is the supporter's language.
    #[serde(default)]
    pub languages_spoken: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EmailAddress {
    pub address: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PostalAddress {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// Where the supporter came from, as the read API writes it (`export`'s `referrer_data`):
/// `source`, `medium` and `campaign` are stored as the utm values, `website` (a URL or a
/// host) as the referring host. `referrer` is the partner; the token decides it (see
/// `api::sign::partner_for`).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReferrerData {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medium: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrer: Option<String>,
}

/// The form's checkboxes.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Choices {
    /// The supporter agreed to the campaign's consent sentence (its `consent` text, in
    /// their language): required, as on the form.
    #[serde(default)]
    pub consent: bool,
    /// The lead organisation's news.
    #[serde(default)]
    pub updates: bool,
    /// The news of the token's partner, in the campaign file's wording for that partner.
    #[serde(default)]
    pub partner_opt_in: bool,
    /// Counted, but the name never reaches a target.
    #[serde(default)]
    pub anonymous: bool,
}

/// Why a body could not be read as a `SignatureBody`.
#[derive(Debug, PartialEq, Eq)]
pub struct Malformed {
    /// Where in the body, as `person.email_addresses[0].address`; `None` when the bytes
    /// are no JSON at all.
    pub field: Option<String>,
    pub message: String,
}

/// Reads the body; refuses anything but exactly the shape above.
pub fn parse(body: &[u8]) -> Result<SignatureBody, Malformed> {
    let mut reader = serde_json::Deserializer::from_slice(body);
    let parsed: SignatureBody = serde_path_to_error::deserialize(&mut reader).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let field = (path != "." && inner.is_data()).then_some(path);
        Malformed { field, message: inner.to_string() }
    })?;
    // Trailing bytes after the object: not one JSON value.
    reader.end().map_err(|e| Malformed { field: None, message: e.to_string() })?;
    Ok(parsed)
}

/// The form's field names and where each is in the body, for errors.
const PATHS: [(&str, &str); 6] = [
    ("name", "person.given_name"),
    ("email", "person.email_addresses[0].address"),
    ("country", "person.postal_addresses[0].country"),
    ("postcode", "person.postal_addresses[0].postal_code"),
    ("comment", "comments"),
    ("consent", "rallypost.consent"),
];

/// What is wrong with each field, keyed by its path in the body.
pub type FieldErrors = BTreeMap<String, String>;

impl SignatureBody {
    /// The supporter's language: the first of `languages_spoken` rallypost has, else
    /// the campaign's default.
    pub fn lang(&self, default: Lang) -> Lang {
        self.person.languages_spoken.iter().find_map(|tag| Lang::from_tag(tag)).unwrap_or(default)
    }

    /// The address OSDI marks primary, else the first.
    fn email(&self) -> Option<&str> {
        let all = &self.person.email_addresses;
        all.iter().find(|e| e.primary == Some(true)).or(all.first()).map(|e| e.address.as_str())
    }

    /// The body as the sign form's fields, for `parse_signature`. The form has one name
    /// field: given and family name, in that order.
    pub fn form_fields(&self, partner: Option<&PartnerId>) -> HashMap<String, String> {
        let person = &self.person;
        let name = [&person.given_name, &person.family_name]
            .into_iter()
            .filter_map(|part| part.as_deref().map(str::trim))
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let address = person.postal_addresses.first();
        let text = |value: Option<&str>| value.unwrap_or_default().to_owned();
        let checkbox = |on: bool| String::from(if on { "on" } else { "" });
        let choices = &self.rallypost;
        let mut fields = HashMap::from([
            ("name".to_owned(), name),
            ("email".to_owned(), text(self.email())),
            ("country".to_owned(), text(address.and_then(|a| a.country.as_deref()))),
            ("postcode".to_owned(), text(address.and_then(|a| a.postal_code.as_deref()))),
            ("comment".to_owned(), text(self.comments.as_deref())),
            ("consent".to_owned(), checkbox(choices.consent)),
            ("updates".to_owned(), checkbox(choices.updates)),
            ("anonymous".to_owned(), checkbox(choices.anonymous)),
        ]);
        if let Some(partner) = partner {
            fields.insert(partner.optin_field(), checkbox(choices.partner_opt_in));
        }
        fields
    }

    /// Where the supporter came from: `partner` (decided by the token), and what
    /// `referrer_data` says; values that do not parse are dropped, as from a link.
    pub fn referral(&self, partner: Option<&PartnerId>) -> Referral {
        let data = &self.referrer_data;
        let host = data
            .website
            .as_deref()
            .and_then(|w| HostName::of_url(w).or_else(|| HostName::parse(w)))
            .map(|h| h.as_ref().to_owned());
        let via = partner.map(|p| p.as_ref().to_owned());
        Referral::read(
            |name| match name {
                "via" => via.as_deref(),
                "utm_source" => data.source.as_deref(),
                "utm_medium" => data.medium.as_deref(),
                "utm_campaign" => data.campaign.as_deref(),
                "ref" => host.as_deref(),
                _ => None,
            },
            |_| true,
        )
    }

    /// The signature, validated exactly as the sign form validates it; `partner` is
    /// one the campaign lists.
    pub fn validate(
        &self,
        partner: Option<&PartnerId>,
        default_lang: Lang,
    ) -> Result<NewSignature, FieldErrors> {
        let lang = self.lang(default_lang);
        crate::web::sign::parse_signature(&self.form_fields(partner), self.referral(partner), lang).map_err(
            |e| {
                let errors = [&e.name, &e.email, &e.country, &e.postcode, &e.comment, &e.consent];
                PATHS
                    .iter()
                    .zip(errors)
                    .filter_map(|((_, path), error)| Some((path.to_string(), error.clone()?)))
                    .collect()
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = r#"{
        "person": {
            "given_name": "Mina", "family_name": "Ahmadi",
            "email_addresses": [{"address": "mina@example.org", "primary": true}],
            "postal_addresses": [{"postal_code": "10115", "country": "DE"}],
            "languages_spoken": ["de"]
        },
        "comments": "Stop the deportations.",
        "referrer_data": {"source": "newsletter", "website": "https://partner.example/sign"},
        "rallypost": {"consent": true, "updates": true, "partner_opt_in": true}
    }"#;

    fn partner() -> PartnerId {
        PartnerId::parse("exile-network").unwrap()
    }

    #[test]
    fn a_full_body_becomes_the_signature_the_form_would_make() {
        let body = parse(FULL.as_bytes()).unwrap();
        let new = body.validate(Some(&partner()), Lang::En).unwrap();
        assert_eq!(new.name.as_ref(), "Mina Ahmadi");
        assert_eq!(new.email.as_ref(), "mina@example.org");
        assert_eq!(new.country.code(), "DE");
        assert_eq!(new.postcode.unwrap().as_ref(), "10115");
        assert_eq!(new.lang, Lang::De);
        assert!(new.updates_opt_in && new.partner_opt_in && !new.anonymous);
        assert_eq!(new.referral.partner, Some(partner()));
        assert_eq!(new.referral.source.unwrap().as_ref(), "newsletter");
        assert_eq!(new.referral.referrer_host.unwrap().as_ref(), "partner.example");
    }

    #[test]
    fn every_bad_field_is_named_by_its_path_in_the_body() {
        let body = parse(
            br#"{"person": {"email_addresses": [{"address": "not an address"}],
            "postal_addresses": [{"country": "XX"}]}}"#,
        )
        .unwrap();
        let errors = body.validate(None, Lang::En).err().expect("the body does not validate");
        let named: Vec<&str> = errors.keys().map(String::as_str).collect();
        assert_eq!(
            named,
            [
                "person.email_addresses[0].address",
                "person.given_name",
                "person.postal_addresses[0].country",
                "rallypost.consent"
            ]
        );
    }

    #[test]
    fn unknown_fields_and_wrong_types_are_refused_with_their_path() {
        let unknown = parse(br#"{"person": {"given_name": "M", "nickname": "x"}}"#).unwrap_err();
        assert_eq!(unknown.field.as_deref(), Some("person.nickname"));
        assert!(unknown.message.contains("unknown field"), "{}", unknown.message);
        let wrong = parse(br#"{"person": {"email_addresses": [{"address": 5}]}}"#).unwrap_err();
        assert_eq!(wrong.field.as_deref(), Some("person.email_addresses[0].address"));
        let missing = parse(br#"{"comments": "x"}"#).unwrap_err();
        assert!(missing.message.contains("person"), "{}", missing.message);
        for not_json in [&b""[..], b"{", b"name=Mina", b"{} {}", b"\xff"] {
            assert_eq!(parse(not_json).unwrap_err().field, None, "{not_json:?}");
        }
    }

    #[test]
    fn a_partner_opt_in_without_a_partner_is_ignored_as_on_the_form() {
        let body = parse(FULL.as_bytes()).unwrap();
        let new = body.validate(None, Lang::En).unwrap();
        assert!(!new.partner_opt_in);
        assert_eq!(new.referral.partner, None);
    }
}
