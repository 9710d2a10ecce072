//! What CLDR knows about each language, through ICU4X and its compiled data: country
//! names, their order (collation), digits and grouping, and how dates and times are
//! written. Only display lives here; which codes are valid countries is
//! `crate::domain::Country`'s business, and words of our own are in the Fluent files.
//!
//! Each language's formatters and its sorted country list are built once, on first use,
//! and kept for the life of the process: building the German collator and 249 names
//! takes milliseconds, formatting with them microseconds.
//!
//! What CLDR gives for our languages (checked by the tests below): Dari (`fa-AF`) and
//! Pashto (`ps`) have their own country names, collation (Persian order; Pashto's
//! letters such as ښ in their place) and Eastern Arabic-Indic digits (۱۲۳) as the default
//! numbering system. Dates are Gregorian in every language (see `Cldr::load`).
//! When a language has no data, its country names and formats fall back to English.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDateTime, Timelike};
use icu_collator::options::CollatorOptions;
use icu_collator::{Collator, CollatorBorrowed};
use icu_datetime::fieldsets::{T, YMD};
use icu_datetime::input::{Date, Time};
use icu_datetime::{DateTimeFormatter, NoCalendarFormatter};
use icu_decimal::DecimalFormatter;
use icu_decimal::input::Decimal;
use icu_experimental::displaynames::DisplayNamesOptions;
use icu_experimental::displaynames::multi::RegionDisplayNames;
use icu_locale_core::Locale;
use icu_locale_core::subtags::Region;

use crate::domain::{Country, Lang};

/// A country as a reader of one language sees it.
pub struct CountryName {
    /// ISO 3166-1 alpha-2, what forms send and exports keep.
    pub code: &'static str,
    pub name: String,
}

/// Every country, named in `lang` and sorted by `lang`'s collation.
pub fn countries(lang: Lang) -> &'static [CountryName] {
    &cldr(lang).countries
}

/// The name of the country `code` in `lang`; a code that is no country shows as itself.
pub fn country_name(lang: Lang, code: &str) -> &str {
    let data = cldr(lang);
    Country::parse(code)
        .ok()
        .and_then(|c| data.by_code.get(c.code()))
        .map(|&i| data.countries[i].name.as_str())
        .unwrap_or(code)
}

/// A whole number in `lang`'s digits and grouping: 50,000, 50.000 or ۵۰٬۰۰۰.
pub fn number(lang: Lang, n: i64) -> String {
    cldr(lang).decimal.format(&Decimal::from(n)).to_string()
}

/// A calendar date in `lang`, written out: "1 March 2027", "1. März 2027".
pub fn date(lang: Lang, at: NaiveDateTime) -> String {
    let date = u8::try_from(at.month())
        .ok()
        .zip(u8::try_from(at.day()).ok())
        .and_then(|(month, day)| Date::try_new_iso(at.year(), month, day).ok());
    match date {
        Some(date) => cldr(lang).date.format(&date).to_string(),
        None => at.format("%Y-%m-%d").to_string(),
    }
}

/// The time of day in `lang`: "18:00", "6:00 PM", "۱۸:۰۰".
pub fn time(lang: Lang, at: NaiveDateTime) -> String {
    let time = u8::try_from(at.hour())
        .ok()
        .zip(u8::try_from(at.minute()).ok())
        .and_then(|(hour, minute)| Time::try_new(hour, minute, 0, 0).ok());
    match time {
        Some(time) => cldr(lang).time.format(&time).to_string(),
        None => at.format("%H:%M").to_string(),
    }
}

/// Compares two strings as a reader of `lang` sorts them.
pub fn compare(lang: Lang, a: &str, b: &str) -> Ordering {
    cldr(lang).collator.compare(a, b)
}

struct Cldr {
    countries: Vec<CountryName>,
    by_code: HashMap<&'static str, usize>,
    collator: CollatorBorrowed<'static>,
    decimal: DecimalFormatter,
    date: DateTimeFormatter<YMD>,
    time: NoCalendarFormatter<T>,
}

const LANGS: usize = Lang::ALL.len();

fn cldr(lang: Lang) -> &'static Cldr {
    static CACHE: [OnceLock<Cldr>; LANGS] = [const { OnceLock::new() }; LANGS];
    let i = Lang::ALL.iter().position(|l| *l == lang).unwrap_or(0);
    CACHE[i].get_or_init(|| Cldr::load(lang))
}

impl Cldr {
    fn load(lang: Lang) -> Cldr {
        // Our English is written for readers in Europe, as the campaign's targets are:
        // day before month and a 24-hour clock, as British English writes them.
        let tag = if lang == Lang::En { "en-GB" } else { lang.code() };
        let locale: Locale = tag.parse().unwrap_or(icu_locale_core::locale!("en"));
        let english = icu_locale_core::locale!("en");
        // Compiled data covers every shipped language (the tests say so); English, then
        // the root locale, only if one ever lacks a piece.
        let collator = Collator::try_new((&locale).into(), CollatorOptions::default())
            .or_else(|_| Collator::try_new((&english).into(), CollatorOptions::default()))
            .expect("compiled data has the root collation");
        let decimal = DecimalFormatter::try_new((&locale).into(), Default::default())
            .or_else(|_| DecimalFormatter::try_new((&english).into(), Default::default()))
            .expect("compiled data has the root number format");
        // Gregorian dates in every language: the dates a campaign names (its closing, a
        // letter's period) are the ones its targets in Europe read, and CLDR's Dari and
        // Pashto month names for them (جنوری، مارچ) are those used in Afghanistan. CLDR's
        // own default for fa-AF and ps would be the Solar Hijri calendar.
        let gregorian: Locale = format!("{tag}-u-ca-gregory").parse().unwrap_or_else(|_| locale.clone());
        let date = DateTimeFormatter::try_new((&gregorian).into(), YMD::long())
            .or_else(|_| DateTimeFormatter::try_new((&english).into(), YMD::long()))
            .expect("compiled data has the root date format");
        let time = NoCalendarFormatter::try_new((&locale).into(), T::hm())
            .or_else(|_| NoCalendarFormatter::try_new((&english).into(), T::hm()))
            .expect("compiled data has the root time format");
        let names = RegionDisplayNames::try_new((&locale).into(), DisplayNamesOptions::default()).ok();
        let mut countries: Vec<CountryName> = Country::all()
            .into_iter()
            .map(|c| {
                let name = Region::try_from_str(c.code())
                    .ok()
                    .and_then(|region| names.as_ref().and_then(|n| n.of(region)))
                    .unwrap_or(c.name());
                CountryName { code: c.code(), name: name.to_owned() }
            })
            .collect();
        countries.sort_by(|a, b| collator.compare(&a.name, &b.name));
        let by_code = countries.iter().enumerate().map(|(i, c)| (c.code, i)).collect();
        Cldr { countries, by_code, collator, decimal, date, time }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn position(lang: Lang, code: &str) -> usize {
        countries(lang).iter().position(|c| c.code == code).unwrap()
    }

    fn is_arabic_script(s: &str) -> bool {
        s.chars().filter(|c| c.is_alphabetic()).all(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
    }

    #[test]
    fn every_shipped_language_has_its_own_country_names() {
        assert_eq!(country_name(Lang::En, "AT"), "Austria");
        assert_eq!(country_name(Lang::De, "AT"), "Österreich");
        assert_eq!(country_name(Lang::De, "af"), "Afghanistan");
        assert_eq!(country_name(Lang::FaAf, "AF"), "افغانستان");
        assert_eq!(country_name(Lang::Ps, "AF"), "افغانستان");
        assert_eq!(country_name(Lang::FaAf, "DE"), "آلمان");
        for lang in [Lang::FaAf, Lang::Ps] {
            let latin: Vec<&str> =
                countries(lang).iter().map(|c| c.name.as_str()).filter(|n| !is_arabic_script(n)).collect();
            assert!(latin.is_empty(), "{lang:?} names these in Latin script: {latin:?}");
        }
        assert_eq!(country_name(Lang::De, "XX"), "XX", "no country shows as its code");
    }

    #[test]
    fn countries_are_sorted_as_each_language_sorts() {
        // German sorts Ö with O: Oman, Österreich, Pakistan; English by its own names.
        assert!(position(Lang::De, "OM") < position(Lang::De, "AT"));
        assert!(position(Lang::De, "AT") < position(Lang::De, "PK"));
        assert!(position(Lang::En, "AT") < position(Lang::En, "OM"));
        // Persian order: آ and ا first (آلمان, افغانستان), then ب (بلجیم), then پ (پاکستان).
        assert!(position(Lang::FaAf, "DE") < position(Lang::FaAf, "BE"));
        assert!(position(Lang::FaAf, "AF") < position(Lang::FaAf, "BE"));
        assert!(position(Lang::FaAf, "BE") < position(Lang::FaAf, "PK"));
        for lang in Lang::ALL {
            let names: Vec<&str> = countries(lang).iter().map(|c| c.name.as_str()).collect();
            assert!(names.is_sorted_by(|a, b| compare(lang, a, b).is_le()), "{lang:?}");
            assert_eq!(names.len(), Country::all().len(), "{lang:?} lists every country");
        }
    }

    #[test]
    fn numbers_come_in_each_languages_own_digits() {
        assert_eq!(number(Lang::En, 1_234_567), "1,234,567");
        assert_eq!(number(Lang::De, 50_000), "50.000");
        assert_eq!(number(Lang::FaAf, 123), "۱۲۳");
        assert_eq!(number(Lang::Ps, 123), "۱۲۳");
        assert!(number(Lang::FaAf, 50_000).starts_with("۵۰"));
        assert!(number(Lang::FaAf, 50_000).ends_with("۰۰۰"));
    }

    #[test]
    fn dates_are_written_in_each_language_and_gregorian() {
        let at: NaiveDateTime = "2027-03-01T18:05:00".parse().unwrap();
        assert_eq!(date(Lang::En, at), "1 March 2027");
        assert_eq!(time(Lang::En, at), "18:05");
        assert_eq!(date(Lang::De, at), "1. März 2027");
        assert_eq!(time(Lang::De, at), "18:05");
        let dari = date(Lang::FaAf, at);
        assert!(dari.contains("مارچ") && dari.contains("۲۰۲۷"), "{dari}");
        let pashto = date(Lang::Ps, at);
        assert!(pashto.contains("۲۰۲۷") && is_arabic_script(&pashto), "{pashto}");
    }
}
