//! ISO 3166-1 alpha-2 country codes.

use isocountry::CountryCode;

use super::FieldError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Country(CountryCode);

impl Country {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let code = raw.trim().to_ascii_uppercase();
        if code.is_empty() {
            return Err(FieldError::Missing);
        }
        CountryCode::for_alpha2(&code).map(Self).map_err(|_| FieldError::UnknownCountry)
    }

    pub fn code(&self) -> &'static str {
        self.0.alpha2()
    }

    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// The country a language tag names as its region: `de-AT` is Austria, `fa-AF`
    /// Afghanistan, `zh-Hant-TW` Taiwan; `de` or `es-419` (a numeric region) none.
    pub fn of_language_tag(tag: &str) -> Option<Country> {
        tag.split(['-', '_'])
            .skip(1)
            .find(|subtag| subtag.len() == 2 && subtag.bytes().all(|b| b.is_ascii_alphabetic()))
            .and_then(|region| Country::parse(region).ok())
    }

    /// Every country, sorted by English name; pages show them in their own language
    /// (`crate::i18n::cldr`).
    pub fn all() -> Vec<Country> {
        let mut all: Vec<Country> = CountryCode::iter().map(|c| Country(*c)).collect();
        all.sort_by_key(|c| c.name());
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alpha2_codes_parse_in_any_case() {
        assert_eq!(Country::parse("af").unwrap().code(), "AF");
        assert_eq!(Country::parse(" DE ").unwrap().code(), "DE");
        assert!(Country::parse("XX").is_err());
        assert!(Country::parse("DEU").is_err());
        assert!(Country::parse("").is_err());
        assert!(Country::all().len() > 240);
    }

    #[test]
    fn a_language_tag_names_its_region_if_it_has_one() {
        let region = |tag| Country::of_language_tag(tag).map(|c| c.code());
        assert_eq!(region("de-AT"), Some("AT"));
        assert_eq!(region("fa-AF"), Some("AF"));
        assert_eq!(region("zh-Hant-TW"), Some("TW"));
        assert_eq!(region("en_gb"), Some("GB"));
        assert_eq!(region("de"), None);
        assert_eq!(region("es-419"), None);
        assert_eq!(region("en-XX"), None);
        assert_eq!(region(""), None);
    }
}
