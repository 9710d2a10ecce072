//! The campaign file format (`campaigns/*.toml`), parsed and checked as a whole before
//! anything is stored.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::{Lang, Slug};

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignFile {
    pub slug: String,
    pub status: CampaignStatus,
    pub goal: i32,
    pub default_lang: String,
    /// Page texts by language code.
    pub texts: BTreeMap<String, PageText>,
    /// Letter texts by language code.
    pub letters: BTreeMap<String, LetterText>,
    pub dispatch: Dispatch,
    pub targets: Vec<Target>,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum CampaignStatus {
    Open,
    Closed,
}

impl CampaignStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CampaignStatus::Open => "open",
            CampaignStatus::Closed => "closed",
        }
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
    pub timezone: String,
    /// Five-field cron expression, in `timezone`; used in digest mode.
    pub schedule: String,
    pub window_days: Vec<String>,
    pub window_start: String,
    pub window_end: String,
    pub per_target_per_hour: u32,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub id: String,
    pub office: String,
    pub organisation: String,
    pub email: String,
    pub lang: String,
    #[serde(default)]
    pub salutation: Option<String>,
}

impl CampaignFile {
    /// Parses TOML and checks everything pages and letters will rely on.
    pub fn parse(text: &str) -> Result<Self, String> {
        let file: CampaignFile = toml::from_str(text).map_err(|e| e.to_string())?;
        file.check()?;
        Ok(file)
    }

    fn check(&self) -> Result<(), String> {
        Slug::parse(&self.slug)?;
        if self.goal <= 0 {
            return Err("goal must be a positive number".into());
        }
        for code in self.texts.keys().chain(self.letters.keys()) {
            Lang::from_tag(code).ok_or_else(|| format!("unsupported language {code:?}"))?;
        }
        if !self.texts.contains_key(&self.default_lang) {
            return Err(format!("default_lang {:?} has no [texts.{0}]", self.default_lang));
        }
        let d = &self.dispatch;
        d.timezone
            .parse::<chrono_tz::Tz>()
            .map_err(|_| format!("dispatch.timezone: unknown time zone {:?}", d.timezone))?;
        d.schedule.parse::<croner::Cron>().map_err(|e| format!("dispatch.schedule {:?}: {e}", d.schedule))?;
        for day in &d.window_days {
            day.parse::<chrono::Weekday>()
                .map_err(|_| format!("dispatch.window_days: not a weekday: {day:?}"))?;
        }
        for time in [&d.window_start, &d.window_end] {
            chrono::NaiveTime::parse_from_str(time, "%H:%M")
                .map_err(|_| format!("dispatch window: not a HH:MM time: {time:?}"))?;
        }
        if d.per_target_per_hour == 0 {
            return Err("dispatch.per_target_per_hour must be at least 1".into());
        }
        if self.targets.is_empty() {
            return Err("a campaign needs at least one [[targets]]".into());
        }
        let mut ids = std::collections::HashSet::new();
        for t in &self.targets {
            if !ids.insert(&t.id) {
                return Err(format!("target id {:?} appears twice", t.id));
            }
            t.email
                .parse::<lettre::Address>()
                .map_err(|_| format!("target {:?}: invalid email {:?}", t.id, t.email))?;
            if !self.letters.contains_key(&t.lang) {
                return Err(format!(
                    "target {:?} wants language {:?}, which has no [letters.{1}]",
                    t.id, t.lang
                ));
            }
        }
        Ok(())
    }

    /// The page text in `lang`, or in the campaign's default language.
    pub fn text(&self, lang: Lang) -> &PageText {
        self.texts
            .get(lang.code())
            .or_else(|| self.texts.get(&self.default_lang))
            .expect("checked at import: default_lang has texts")
    }

    /// The page text in `lang` if the campaign has one, else in its default language;
    /// with the language it is actually written in.
    pub fn text_for(&self, lang: Lang) -> (Lang, &PageText) {
        match self.texts.get(lang.code()) {
            Some(text) => (lang, text),
            None => (self.default_lang(), self.text(lang)),
        }
    }

    pub fn default_lang(&self) -> Lang {
        Lang::from_tag(&self.default_lang).unwrap_or_default()
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
        assert!(file.texts.contains_key("en") && file.texts.contains_key("de"));
        assert!(file.targets.iter().all(|t| t.email.ends_with(".example")));
    }

    #[test]
    fn the_shipped_campaign_speaks_every_listed_language_in_full() {
        let file = CampaignFile::parse(SHIPPED).unwrap();
        let english = &file.texts["en"];
        for lang in Lang::listed() {
            let text = file.texts.get(lang.code()).unwrap_or_else(|| panic!("no [texts.{}]", lang.code()));
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
        assert!(file.texts["fa-AF"].title.starts_with("اخراج اجباری"));
        assert!(file.texts["ps"].title.ends_with("ودروئ"));
    }

    #[test]
    fn mistakes_in_a_file_are_named() {
        let broken = SHIPPED.replace("Europe/Berlin", "Europe/Atlantis");
        assert!(CampaignFile::parse(&broken).unwrap_err().contains("Europe/Atlantis"));
        let broken = SHIPPED.replace("goal = 50000", "goal = 0");
        assert!(CampaignFile::parse(&broken).unwrap_err().contains("goal"));
        let broken = SHIPPED.replace("id = \"at-bmi\"", "id = \"de-bmi\"");
        assert!(CampaignFile::parse(&broken).unwrap_err().contains("twice"));
    }
}
