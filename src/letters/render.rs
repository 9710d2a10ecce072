//! Rendering letters in the target's language: the campaign's own text comes from its
//! campaign file, the few words around it from the Fluent files (`crate::i18n`, keys
//! `letter-*`), the layout from `templates/letters/`. Only rendering: supporters arrive
//! decrypted (`supporters.rs`) and the message is built by the outbox (`mail.rs`).
//! A letter carries a supporter's name, country and comment, and nothing else about them;
//! of those who asked not to be named, only how many there are, by country.

use askama::Template;
use chrono::{DateTime, Utc};

use super::supporters::{Supporter, Unnamed};
use crate::campaigns::{Campaign, LetterText, Target};
use crate::export::{csv_writer, guard_formula};
use crate::i18n::{Texts, cldr};
use crate::outbox::Attachment;

pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
    pub attachment: Option<Attachment>,
}

/// What a digest covers: the signers new in its period, and the campaign's total then.
pub struct DigestContent {
    pub period_start: Option<DateTime<Utc>>,
    pub period_end: DateTime<Utc>,
    /// The new signers who may be named.
    pub new: Vec<Supporter>,
    /// The new signers who asked not to be.
    pub unnamed: Unnamed,
    pub total: i64,
}

impl DigestContent {
    /// Every new signature, named or not.
    pub fn new_count(&self) -> usize {
        self.new.len() + self.unnamed.total() as usize
    }
}

/// How many comments a digest quotes.
const DIGEST_QUOTES: usize = 5;

/// What every letter's templates read: the campaign's letter and the words around it.
struct Frame<'a> {
    l: &'a LetterText,
    texts: Texts,
    /// The target's language tag, for `<html lang>`.
    lang: &'a str,
    salutation: &'a str,
    /// "Supported by 3 organisations: ...", when any endorse the call.
    supported_by: Option<String>,
    /// The campaign's time zone, in which a digest's dates are given.
    zone: chrono_tz::Tz,
}

impl<'a> Frame<'a> {
    fn new(campaign: &'a Campaign, target: &'a Target, endorsers: &[String]) -> anyhow::Result<Self> {
        let l = campaign.file.letters.get(&target.lang).ok_or_else(|| {
            anyhow::anyhow!("campaign {} has no letter in {:?}", campaign.slug, target.lang)
        })?;
        let texts = Texts::new(target.lang);
        let supported_by = (!endorsers.is_empty()).then(|| {
            texts.t_count("letter-supported-by", endorsers.len() as i64, &[("names", endorsers.join(", "))])
        });
        Ok(Frame {
            l,
            texts,
            supported_by,
            lang: target.lang.code(),
            salutation: target.salutation.as_deref().unwrap_or(&l.salutation),
            zone: campaign.file.dispatch.timezone,
        })
    }

    fn t(&self, key: &str) -> String {
        self.texts.t(key)
    }

    /// A country, by its code, in the target's language.
    fn country<'c>(&self, code: &'c str) -> &'c str {
        self.texts.country(code)
    }

    /// A supporter's name or comment, set apart in the text part: a Dari name in a German
    /// sentence (or a German one in a Dari letter) keeps the sentence in order.
    fn isolate(&self, s: &str) -> String {
        crate::i18n::isolate(s)
    }

    /// A day in the target's language and the campaign's time zone.
    fn date(&self, at: DateTime<Utc>) -> String {
        self.texts.date(at, self.zone)
    }

    /// The sentence `key` saying how many asked not to be named, by country; `None` when
    /// no one did.
    fn unnamed(&self, key: &str, unnamed: &Unnamed) -> Option<String> {
        if unnamed.is_empty() {
            return None;
        }
        let countries: Vec<String> = unnamed
            .by_country
            .iter()
            .map(|(code, n)| format!("{}: {}", self.country(code), self.texts.number(*n)))
            .collect();
        Some(self.texts.t_args(
            key,
            &[("count", self.texts.number(unnamed.total())), ("countries", countries.join(", "))],
        ))
    }
}

/// One supporter's letter, as both templates read it.
struct Individual<'a> {
    f: Frame<'a>,
    s: &'a Supporter,
    /// How many so far asked not to be named, by country.
    unnamed: Option<String>,
}

#[derive(Template)]
#[template(path = "letters/individual.txt")]
struct IndividualText<'a> {
    b: &'a Individual<'a>,
}

#[derive(Template)]
#[template(path = "letters/individual.html")]
struct IndividualHtml<'a> {
    b: &'a Individual<'a>,
}

/// A digest, as both templates read it.
struct Digest<'a> {
    f: Frame<'a>,
    /// "New signatures since 2026-11-23" or, for the first, "Signatures up to ...".
    period: String,
    /// "3 new signatures, 50,000 signatures in total".
    counts: String,
    /// Country names with their counts among the new signers, most first.
    countries: Vec<(String, usize)>,
    quotes: Vec<&'a Supporter>,
    /// How many of the new signers asked not to be named, by country.
    unnamed: Option<String>,
    sender: &'a str,
}

#[derive(Template)]
#[template(path = "letters/digest.txt")]
struct DigestText<'a> {
    b: &'a Digest<'a>,
}

#[derive(Template)]
#[template(path = "letters/digest.html")]
struct DigestHtml<'a> {
    b: &'a Digest<'a>,
}

/// `endorsers` are the names of the organisations that endorse the call (approved ones).
pub fn individual(
    campaign: &Campaign,
    target: &Target,
    supporter: &Supporter,
    unnamed: &Unnamed,
    endorsers: &[String],
) -> anyhow::Result<Rendered> {
    let f = Frame::new(campaign, target, endorsers)?;
    let b = Individual { unnamed: f.unnamed("letter-unnamed-total", unnamed), f, s: supporter };
    Ok(Rendered {
        subject: b.f.l.subject.clone(),
        text: IndividualText { b: &b }.render()?,
        html: IndividualHtml { b: &b }.render()?,
        attachment: None,
    })
}

pub fn digest(
    campaign: &Campaign,
    target: &Target,
    content: &DigestContent,
    sender: &str,
    endorsers: &[String],
) -> anyhow::Result<Rendered> {
    let f = Frame::new(campaign, target, endorsers)?;
    let texts = f.texts;
    let mut by_country = std::collections::HashMap::<&str, usize>::new();
    for s in &content.new {
        *by_country.entry(f.country(&s.country)).or_default() += 1;
    }
    // Those not named count here too: a number per country names no one.
    for (code, n) in &content.unnamed.by_country {
        *by_country.entry(f.country(code)).or_default() += *n as usize;
    }
    let mut countries: Vec<(String, usize)> =
        by_country.into_iter().map(|(c, n)| (c.to_owned(), n)).collect();
    // Most first; among equals, as the target's language sorts.
    countries.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| cldr::compare(texts.lang(), &a.0, &b.0)));
    let period = match content.period_start {
        Some(start) => texts.t1("letter-period-since", "date", f.date(start)),
        None => texts.t1("letter-period-first", "date", f.date(content.period_end)),
    };
    let new_count = content.new_count();
    let counts = texts.t_args(
        "letter-digest-counts",
        &[("new", texts.number(new_count as i64)), ("total", texts.number(content.total))],
    );
    let b = Digest {
        period,
        counts,
        countries,
        quotes: content.new.iter().rev().filter(|s| s.comment.is_some()).take(DIGEST_QUOTES).collect(),
        unnamed: f.unnamed("letter-unnamed-new", &content.unnamed),
        sender,
        f,
    };
    let filename = format!("{}-{}-{}.csv", campaign.slug, target.id, content.period_end.format("%Y-%m-%d"));
    Ok(Rendered {
        subject: b.f.l.digest_subject.replace("{count}", &texts.number(new_count as i64)),
        text: DigestText { b: &b }.render()?,
        html: DigestHtml { b: &b }.render()?,
        attachment: Some(Attachment {
            filename,
            content_type: "text/csv; charset=utf-8",
            bytes: signers_csv(&b.f.texts, &content.new)?,
        }),
    })
}

/// Name and country of each signer, the country named in the target's language, in the
/// export's CSV dialect and with its formula guard, since these files are opened in office
/// software. (Organizers' own exports keep ISO codes; this file is for the target.)
fn signers_csv(texts: &Texts, signers: &[Supporter]) -> anyhow::Result<Vec<u8>> {
    let mut csv = csv_writer(Vec::new());
    csv.write_record(["name", "country"])?;
    for s in signers {
        csv.write_record([guard_formula(&s.name), guard_formula(texts.country(&s.country))])?;
    }
    csv.into_inner().map_err(|e| anyhow::anyhow!("writing the signers' CSV: {}", e.error()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaigns::CampaignFile;
    use crate::domain::Lang;

    fn campaign() -> Campaign {
        let file = CampaignFile::parse(include_str!("../../campaigns/end-forced-returns.toml")).unwrap();
        Campaign { id: uuid::Uuid::nil(), slug: file.slug.clone(), is_open: true, goal: file.goal, file }
    }

    fn supporter(name: &str, country: &str) -> Supporter {
        Supporter {
            name: name.into(),
            country: country.into(),
            comment: Some("Stop it.".into()),
            lang: Lang::En,
        }
    }

    #[test]
    fn the_signers_csv_is_quoted_and_guarded_against_formulas() {
        let signers = [supporter("Mina", "AF"), supporter("=cmd()", "DE"), supporter("a,\"b\"", "AT")];
        let csv = String::from_utf8(signers_csv(&Texts::new(Lang::En), &signers).unwrap()).unwrap();
        assert_eq!(csv, "name,country\r\nMina,Afghanistan\r\n'=cmd(),Germany\r\n\"a,\"\"b\"\"\",Austria\r\n");
        let csv = String::from_utf8(signers_csv(&Texts::new(Lang::En), &[supporter("-1,2", "AF")]).unwrap())
            .unwrap();
        assert!(csv.ends_with("\"'-1,2\",Afghanistan\r\n"), "{csv}");
    }

    #[test]
    fn a_german_letter_for_a_german_ministry() {
        let campaign = campaign();
        let text = individual(
            &campaign,
            &campaign.file.targets[0],
            &supporter("Mina", "AF"),
            &Unnamed::default(),
            &[],
        )
        .unwrap()
        .text;
        assert!(text.starts_with("Sehr geehrte Damen und Herren,"));
        assert!(text.contains("Unterzeichnet von: \u{2068}Mina\u{2069} (Afghanistan)"), "{text}");
        assert!(text.contains("In eigenen Worten:\n\u{2068}Stop it.\u{2069}"), "{text}");
    }

    #[test]
    fn a_digests_counts_are_written_the_way_the_targets_language_writes_numbers() {
        let campaign = campaign();
        let content = DigestContent {
            period_start: Some("2026-11-23T08:00:00Z".parse().unwrap()),
            period_end: "2026-11-30T08:00:00Z".parse().unwrap(),
            new: vec![supporter("Mina", "AF")],
            unnamed: Unnamed::default(),
            total: 50_000,
        };
        let german = digest(&campaign, &campaign.file.targets[0], &content, "Kampagne", &[]).unwrap();
        assert!(
            german.text.contains(
                "Neue Unterschriften seit 23. November 2026: 1 neue Unterschriften, 50.000 Unterschriften insgesamt."
            ),
            "{}",
            german.text
        );
        let english = digest(&campaign, &campaign.file.targets[2], &content, "Campaign", &[]).unwrap();
        assert!(english.text.contains(
            "New signatures since 23 November 2026: 1 new signatures, 50,000 signatures in total."
        ));
        assert_eq!(english.attachment.unwrap().filename, "end-forced-returns-eu-home-2026-11-30.csv");
        assert!(!english.text.contains("asked not to be named"), "no one did");
    }

    #[test]
    fn letters_count_those_not_named_by_country_and_name_only_the_others() {
        let campaign = campaign();
        let unnamed = Unnamed { by_country: vec![("AF".into(), 2), ("DE".into(), 1)] };
        let english = &campaign.file.targets[2];
        let letter = individual(&campaign, english, &supporter("Mina", "AF"), &unnamed, &[]).unwrap();
        let sentence = "Signatories so far who asked not to be named: 3 (Afghanistan: 2, Germany: 1).";
        assert!(letter.text.contains(sentence), "{}", letter.text);
        assert!(letter.html.contains(sentence), "{}", letter.html);

        let content = DigestContent {
            period_start: None,
            period_end: "2026-11-30T08:00:00Z".parse().unwrap(),
            new: vec![supporter("Mina", "AF")],
            unnamed,
            total: 4,
        };
        let german = digest(&campaign, &campaign.file.targets[0], &content, "Kampagne", &[]).unwrap();
        assert!(german.subject.contains('4'), "every new signature counts: {}", german.subject);
        assert!(german.text.contains("Von den neuen Unterzeichnenden möchten 3 nicht namentlich genannt werden (Afghanistan: 2, Deutschland: 1)"), "{}", german.text);
        assert!(german.text.contains("Afghanistan: 3"), "the country table counts everyone: {}", german.text);
        let csv = String::from_utf8(german.attachment.unwrap().bytes).unwrap();
        assert_eq!(csv, "name,country\r\nMina,Afghanistan\r\n");
    }

    #[test]
    fn letters_and_digests_name_the_endorsing_organisations_in_the_targets_language() {
        let campaign = campaign();
        let endorsers = ["PRO ASYL".to_owned(), "Asylkoordination".to_owned()];
        let german = &campaign.file.targets[0];
        let letter =
            individual(&campaign, german, &supporter("Mina", "AF"), &Unnamed::default(), &endorsers).unwrap();
        let sentence = "Unterstützt von 2 Organisationen: PRO ASYL, Asylkoordination";
        assert!(letter.text.contains(sentence), "{}", letter.text);
        assert!(letter.html.contains(sentence), "{}", letter.html);
        let content = DigestContent {
            period_start: None,
            period_end: "2026-11-30T08:00:00Z".parse().unwrap(),
            new: vec![supporter("Mina", "AF")],
            unnamed: Unnamed::default(),
            total: 1,
        };
        let english = digest(&campaign, &campaign.file.targets[2], &content, "Campaign", &endorsers).unwrap();
        assert!(
            english.text.contains("Supported by 2 organisations: PRO ASYL, Asylkoordination"),
            "{}",
            english.text
        );
        let none = digest(&campaign, &campaign.file.targets[2], &content, "Campaign", &[]).unwrap();
        assert!(!none.text.contains("Supported by"), "{}", none.text);
    }
}
