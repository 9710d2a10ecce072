//! Free-text fields a supporter types: name, postcode, comment.

use super::FieldError;
use unicode_segmentation::UnicodeSegmentation;

fn count(s: &str) -> usize {
    s.graphemes(true).count()
}

/// 1 to 200 characters after trimming, no control characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupporterName(String);

impl SupporterName {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(FieldError::Missing);
        }
        if count(name) > 200 {
            return Err(FieldError::TooLong(200));
        }
        if name.chars().any(char::is_control) {
            return Err(FieldError::ControlCharacters);
        }
        Ok(Self(name.to_owned()))
    }
}

impl AsRef<str> for SupporterName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Optional, at most 16 characters, no control characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Postcode(String);

impl Postcode {
    pub fn parse(raw: &str) -> Result<Option<Self>, FieldError> {
        let code = raw.trim();
        if code.is_empty() {
            return Ok(None);
        }
        if count(code) > 16 {
            return Err(FieldError::TooLong(16));
        }
        if code.chars().any(char::is_control) {
            return Err(FieldError::ControlCharacters);
        }
        Ok(Some(Self(code.to_owned())))
    }
}

impl AsRef<str> for Postcode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Optional, at most 1000 characters. Line breaks are kept (as `\n`); other control
/// characters are refused, since the comment may be quoted in letters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment(String);

impl Comment {
    pub fn parse(raw: &str) -> Result<Option<Self>, FieldError> {
        let comment = raw.trim().replace("\r\n", "\n");
        if comment.is_empty() {
            return Ok(None);
        }
        if count(&comment) > 1000 {
            return Err(FieldError::TooLong(1000));
        }
        if comment.chars().any(|c| c.is_control() && c != '\n') {
            return Err(FieldError::ControlCharacters);
        }
        Ok(Some(Self(comment)))
    }
}

impl AsRef<str> for Comment {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(SupporterName::parse("  Mina  ").unwrap().as_ref(), "Mina");
        assert!(SupporterName::parse("   ").is_err());
        assert!(SupporterName::parse(&"a".repeat(200)).is_ok());
        assert!(SupporterName::parse(&"a".repeat(201)).is_err());
        assert!(SupporterName::parse("Mina\r\nBcc: x@y").is_err());
        assert!(SupporterName::parse("Mi\0na").is_err());
    }

    #[test]
    fn names_in_any_script_are_kept_whole() {
        for name in ["مینا احمدی", "Zoë 👩🏽‍⚕️", "ملالہ", "Jürgen Groß"] {
            assert_eq!(SupporterName::parse(name).unwrap().as_ref(), name);
        }
        // 200 emoji with skin tones are 200 characters as a reader counts them.
        assert!(SupporterName::parse(&"👩🏽".repeat(200)).is_ok());
    }

    #[test]
    fn comments_keep_line_breaks_but_not_other_controls() {
        assert_eq!(Comment::parse("a\r\nb").unwrap().unwrap().as_ref(), "a\nb");
        assert!(Comment::parse("a\u{7}b").is_err());
        assert_eq!(Comment::parse("  ").unwrap(), None);
        assert!(Comment::parse(&"x".repeat(1001)).is_err());
    }

    #[test]
    fn postcodes_are_optional_and_short() {
        assert_eq!(Postcode::parse("").unwrap(), None);
        assert_eq!(Postcode::parse(" 10115 ").unwrap().unwrap().as_ref(), "10115");
        assert!(Postcode::parse(&"1".repeat(17)).is_err());
    }
}
