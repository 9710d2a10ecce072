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

    /// Every country, sorted by English name, for the form's list.
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
}
