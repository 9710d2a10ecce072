//! The campaign file format (`campaigns/*.toml`), parsed and checked as a whole before
//! anything is stored. A `CampaignFile` exists only checked: its fields are parsed types
//! (a `Lang`, a time zone, a cron schedule, addresses), and the checks across fields run
//! whenever one is made, from a file or from a stored campaign read back from the
//! database (whose JSON an older version may have written).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;
use lettre::Address;
use serde::{Deserialize, Serialize};

use crate::domain::{Lang, Slug};
use crate::embed::EmbedOrigin;
use crate::partners::{Partner, PartnerId};

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(try_from = "FileShape", into = "FileShape")]
pub struct CampaignFile {
    pub slug: String,
    pub status: CampaignStatus,
    pub goal: i32,
    default_lang: Lang,
    /// The page text in `default_lang`, which every campaign has.
    default_text: PageText,
    /// Page texts in the other languages.
    other_texts: BTreeMap<Lang, PageText>,
    /// Letter texts by language; every target's language has one.
    pub letters: BTreeMap<Lang, LetterText>,
    pub dispatch: Dispatch,
    pub targets: Vec<Target>,
    /// Organisations that share the campaign; ids unique, each with an opt-in sentence in
    /// `default_lang`.
    pub partners: Vec<Partner>,
    /// When signing ends (`closes_at`, RFC 3339), whatever `status` says until then.
    pub closes_at: Option<DateTime<Utc>>,
    /// The partner sites that may frame the form (`/c/{slug}/embed`).
    pub embed_origins: Vec<EmbedOrigin>,
}

/// The file as written: what serde reads and writes, before the checks across fields.
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct FileShape {
    slug: String,
    status: CampaignStatus,
    goal: i32,
    default_lang: Lang,
    /// Page texts by language code.
    texts: BTreeMap<Lang, PageText>,
    /// Letter texts by language code.
    letters: BTreeMap<Lang, LetterText>,
    dispatch: Dispatch,
    targets: Vec<Target>,
    /// `[[partners]]`; a campaign may have none.
    #[serde(default)]
    partners: Vec<Partner>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "rfc3339")]
    closes_at: Option<DateTime<Utc>>,
    /// `embed_origins = ["https://partner.example"]`; none: no site may frame the form.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    embed_origins: Vec<EmbedOrigin>,
}

crate::db::text_enum! {
    /// Stored in `campaigns.status` too, where the other modules read it.
    #[derive(Deserialize, Serialize)]
    #[serde(rename_all = "lowercase")]
    pub enum CampaignStatus {
        Open = "open",
        Closed = "closed",
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PageText {
    pub title: String,
    pub summary: String,
    pub body: Vec<String>,
    pub call_intro: String,
    pub call: Vec<String>,
    pub consent: String,
    pub updates: String,
    pub share_text: String,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LetterText {
    pub subject: String,
    pub digest_subject: String,
    pub salutation: String,
    pub paragraphs: Vec<String>,
    pub closing: String,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum DispatchMode {
    Individual,
    Digest,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Dispatch {
    pub mode: DispatchMode,
    /// An IANA name such as `Europe/Berlin`.
    #[serde(with = "as_text")]
    pub timezone: Tz,
    /// Five-field cron expression, in `timezone`; used in digest mode.
    #[serde(with = "as_text")]
    pub schedule: croner::Cron,
    /// `Mon`, `Tuesday`...
    pub window_days: Vec<Weekday>,
    /// `08:00`: letters go from this time of day...
    pub window_start: NaiveTime,
    /// ...until this one, in `timezone`.
    pub window_end: NaiveTime,
    pub per_target_per_hour: u32,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub id: String,
    pub office: String,
    pub organisation: String,
    #[serde(with = "as_text")]
    pub email: Address,
    pub lang: Lang,
    #[serde(default)]
    pub salutation: Option<String>,
}

/// A value written as its text: parsed with `FromStr`, written with `Display`; a value that
/// does not parse is named in the error.
mod as_text {
    use std::fmt::Display;
    use std::str::FromStr;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<T: Display, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(value)
    }

    pub fn deserialize<'de, T, D>(d: D) -> Result<T, D::Error>
    where
        T: FromStr<Err: Display>,
        D: Deserializer<'de>,
    {
        let text = String::deserialize(d)?;
        text.parse().map_err(|e| serde::de::Error::custom(format!("{text:?}: {e}")))
    }
}

/// `closes_at`, written as a quoted RFC 3339 string or as a bare TOML date-time; either
/// way it needs an offset (`Z`, `+01:00`), since a closing time read in whatever zone the
/// server runs in would close the campaign at a different hour on each host.
mod rfc3339 {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(t) => s.serialize_some(&t.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
            None => s.serialize_none(),
        }
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Written {
        Text(String),
        Toml(toml::value::Datetime),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        let text = match Option::<Written>::deserialize(d).map_err(|_| {
            serde::de::Error::custom("closes_at must be a time like 2027-03-01T18:00:00+01:00")
        })? {
            None => return Ok(None),
            Some(Written::Text(text)) => text,
            Some(Written::Toml(t)) => t.to_string(),
        };
        DateTime::parse_from_rfc3339(text.trim()).map(|t| Some(t.with_timezone(&Utc))).map_err(|_| {
            serde::de::Error::custom(format!(
                "closes_at {text:?} is not an RFC 3339 time with an offset, like 2027-03-01T18:00:00+01:00"
            ))
        })
    }
}

impl TryFrom<FileShape> for CampaignFile {
    type Error = String;

    /// The checks across fields that pages and letters rely on.
    fn try_from(mut shape: FileShape) -> Result<Self, String> {
        Slug::parse(&shape.slug)?;
        if shape.goal <= 0 {
            return Err("goal must be a positive number".into());
        }
        let default_lang = shape.default_lang;
        let default_text = shape
            .texts
            .remove(&default_lang)
            .ok_or_else(|| format!("default_lang {:?} has no [texts.{0}]", default_lang.code()))?;
        if shape.dispatch.per_target_per_hour == 0 {
            return Err("dispatch.per_target_per_hour must be at least 1".into());
        }
        if shape.targets.is_empty() {
            return Err("a campaign needs at least one [[targets]]".into());
        }
        let mut ids = std::collections::HashSet::new();
        for t in &shape.targets {
            if !ids.insert(&t.id) {
                return Err(format!("target id {:?} appears twice", t.id));
            }
            if !shape.letters.contains_key(&t.lang) {
                return Err(format!(
                    "target {:?} wants language {:?}, which has no [letters.{1}]",
                    t.id,
                    t.lang.code()
                ));
            }
        }
        let mut partner_ids = std::collections::HashSet::new();
        for p in &shape.partners {
            if !partner_ids.insert(&p.id) {
                return Err(format!("partner id {:?} appears twice", p.id.as_ref()));
            }
            p.check(default_lang)?;
        }
        Ok(CampaignFile {
            slug: shape.slug,
            status: shape.status,
            goal: shape.goal,
            default_lang,
            default_text,
            other_texts: shape.texts,
            letters: shape.letters,
            dispatch: shape.dispatch,
            targets: shape.targets,
            partners: shape.partners,
            closes_at: shape.closes_at,
            embed_origins: shape.embed_origins,
        })
    }
}

impl From<CampaignFile> for FileShape {
    fn from(file: CampaignFile) -> FileShape {
        let mut texts = file.other_texts;
        texts.insert(file.default_lang, file.default_text);
        FileShape {
            slug: file.slug,
            status: file.status,
            goal: file.goal,
            default_lang: file.default_lang,
            texts,
            letters: file.letters,
            dispatch: file.dispatch,
            targets: file.targets,
            partners: file.partners,
            closes_at: file.closes_at,
            embed_origins: file.embed_origins,
        }
    }
}

impl CampaignFile {
    /// Parses TOML and checks everything pages and letters will rely on. A mistake is
    /// told in one line, with the line of the file it is on when there is one.
    pub fn parse(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e: toml::de::Error| {
            let message = e.message().trim().replace('\n', " ");
            match e.span() {
                Some(span) => format!("line {}: {message}", text[..span.start].matches('\n').count() + 1),
                None => message,
            }
        })
    }

    /// Whether signing is still open at `now`: the file says `open` and `closes_at`, if
    /// any, has not passed. Asked at request time, so a campaign closes by itself.
    pub fn open_at(&self, now: DateTime<Utc>) -> bool {
        self.status == CampaignStatus::Open && self.closes_at.is_none_or(|closes| now < closes)
    }

    /// The page text in `lang`, or in the campaign's default language.
    pub fn text(&self, lang: Lang) -> &PageText {
        self.text_for(lang).1
    }

    /// The page text in `lang` if the campaign has one, else in its default language;
    /// with the language it is actually written in.
    pub fn text_for(&self, lang: Lang) -> (Lang, &PageText) {
        match self.other_texts.get(&lang) {
            Some(text) => (lang, text),
            None => (self.default_lang, &self.default_text),
        }
    }

    pub fn default_lang(&self) -> Lang {
        self.default_lang
    }

    /// The partner with this id, if the campaign lists it.
    pub fn partner(&self, id: &PartnerId) -> Option<&Partner> {
        self.partners.iter().find(|p| p.id == *id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIPPED: &str = include_str!("../../campaigns/end-forced-returns.toml");

    #[test]
    fn the_shipped_campaign_parses_with_three_targets_in_two_languages() {
        let file = CampaignFile::parse(SHIPPED).unwrap();
        assert_eq!(file.slug, "end-forced-returns");
        let ids: Vec<_> = file.targets.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["de-bmi", "at-bmi", "eu-home"]);
        assert_eq!((file.text_for(Lang::En).0, file.text_for(Lang::De).0), (Lang::En, Lang::De));
        assert!(file.targets.iter().all(|t| t.email.domain().ends_with(".example")));
    }

    #[test]
    fn the_shipped_campaign_speaks_every_listed_language_in_full() {
        let file = CampaignFile::parse(SHIPPED).unwrap();
        let english = file.text(Lang::En);
        for lang in Lang::listed() {
            let (written_in, text) = file.text_for(lang);
            assert_eq!(written_in, lang, "no [texts.{}]", lang.code());
            assert_eq!(text.body.len(), english.body.len(), "{lang:?}: a paragraph per English paragraph");
            assert_eq!(text.call.len(), english.call.len(), "{lang:?}: every demand");
            let fields = [
                &text.title,
                &text.summary,
                &text.call_intro,
                &text.consent,
                &text.updates,
                &text.share_text,
            ];
            assert!(fields.iter().all(|f| !f.trim().is_empty()), "{lang:?}");
        }
        assert!(file.text(Lang::FaAf).title.starts_with("اخراج اجباری"));
        assert!(file.text(Lang::Ps).title.ends_with("ودروئ"));
    }

    #[test]
    fn mistakes_in_a_file_are_named() {
        let broken = SHIPPED.replace("Europe/Berlin", "Europe/Atlantis");
        assert!(CampaignFile::parse(&broken).unwrap_err().contains("Europe/Atlantis"));
        let broken = SHIPPED.replace("goal = 50000", "goal = 0");
        assert!(CampaignFile::parse(&broken).unwrap_err().contains("goal"));
        let broken = SHIPPED.replace("id = \"at-bmi\"", "id = \"de-bmi\"");
        assert!(CampaignFile::parse(&broken).unwrap_err().contains("twice"));
        let broken = SHIPPED.replace("poststelle@bmi.example", "poststelle at bmi.example");
        assert!(CampaignFile::parse(&broken).unwrap_err().contains("poststelle at bmi.example"));
        let broken = SHIPPED.replace("0 9 * * MON", "0 25 * * MON");
        assert!(CampaignFile::parse(&broken).unwrap_err().contains("0 25 * * MON"));
    }

    #[test]
    fn the_shipped_campaign_has_a_partner_with_an_optin_in_every_listed_language() {
        let file = CampaignFile::parse(SHIPPED).unwrap();
        let partner = file.partner(&PartnerId::parse("exile-network").unwrap()).expect("the example partner");
        for lang in Lang::listed() {
            let (written_in, optin) = partner.optin(lang, file.default_lang());
            assert_eq!(written_in, lang, "no [partners.texts.{}]", lang.code());
            assert!(!optin.trim().is_empty());
        }
        assert!(file.partner(&PartnerId::parse("unknown").unwrap()).is_none());
    }

    #[test]
    fn a_broken_partner_block_is_refused_in_one_line_that_names_it() {
        let cases = [
            (SHIPPED.replace("id = \"exile-network\"", "id = \"Exile Network\""), "Exile Network"),
            (SHIPPED.replace("https://exile-network.example", "exile-network.example"), "website"),
            (SHIPPED.replace("[partners.texts.en]", "[partners.texts.xx]"), "xx"),
            (SHIPPED.replace("[partners.texts.en]\noptin", "[partners.texts.en]\nopt_in"), "opt_in"),
            (format!("{SHIPPED}\n[[partners]]\nid = \"exile-network\"\nname = \"Again\"\nwebsite = \"https://a.example\"\n[partners.texts.en]\noptin = \"x\"\n"), "twice"),
            (SHIPPED.replace("[partners.texts.en]\noptin = \"I would like to receive news from the Afghan Exile Network, a partner of this campaign.\"\n", ""), "partners.texts.en"),
        ];
        for (broken, named) in cases {
            let error = CampaignFile::parse(&broken).unwrap_err();
            assert!(error.contains(named), "{named}: {error}");
            assert_eq!(error.lines().count(), 1, "{error}");
        }
    }

    #[test]
    fn embed_origins_are_read_and_a_bad_one_is_refused_in_one_line_that_names_it() {
        let file = CampaignFile::parse(SHIPPED).unwrap();
        let origins: Vec<&str> = file.embed_origins.iter().map(AsRef::as_ref).collect();
        assert_eq!(origins, ["https://www.exile-network.example"]);
        let stored = serde_json::to_value(&file).unwrap();
        let again: CampaignFile = serde_json::from_value(stored).unwrap();
        assert_eq!(again.embed_origins, file.embed_origins, "kept through storage");
        for bad in
            ["https://www.exile-network.example/join", "www.exile-network.example", "https://*.example"]
        {
            let broken = SHIPPED.replace("\"https://www.exile-network.example\"]", &format!("{bad:?}]"));
            let error = CampaignFile::parse(&broken).unwrap_err();
            assert!(error.contains(bad) && error.contains("embed origin"), "{bad}: {error}");
            assert_eq!(error.lines().count(), 1, "{error}");
        }
    }

    #[test]
    fn a_closing_time_is_read_with_its_offset_and_kept_through_storage() {
        let at = |t: &str| Some(DateTime::parse_from_rfc3339(t).unwrap().with_timezone(&Utc));
        assert_eq!(CampaignFile::parse(SHIPPED).unwrap().closes_at, None);
        let with = |line: &str| SHIPPED.replacen("goal = 50000", &format!("goal = 50000\n{line}"), 1);
        let quoted = CampaignFile::parse(&with("closes_at = \"2027-03-01T18:00:00+01:00\"")).unwrap();
        assert_eq!(quoted.closes_at, at("2027-03-01T17:00:00Z"));
        let bare = CampaignFile::parse(&with("closes_at = 2027-03-01T17:00:00Z")).unwrap();
        assert_eq!(bare.closes_at, at("2027-03-01T17:00:00Z"));
        let stored: CampaignFile = serde_json::from_value(serde_json::to_value(&bare).unwrap()).unwrap();
        assert_eq!(stored.closes_at, bare.closes_at);

        let closes = bare.closes_at.unwrap();
        assert!(bare.open_at(closes - chrono::Duration::seconds(1)));
        assert!(!bare.open_at(closes));

        for wrong in ["closes_at = \"next spring\"", "closes_at = 2027-03-01T18:00:00", "closes_at = 5"] {
            let error = CampaignFile::parse(&with(wrong)).unwrap_err();
            assert!(error.contains("closes_at"), "{wrong}: {error}");
            assert!(error.starts_with("line 4: "), "{wrong}: {error}");
            assert_eq!(error.lines().count(), 1, "{error}");
        }
    }

    #[test]
    fn a_stored_campaign_is_checked_again_when_read_back() {
        let file = CampaignFile::parse(SHIPPED).unwrap();
        let stored = serde_json::to_value(&file).unwrap();
        let read_back: CampaignFile = serde_json::from_value(stored.clone()).unwrap();
        assert_eq!(serde_json::to_value(&read_back).unwrap(), stored, "a round trip changes nothing");

        let mut older = stored;
        older["goal"] = 0.into();
        let error = serde_json::from_value::<CampaignFile>(older.clone()).unwrap_err().to_string();
        assert!(error.contains("goal"), "{error}");
        older["goal"] = 10.into();
        older["dispatch"]["timezone"] = "Europe/Atlantis".into();
        let error = serde_json::from_value::<CampaignFile>(older).unwrap_err().to_string();
        assert!(error.contains("Europe/Atlantis"), "{error}");
    }
}
