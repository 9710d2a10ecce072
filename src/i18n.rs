//! The words of pages, supporter emails and letters, looked up by key in the Fluent files
//! under `locales/<tag>/main.ftl`, which are compiled into the binary. This is the one
//! place templates and handlers get words from: `Texts::new(lang).t("sign-button")`.
//! Campaign-specific words (the call, the consent wording, a letter's paragraphs) come from
//! the campaign file. What CLDR knows (country names, digits, dates) is in `cldr`.

use std::borrow::Cow;
use std::collections::HashMap;

pub mod cldr;

use chrono::{DateTime, Offset, Utc};
use chrono_tz::Tz;
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{Loader, static_loader};

use crate::domain::{FieldError, Lang};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Isolation marks around arguments would end up inside email subjects and
        // attribute values; direction is set on the page instead.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The words for one language; missing keys fall back to English.
#[derive(Clone, Copy, Debug)]
pub struct Texts {
    lang: Lang,
}

impl Texts {
    pub fn new(lang: Lang) -> Texts {
        Texts { lang }
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The text for `key`. An unknown key shows as itself, so a typo is visible on the
    /// page rather than a panic; a test checks every key templates use exists.
    pub fn t(&self, key: &str) -> String {
        LOCALES.try_lookup(self.lang.langid(), key).unwrap_or_else(|| key.to_owned())
    }

    /// The text for `key` with one named argument, as in `err-too-long`'s `{ $max }`.
    pub fn t1(&self, key: &str, name: &'static str, value: impl ToString) -> String {
        self.t_args(key, &[(name, value.to_string())])
    }

    /// The text for `key` with named arguments, as in `letter-digest-counts`'s `{ $new }`
    /// and `{ $total }`: one message, so each language orders the parts its own way.
    pub fn t_args(&self, key: &str, args: &[(&'static str, String)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue<'_>> = args
            .iter()
            .map(|(name, value)| (Cow::Borrowed(*name), FluentValue::from(value.as_str())))
            .collect();
        LOCALES.try_lookup_with_args(self.lang.langid(), key, &args).unwrap_or_else(|| key.to_owned())
    }

    /// The text for `key` about `count` things, with more named arguments. The message
    /// gets `$count` as a number, for the language's plural rules to choose its form
    /// (`[one]`, `*[other]`: "1 organisation", "2 organisations"), and `$count_text`, the
    /// same number in the language's digits and grouping, to print.
    pub fn t_count(&self, key: &str, count: i64, args: &[(&'static str, String)]) -> String {
        let mut fluent: HashMap<Cow<'static, str>, FluentValue<'_>> = args
            .iter()
            .map(|(name, value)| (Cow::Borrowed(*name), FluentValue::from(value.as_str())))
            .collect();
        fluent.insert(Cow::Borrowed("count"), FluentValue::from(count));
        fluent.insert(Cow::Borrowed("count_text"), FluentValue::from(self.number(count)));
        LOCALES.try_lookup_with_args(self.lang.langid(), key, &fluent).unwrap_or_else(|| key.to_owned())
    }

    /// A whole number in the language's digits and grouping: 50,000, 50.000, ۵۰٬۰۰۰.
    pub fn number(&self, n: i64) -> String {
        cldr::number(self.lang, n)
    }

    /// The name of the country `code` in this language.
    pub fn country<'a>(&self, code: &'a str) -> &'a str {
        cldr::country_name(self.lang, code)
    }

    /// A day, written out in this language and its calendar, as the campaign's zone
    /// sees it.
    pub fn date(&self, at: DateTime<Utc>, zone: Tz) -> String {
        cldr::date(self.lang, at.with_timezone(&zone).naive_local())
    }

    pub fn field_error(&self, error: FieldError) -> String {
        match error {
            FieldError::Missing => self.t("err-missing"),
            FieldError::TooLong(max) => self.t1("err-too-long", "max", max),
            FieldError::ControlCharacters => self.t("err-control"),
            FieldError::DirectionControls => self.t("err-direction"),
            FieldError::InvalidEmail => self.t("err-email"),
            FieldError::UnknownCountry => self.t("err-country"),
            FieldError::DisposableEmail => self.t("err-disposable"),
            FieldError::InvalidUrl => self.t("err-url"),
        }
    }

    pub fn consent_required(&self) -> String {
        self.t("err-consent")
    }

    /// "Signatures are collected until 1 March 2027, 18:00 (UTC+1)": the closing time in
    /// the campaign's time zone, written as CLDR writes dates and times in this language,
    /// and the offset spelled out, since a zone's name means little to a reader in Kabul.
    pub fn closes_on(&self, at: DateTime<Utc>, zone: Tz) -> String {
        let local = at.with_timezone(&zone);
        let offset = local.offset().fix().local_minus_utc();
        let (sign, offset) = if offset < 0 { ('-', -offset) } else { ('+', offset) };
        let zone = match (offset / 3600, offset % 3600 / 60) {
            (0, 0) => "UTC".to_owned(),
            (hours, 0) => format!("UTC{sign}{hours}"),
            (hours, minutes) => format!("UTC{sign}{hours}:{minutes:02}"),
        };
        let local = local.naive_local();
        self.t_args(
            "closes-on",
            &[("date", cldr::date(self.lang, local)), ("time", cldr::time(self.lang, local)), ("zone", zone)],
        )
    }
}

/// A supporter's words (a name, a comment) set apart from the text around them, for
/// plain text: between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE, the text
/// equivalent of `<bdi>`, so a Dari name keeps a German sentence in order and the other
/// way round. The form refuses these marks in input, so every pair comes from here. Each
/// line is set apart on its own: a line break ends an isolate in the bidi algorithm.
pub fn isolate(s: &str) -> String {
    s.split('\n').map(|line| format!("\u{2068}{line}\u{2069}")).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests;
