//! The sign form's state between attempts: the values as typed and the errors per field.
//! The country list it offers, named and sorted in the page's language, is
//! `crate::i18n::cldr::countries`.

use crate::i18n::Texts;
use crate::partners::Referral;

/// The form's values as the supporter typed them, shown again after an error.
#[derive(Default)]
pub struct FormValues {
    pub name: String,
    pub email: String,
    pub country: String,
    pub postcode: String,
    pub comment: String,
    pub consent: bool,
    pub updates: bool,
    /// The partner's news (`optin_{partner}`), when a partner's link brought the supporter.
    pub partner_optin: bool,
    /// Counted, but the name never reaches a target.
    pub anonymous: bool,
    /// Where the supporter came from; travels in hidden fields, as the page first read it.
    pub referral: Referral,
}

/// The checkbox for the news of the partner whose link brought the supporter.
pub struct PartnerOptin {
    /// `optin_{partner}`.
    pub field: String,
    /// The partner's sentence, in the page's language or the campaign's default.
    pub text: String,
    pub lang: &'static str,
    pub dir: &'static str,
}

#[derive(Default)]
pub struct FormErrors {
    pub name: Option<String>,
    pub email: Option<String>,
    pub country: Option<String>,
    pub postcode: Option<String>,
    pub comment: Option<String>,
    pub consent: Option<String>,
}

impl FormErrors {
    /// For the error summary above the form: field id, its label, the message; in
    /// the order of the form, so the first link leads to the first problem.
    pub fn summary(&self, texts: &Texts) -> Vec<(&'static str, String, &str)> {
        [
            ("name", &self.name),
            ("email", &self.email),
            ("country", &self.country),
            ("postcode", &self.postcode),
            ("comment", &self.comment),
            ("consent", &self.consent),
        ]
        .into_iter()
        .filter_map(|(field, error)| {
            let label_key = if field == "consent" { "consent-label" } else { field };
            error.as_deref().map(|e| (field, texts.t(label_key), e))
        })
        .collect()
    }

    pub fn any(&self) -> bool {
        self.name.is_some()
            || self.email.is_some()
            || self.country.is_some()
            || self.postcode.is_some()
            || self.comment.is_some()
            || self.consent.is_some()
    }
}
