//! The languages pages and emails are written in: a small registry of language tags.
//! The words themselves live in `locales/<tag>/main.ftl` (read by the i18n module); the
//! direction (left-to-right or right-to-left) follows from the tag.

use std::fmt;
use std::sync::OnceLock;

use unic_langid::{CharacterDirection, LanguageIdentifier};

struct Registered {
    tag: &'static str,
    native_name: &'static str,
    /// Offered in the language switch and picked from `Accept-Language`. Every language
    /// is complete (a test sees to that); an unlisted one, not yet ready to be offered,
    /// is reachable only by choosing it (`?lang=`).
    listed: bool,
    /// Other primary subtags a browser may send for this language (ISO 639-3 codes).
    aliases: &'static [&'static str],
}

/// Adding a language: its `locales/<tag>/main.ftl`, and one line here (see TRANSLATIONS.md).
const REGISTRY: &[Registered] = &[
    Registered { tag: "en", native_name: "English", listed: true, aliases: &[] },
    Registered { tag: "de", native_name: "Deutsch", listed: true, aliases: &[] },
    // Dari; `fa` and `fa-IR` land here too: Iranian readers read Dari without trouble,
    // and it is closer to them than any other language we have.
    Registered { tag: "fa-AF", native_name: "دری", listed: true, aliases: &["prs"] },
    // Pashto; browsers may name its southern, northern or central variety.
    Registered { tag: "ps", native_name: "پښتو", listed: true, aliases: &["pbt", "pbu", "pst"] },
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
    pub const FaAf: Lang = Lang(2);
    pub const Ps: Lang = Lang(3);

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

    /// Accepts `de`, `de-AT`, `DE`, `fa-af`, `fa`, `prs`, `pbt-PK`; anything unregistered
    /// is `None`. An exact tag wins; otherwise the first language whose primary subtag or
    /// alias is the tag's primary subtag.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let tag = tag.trim().replace('_', "-");
        if tag.is_empty() {
            return None;
        }
        let primary = tag.split('-').next()?;
        let answers_to = |l: &Lang| {
            let r = l.registered();
            let own = r.tag.split('-').next().unwrap_or(r.tag);
            std::iter::once(own).chain(r.aliases.iter().copied()).any(|p| p.eq_ignore_ascii_case(primary))
        };
        Lang::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(&tag))
            .or_else(|| Lang::ALL.into_iter().find(answers_to))
    }

    /// The best listed language in an `Accept-Language` header, by quality.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        accept_language_tags(header).into_iter().find_map(|t| Lang::from_tag(t).filter(|l| l.is_listed()))
    }
}

/// The tags of an `Accept-Language` header, best first; those refused (`q=0`) left out.
pub fn accept_language_tags(header: &str) -> Vec<&str> {
    let mut tags: Vec<(f32, &str)> = header
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.split(';');
            let tag = pieces.next()?.trim();
            let q =
                pieces.find_map(|p| p.trim().strip_prefix("q=")).and_then(|q| q.parse().ok()).unwrap_or(1.0);
            Some((q, tag))
        })
        .collect();
    // A stable sort keeps the header's order among equal qualities.
    tags.sort_by(|a, b| b.0.total_cmp(&a.0));
    tags.into_iter().filter(|(q, _)| *q > 0.0).map(|(_, t)| t).collect()
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
        assert_eq!(Lang::from_accept_language("fr, de;q=0.8, en;q=0.5"), Some(Lang::De));
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
        assert_eq!(Lang::from_tag("ur"), None);
        assert_eq!(Lang::from_tag(""), None);
    }

    #[test]
    fn browsers_asking_for_dari_or_persian_get_dari() {
        for header in ["fa", "fa-AF", "prs", "prs-AF", "fa-IR,fa;q=0.9", "fr;q=0.9, fa_af", "PRS, en;q=0.5"] {
            assert_eq!(Lang::from_accept_language(header), Some(Lang::FaAf), "{header}");
        }
    }

    #[test]
    fn browsers_asking_for_any_pashto_get_pashto() {
        for header in ["ps", "ps-AF", "ps-PK", "pbt", "pbu", "pbt-PK", "pst", "PS-af, en;q=0.8"] {
            assert_eq!(Lang::from_accept_language(header), Some(Lang::Ps), "{header}");
        }
        assert_eq!(Lang::from_accept_language("en;q=0.4, ps;q=0.6, fa;q=0.5"), Some(Lang::Ps));
        assert_eq!(Lang::from_accept_language("ps;q=0, fa-AF;q=0.3"), Some(Lang::FaAf));
    }

    #[test]
    fn every_language_is_listed_with_its_name_in_its_own_script() {
        let listed: Vec<_> = Lang::listed().map(|l| (l.code(), l.native_name(), l.dir())).collect();
        assert_eq!(
            listed,
            [
                ("en", "English", "ltr"),
                ("de", "Deutsch", "ltr"),
                ("fa-AF", "دری", "rtl"),
                ("ps", "پښتو", "rtl")
            ]
        );
    }

    #[test]
    fn dari_and_pashto_are_right_to_left() {
        assert_eq!(Lang::FaAf.dir(), "rtl");
        assert_eq!(Lang::Ps.dir(), "rtl");
        assert_eq!(Lang::En.dir(), "ltr");
    }

    #[test]
    fn the_named_constants_match_the_registry() {
        assert_eq!(Lang::En.code(), "en");
        assert_eq!(Lang::De.code(), "de");
        assert_eq!(Lang::FaAf.code(), "fa-AF");
        assert_eq!(Lang::Ps.code(), "ps");
        assert_eq!(Lang::default(), Lang::En);
    }
}
