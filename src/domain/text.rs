//! Free-text fields a supporter types: name, postcode, comment.
//!
//! Besides control characters, each refuses the Unicode controls that override or embed
//! a direction (U+202A to U+202E) or isolate a run (U+2066 to U+2069). These reorder what
//! follows them wherever the text is shown, so `abc\u{202E}txt.exe` reads `abcexe.txt` in
//! a spreadsheet or in a letter a ministry receives, and the reader cannot see why. The
//! marks U+200E, U+200F and U+061C stay allowed: they set no direction beyond the
//! character next to them, and Dari and Pashto keyboards type them in ordinary text (as
//! they type U+200C, the zero-width non-joiner, which Persian spelling needs).

use super::FieldError;
use unicode_segmentation::UnicodeSegmentation;

fn count(s: &str) -> usize {
    s.graphemes(true).count()
}

/// An embedding, override or isolate control (see the module comment).
pub fn is_direction_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Refuses control characters (other than those `allowed`) and direction controls.
fn refuse_controls(text: &str, allowed: &[char]) -> Result<(), FieldError> {
    if text.chars().any(|c| c.is_control() && !allowed.contains(&c)) {
        return Err(FieldError::ControlCharacters);
    }
    if text.chars().any(is_direction_control) {
        return Err(FieldError::DirectionControls);
    }
    Ok(())
}

/// 1 to 200 characters after trimming, no control or direction-control characters.
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
        refuse_controls(name, &[])?;
        Ok(Self(name.to_owned()))
    }
}

impl AsRef<str> for SupporterName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// An endorsing organisation's name: 1 to 200 characters after trimming, no control or
/// direction-control characters (it is shown on the campaign page and in letters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrganisationName(String);

impl OrganisationName {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        SupporterName::parse(raw).map(|name| OrganisationName(name.0))
    }
}

impl AsRef<str> for OrganisationName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Optional, at most 16 characters, no control or direction-control characters.
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
        refuse_controls(code, &[])?;
        Ok(Some(Self(code.to_owned())))
    }
}

impl AsRef<str> for Postcode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Optional, at most 1000 characters. Line breaks are kept (as `\n`); other control
/// characters and direction controls are refused, since the comment may be quoted in letters.
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
        refuse_controls(&comment, &['\n'])?;
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
    fn direction_controls_are_refused_in_every_free_text_field() {
        for control in [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}',
            '\u{2069}',
        ] {
            let text = format!("abc{control}txt.exe");
            assert_eq!(SupporterName::parse(&text), Err(FieldError::DirectionControls), "{control:?}");
            assert_eq!(Comment::parse(&text), Err(FieldError::DirectionControls), "{control:?}");
            assert_eq!(
                Postcode::parse(&format!("1{control}2")),
                Err(FieldError::DirectionControls),
                "{control:?}"
            );
        }
    }

    #[test]
    fn marks_that_dari_keyboards_type_are_kept() {
        for name in ["می\u{200C}خواهم", "مینا\u{200F} (Mina)", "Mina\u{200E} احمدی", "ملالہ\u{061C}"]
        {
            assert_eq!(SupporterName::parse(name).unwrap().as_ref(), name);
            assert_eq!(Comment::parse(name).unwrap().unwrap().as_ref(), name);
        }
    }

    #[test]
    fn postcodes_are_optional_and_short() {
        assert_eq!(Postcode::parse("").unwrap(), None);
        assert_eq!(Postcode::parse(" 10115 ").unwrap().unwrap().as_ref(), "10115");
        assert!(Postcode::parse(&"1".repeat(17)).is_err());
    }
}
