//! The languages pages and emails are written in: a small registry of language tags.
//! The words themselves live in `locales/<tag>/main.ftl` (see `crate::i18n`); the
//! direction (left-to-right or right-to-left) follows from the tag.

use std::fmt;
use std::sync::OnceLock;

use unic_langid::{CharacterDirection, LanguageIdentifier};

struct Registered {
    tag: &'static str,
    native_name: &'static str,
    /// A complete translation: offered in the language switch and picked from
    /// `Accept-Language`. A draft is reachable only by choosing it (`?lang=`), so nobody
    /// lands by accident on a page that is half English.
    listed: bool,
}

/// Adding a language: its `locales/<tag>/main.ftl`, and one line here.
const REGISTRY: &[Registered] = &[
    Registered { tag: "en", native_name: "English", listed: true },
    Registered { tag: "de", native_name: "Deutsch", listed: true },
    Registered { tag: "fa-AF", native_name: "دری", listed: false },
];

/// A registered language; cheap to copy, compared by identity, ordered as registered.
/// Written as its tag (`"de"`) in campaign files and stored campaigns.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Lang(u8);

const COUNT: usize = REGISTRY.len();

#[allow(non_upper_case_globals)]
impl Lang {
    /// English, the fallback for every missing word.
    pub const En: Lang = Lang(0);
    pub const De: Lang = Lang(1);

    /// Every registered language, drafts included, in registry order.
    pub const ALL: [Lang; COUNT] = {
        let mut all = [Lang(0); COUNT];
        let mut i = 0;
        while i < COUNT {
            all[i] = Lang(i as u8);
            i += 1;
        }
        all
    };

    fn registered(self) -> &'static Registered {
        &REGISTRY[usize::from(self.0)]
    }

    /// The BCP 47 tag, as in `lang="..."` and `?lang=...`: `en`, `de`, `fa-AF`.
    pub fn code(self) -> &'static str {
        self.registered().tag
    }

    pub fn native_name(self) -> &'static str {
        self.registered().native_name
    }

    /// Complete translations, offered to everyone.
    pub fn listed() -> impl Iterator<Item = Lang> {
        Lang::ALL.into_iter().filter(|l| l.is_listed())
    }

    pub fn is_listed(self) -> bool {
        self.registered().listed
    }

    pub fn langid(self) -> &'static LanguageIdentifier {
        static IDS: OnceLock<Vec<LanguageIdentifier>> = OnceLock::new();
        &IDS.get_or_init(|| {
            REGISTRY.iter().map(|r| r.tag.parse().expect("registered tags are valid BCP 47")).collect()
        })[usize::from(self.0)]
    }

    /// `"rtl"` for right-to-left scripts (Dari, Pashto, Arabic...), else `"ltr"`.
    pub fn dir(self) -> &'static str {
        match self.langid().character_direction() {
            CharacterDirection::RTL => "rtl",
            _ => "ltr",
        }
    }

    /// Accepts `de`, `de-AT`, `DE`, `fa-af`, `fa`; anything unregistered is `None`.
    /// An exact tag wins; otherwise the first language with the same primary subtag.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let tag = tag.trim().replace('_', "-");
        if tag.is_empty() {
            return None;
        }
        let primary = tag.split('-').next()?;
        Lang::ALL.into_iter().find(|l| l.code().eq_ignore_ascii_case(&tag)).or_else(|| {
            Lang::ALL
                .into_iter()
                .find(|l| l.code().split('-').next().is_some_and(|p| p.eq_ignore_ascii_case(primary)))
        })
    }

    /// The best listed language in an `Accept-Language` header, by quality.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut tags: Vec<(f32, &str)> = header
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.split(';');
                let tag = pieces.next()?.trim();
                let q = pieces
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.parse().ok())
                    .unwrap_or(1.0);
                Some((q, tag))
            })
            .collect();
        // A stable sort keeps the header's order among equal qualities.
        tags.sort_by(|a, b| b.0.total_cmp(&a.0));
        tags.into_iter()
            .filter(|(q, _)| *q > 0.0)
            .find_map(|(_, t)| Lang::from_tag(t).filter(|l| l.is_listed()))
    }
}

impl serde::Serialize for Lang {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> serde::Deserialize<'de> for Lang {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Lang, D::Error> {
        let tag = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Lang::from_tag(&tag).ok_or_else(|| serde::de::Error::custom(format!("unsupported language {tag:?}")))
    }
}

impl fmt::Debug for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_listed_language() {
        assert_eq!(Lang::from_accept_language("fa-AF, de;q=0.8, en;q=0.5"), Some(Lang::De));
        assert_eq!(Lang::from_accept_language("en-GB,en;q=0.9"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language("fr"), None);
        assert_eq!(Lang::from_accept_language("de;q=0"), None);
    }

    #[test]
    fn tags_are_matched_exactly_then_by_primary_language() {
        assert_eq!(Lang::from_tag("de-AT"), Some(Lang::De));
        assert_eq!(Lang::from_tag("DE"), Some(Lang::De));
        assert_eq!(Lang::from_tag("fa-af").map(Lang::code), Some("fa-AF"));
        assert_eq!(Lang::from_tag("fa_AF").map(Lang::code), Some("fa-AF"));
        assert_eq!(Lang::from_tag("ps"), None);
        assert_eq!(Lang::from_tag(""), None);
    }

    #[test]
    fn dari_and_pashto_are_right_to_left() {
        let dari = Lang::from_tag("fa-AF").unwrap();
        assert_eq!(dari.dir(), "rtl");
        assert_eq!(Lang::En.dir(), "ltr");
        let pashto: LanguageIdentifier = "ps".parse().unwrap();
        assert_eq!(pashto.character_direction(), CharacterDirection::RTL);
    }

    #[test]
    fn the_registry_starts_with_english_and_german() {
        assert_eq!(Lang::En.code(), "en");
        assert_eq!(Lang::De.code(), "de");
        assert_eq!(Lang::default(), Lang::En);
    }
}
