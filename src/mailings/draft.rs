//! What an organizer writes, parsed once: per language a subject and a Markdown text, and
//! the audience filter. Everything a mailing can be refused for, except an empty audience
//! (a question for the database), is refused here, before anything is stored or queued.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::{Country, Lang};

/// Subjects, texts and their placeholders, all languages together, at most this many bytes.
pub const MAX_BYTES: usize = 100 * 1024;
/// A subject line longer than this is cut off by most mail clients anyway.
pub const MAX_SUBJECT_CHARS: usize = 200;
/// The one placeholder: the supporter's given name. Nothing else about them may appear.
pub const NAME_PLACEHOLDER: &str = "{name}";

/// One language's words, as the organizer wrote them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailingText {
    pub subject: String,
    pub markdown: String,
}

/// A mailing that may be stored: texts checked, the default language present.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    pub texts: BTreeMap<Lang, MailingText>,
    pub countries: Vec<Country>,
    pub languages: Vec<Lang>,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum DraftError {
    #[error("Write a subject and a text in {0}, the campaign's default language.")]
    DefaultLanguageMissing(&'static str),
    #[error("The {0} version needs both a subject and a text (or leave both empty).")]
    HalfWritten(&'static str),
    #[error("The {0} subject must be one line: remove the line break.")]
    SubjectLineBreak(&'static str),
    #[error("The {0} subject is longer than {MAX_SUBJECT_CHARS} characters.")]
    SubjectTooLong(&'static str),
    #[error("The {0} version contains control characters; remove them.")]
    ControlCharacters(&'static str),
    #[error("The {lang} version uses {placeholder}, which is unknown: the only placeholder is {{name}}.")]
    UnknownPlaceholder { lang: &'static str, placeholder: String },
    #[error("The mailing is larger than 100 KiB; shorten it.")]
    TooLarge,
    #[error("{0:?} is not a country code (two letters, such as DE).")]
    UnknownCountry(String),
}

impl Draft {
    /// Checks the organizer's words: `texts` may hold empty entries for languages left out.
    pub fn parse(
        texts: BTreeMap<Lang, MailingText>,
        default_lang: Lang,
        countries: &str,
        languages: Vec<Lang>,
    ) -> Result<Draft, DraftError> {
        let mut kept = BTreeMap::new();
        let mut size = 0;
        for (lang, text) in texts {
            let (subject, markdown) = (text.subject.trim(), text.markdown.trim_end());
            if subject.is_empty() && markdown.trim().is_empty() {
                continue;
            }
            let name = lang.native_name();
            if subject.is_empty() || markdown.trim().is_empty() {
                return Err(DraftError::HalfWritten(name));
            }
            if subject.contains(['\r', '\n']) {
                return Err(DraftError::SubjectLineBreak(name));
            }
            if subject.chars().count() > MAX_SUBJECT_CHARS {
                return Err(DraftError::SubjectTooLong(name));
            }
            let control = |c: char| c.is_control() && c != '\n' && c != '\r' && c != '\t';
            if subject.chars().any(control) || markdown.chars().any(control) {
                return Err(DraftError::ControlCharacters(name));
            }
            for words in [subject, markdown] {
                if let Some(placeholder) = unknown_placeholder(words) {
                    return Err(DraftError::UnknownPlaceholder { lang: name, placeholder });
                }
            }
            size += subject.len() + markdown.len();
            kept.insert(lang, MailingText { subject: subject.to_owned(), markdown: markdown.to_owned() });
        }
        if size > MAX_BYTES {
            return Err(DraftError::TooLarge);
        }
        if !kept.contains_key(&default_lang) {
            return Err(DraftError::DefaultLanguageMissing(default_lang.native_name()));
        }
        let countries = countries
            .split([',', ' '])
            .filter(|c| !c.trim().is_empty())
            .map(|c| Country::parse(c).map_err(|_| DraftError::UnknownCountry(c.trim().to_owned())))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Draft { texts: kept, countries, languages })
    }
}

/// The first `{...}` in `words` that is not `{name}`. A lone brace is just a brace.
fn unknown_placeholder(words: &str) -> Option<String> {
    let mut rest = words;
    while let Some(start) = rest.find('{') {
        let after = &rest[start..];
        let end = after[1..].find(['{', '}']).map(|i| i + 1)?;
        if after.as_bytes()[end] == b'{' {
            rest = &after[end..];
            continue;
        }
        let placeholder = &after[..=end];
        if placeholder != NAME_PLACEHOLDER {
            return Some(placeholder.chars().take(40).collect());
        }
        rest = &after[end + 1..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(pairs: &[(Lang, &str, &str)]) -> BTreeMap<Lang, MailingText> {
        pairs
            .iter()
            .map(|(l, s, m)| (*l, MailingText { subject: (*s).into(), markdown: (*m).into() }))
            .collect()
    }

    fn parse(pairs: &[(Lang, &str, &str)]) -> Result<Draft, DraftError> {
        Draft::parse(texts(pairs), Lang::En, "", vec![])
    }

    #[test]
    fn a_mailing_in_the_default_language_with_the_name_placeholder_parses() {
        let draft =
            parse(&[(Lang::En, "News", "Dear {name},\n\nthe *hearing* is on Monday."), (Lang::De, "", "")])
                .unwrap();
        assert_eq!(draft.texts.keys().copied().collect::<Vec<_>>(), vec![Lang::En]);
    }

    #[test]
    fn bad_input_is_refused_with_a_reason() {
        assert_eq!(parse(&[(Lang::De, "Neu", "Text")]), Err(DraftError::DefaultLanguageMissing("English")));
        assert_eq!(
            parse(&[(Lang::En, "News\r\nBcc: x@y.z", "Text")]),
            Err(DraftError::SubjectLineBreak("English"))
        );
        assert_eq!(parse(&[(Lang::En, "News", "")]), Err(DraftError::HalfWritten("English")));
        assert_eq!(
            parse(&[(Lang::En, "News", "Dear {name}, your {email}")]),
            Err(DraftError::UnknownPlaceholder { lang: "English", placeholder: "{email}".into() })
        );
        assert_eq!(
            parse(&[(Lang::En, "Hi {postcode}", "Text")]),
            Err(DraftError::UnknownPlaceholder { lang: "English", placeholder: "{postcode}".into() })
        );
        let huge = "a".repeat(MAX_BYTES + 1);
        assert_eq!(parse(&[(Lang::En, "News", &huge)]), Err(DraftError::TooLarge));
        assert_eq!(
            Draft::parse(texts(&[(Lang::En, "N", "T")]), Lang::En, "DE, XX", vec![]),
            Err(DraftError::UnknownCountry("XX".into()))
        );
    }

    #[test]
    fn lone_braces_are_words_not_placeholders() {
        assert_eq!(unknown_placeholder("a { b"), None);
        assert_eq!(unknown_placeholder("a } b {name}"), None);
        assert_eq!(unknown_placeholder("{ {name}"), None);
        assert_eq!(unknown_placeholder("{{name}}"), None);
        assert_eq!(unknown_placeholder("{Name}"), Some("{Name}".into()));
    }
}
