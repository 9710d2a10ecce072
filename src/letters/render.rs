//! Rendering letters in the target's language. A letter carries a supporter's name,
//! country and comment, and nothing else about them: no email address, no postcode.

use askama::Template;
use chrono::{DateTime, Utc};
use lettre::Message;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart};

use diesel::prelude::*;

use crate::campaigns::{Campaign, LetterText, Target};
use crate::crypto::{DataKeys, Field};

/// How letters are signed and sent from.
#[derive(Clone)]
pub struct LetterContext {
    pub from: Mailbox,
    /// Letters read supporters' names and are stored encrypted.
    pub keys: std::sync::Arc<DataKeys>,
    pub dkim: Option<std::sync::Arc<lettre::message::dkim::DkimConfig>>,
}

/// What a letter may say about one supporter.
#[derive(Clone, Debug)]
pub struct Supporter {
    pub name: String,
    pub country: String,
    pub comment: Option<String>,
}

/// The columns a letter may read from a signature, still encrypted.
#[derive(Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::signatures)]
pub struct SupporterRow {
    pub id: uuid::Uuid,
    key_id: String,
    name: Option<Vec<u8>>,
    country: String,
    comment: Option<Vec<u8>>,
}

impl Supporter {
    /// Decrypts a row; `None` for a withdrawn signature, whose name is gone.
    pub fn open(keys: &DataKeys, row: SupporterRow) -> anyhow::Result<Option<Supporter>> {
        let field = |column| Field { column, row: &row.id };
        let name = keys.decrypt_text(&row.key_id, field("signatures.name"), row.name.as_deref())?;
        let comment = keys.decrypt_text(&row.key_id, field("signatures.comment"), row.comment.as_deref())?;
        Ok(name.map(|name| Supporter { name, country: row.country, comment }))
    }

    pub fn country_name(&self) -> &str {
        crate::domain::Country::parse(&self.country).map(|c| c.name()).unwrap_or(&self.country)
    }
}

pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
    pub attachment: Option<(String, Vec<u8>)>,
}

/// The few words around the campaign's own text, per language.
struct Words {
    signed_by: &'static str,
    comment: &'static str,
    period_since: &'static str,
    period_first: &'static str,
    new_signatures: &'static str,
    total: &'static str,
    by_country: &'static str,
    their_words: &'static str,
    attached: &'static str,
}

fn words(lang: &str) -> &'static Words {
    static EN: Words = Words {
        signed_by: "Signed by",
        comment: "Their words",
        period_since: "New signatures since",
        period_first: "Signatures up to",
        new_signatures: "new signatures",
        total: "signatures in total",
        by_country: "Where the new signatories live",
        their_words: "In their own words",
        attached: "The names and countries of the new signatories are attached as a CSV file.",
    };
    static DE: Words = Words {
        signed_by: "Unterzeichnet von",
        comment: "In eigenen Worten",
        period_since: "Neue Unterschriften seit",
        period_first: "Unterschriften bis",
        new_signatures: "neue Unterschriften",
        total: "Unterschriften insgesamt",
        by_country: "Wo die neuen Unterzeichnenden leben",
        their_words: "In ihren eigenen Worten",
        attached: "Die Namen und Länder der neuen Unterzeichnenden finden Sie im Anhang als CSV-Datei.",
    };
    if lang == "de" { &DE } else { &EN }
}

#[derive(Template)]
#[template(path = "letters/individual.txt")]
struct IndividualText<'a> {
    l: &'a LetterText,
    w: &'a Words,
    salutation: &'a str,
    s: &'a Supporter,
}

#[derive(Template)]
#[template(path = "letters/individual.html")]
struct IndividualHtml<'a> {
    l: &'a LetterText,
    w: &'a Words,
    salutation: &'a str,
    s: &'a Supporter,
    lang: &'a str,
}

pub struct DigestContent {
    pub period_start: Option<DateTime<Utc>>,
    pub period_end: DateTime<Utc>,
    pub new: Vec<Supporter>,
    pub total: i64,
}

#[derive(Template)]
#[template(path = "letters/digest.txt")]
struct DigestText<'a> {
    l: &'a LetterText,
    w: &'a Words,
    salutation: &'a str,
    period: String,
    new_count: usize,
    total: i64,
    countries: &'a [(String, usize)],
    quotes: &'a [&'a Supporter],
    sender: &'a str,
}

#[derive(Template)]
#[template(path = "letters/digest.html")]
struct DigestHtml<'a> {
    l: &'a LetterText,
    w: &'a Words,
    salutation: &'a str,
    period: String,
    new_count: usize,
    total: i64,
    countries: &'a [(String, usize)],
    quotes: &'a [&'a Supporter],
    sender: &'a str,
    lang: &'a str,
}

/// How many comments a digest quotes.
const DIGEST_QUOTES: usize = 5;

fn letter_text<'a>(campaign: &'a Campaign, target: &Target) -> anyhow::Result<&'a LetterText> {
    campaign
        .file
        .letters
        .get(&target.lang)
        .ok_or_else(|| anyhow::anyhow!("campaign {} has no letter in {:?}", campaign.slug, target.lang))
}

pub fn individual(campaign: &Campaign, target: &Target, supporter: &Supporter) -> anyhow::Result<Rendered> {
    let l = letter_text(campaign, target)?;
    let w = words(target.lang.code());
    let salutation = target.salutation.as_deref().unwrap_or(&l.salutation);
    Ok(Rendered {
        subject: l.subject.clone(),
        text: IndividualText { l, w, salutation, s: supporter }.render()?,
        html: IndividualHtml { l, w, salutation, s: supporter, lang: target.lang.code() }.render()?,
        attachment: None,
    })
}

pub fn digest(
    campaign: &Campaign,
    target: &Target,
    content: &DigestContent,
    sender: &str,
) -> anyhow::Result<Rendered> {
    let l = letter_text(campaign, target)?;
    let w = words(target.lang.code());
    let salutation = target.salutation.as_deref().unwrap_or(&l.salutation);
    let mut by_country = std::collections::BTreeMap::<String, usize>::new();
    for s in &content.new {
        *by_country.entry(s.country_name().to_owned()).or_default() += 1;
    }
    let mut countries: Vec<(String, usize)> = by_country.into_iter().collect();
    countries.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let quotes: Vec<&Supporter> =
        content.new.iter().rev().filter(|s| s.comment.is_some()).take(DIGEST_QUOTES).collect();
    let date = |t: DateTime<Utc>| t.format("%Y-%m-%d").to_string();
    let period = match content.period_start {
        Some(start) => format!("{} {}", w.period_since, date(start)),
        None => format!("{} {}", w.period_first, date(content.period_end)),
    };
    let new_count = content.new.len();
    let total = content.total;
    let text = DigestText {
        l,
        w,
        salutation,
        period: period.clone(),
        new_count,
        total,
        countries: &countries,
        quotes: &quotes,
        sender,
    }
    .render()?;
    let html = DigestHtml {
        l,
        w,
        salutation,
        period,
        new_count,
        total,
        countries: &countries,
        quotes: &quotes,
        sender,
        lang: target.lang.code(),
    }
    .render()?;
    let file = format!("{}-{}-{}.csv", campaign.slug, target.id, content.period_end.format("%Y-%m-%d"));
    Ok(Rendered {
        subject: l.digest_subject.replace("{count}", &new_count.to_string()),
        text,
        html,
        attachment: Some((file, signers_csv(&content.new))),
    })
}

/// Name and country of each signer. Cells that a spreadsheet would run as a formula get
/// a leading `'`, since these files are opened in office software.
fn signers_csv(signers: &[Supporter]) -> Vec<u8> {
    let mut out = String::from("name,country\r\n");
    for s in signers {
        out.push_str(&csv_cell(&s.name));
        out.push(',');
        out.push_str(&csv_cell(s.country_name()));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

fn csv_cell(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if guarded.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// The full message to `target`, with a `Message-ID` made from the outbox row's id.
pub fn message(
    ctx: &LetterContext,
    target: &Target,
    id: uuid::Uuid,
    rendered: Rendered,
) -> anyhow::Result<Vec<u8>> {
    let to = Mailbox::new(Some(format!("{}, {}", target.office, target.organisation)), target.email.clone());
    let alternative = crate::outbox::text_and_html(rendered.text, rendered.html);
    let body = match rendered.attachment {
        None => alternative,
        Some((name, bytes)) => MultiPart::mixed()
            .multipart(alternative)
            .singlepart(Attachment::new(name).body(bytes, ContentType::parse("text/csv; charset=utf-8")?)),
    };
    let mut message = Message::builder()
        .from(ctx.from.clone())
        .to(to)
        .subject(rendered.subject)
        .message_id(Some(format!("<{id}@{}>", ctx.from.email.domain())))
        .date_now()
        .multipart(body)?;
    if let Some(dkim) = &ctx.dkim {
        message.sign(dkim);
    }
    Ok(message.formatted())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_guarded() {
        assert_eq!(csv_cell("Mina"), "Mina");
        assert_eq!(csv_cell("=cmd()"), "'=cmd()");
        assert_eq!(csv_cell("a,\"b\""), "\"a,\"\"b\"\"\"");
        assert_eq!(csv_cell("-1,2"), "\"'-1,2\"");
    }
}

#[cfg(test)]
mod message_tests {
    use super::*;
    use crate::campaigns::CampaignFile;

    fn campaign() -> Campaign {
        let file = CampaignFile::parse(include_str!("../../campaigns/end-forced-returns.toml")).unwrap();
        Campaign { id: uuid::Uuid::nil(), slug: file.slug.clone(), is_open: true, goal: file.goal, file }
    }

    fn supporter() -> Supporter {
        Supporter { name: "Mina".into(), country: "AF".into(), comment: Some("Stop it.".into()) }
    }

    #[test]
    fn a_letter_is_from_the_campaign_to_the_office_with_a_stable_message_id() {
        let campaign = campaign();
        let target = &campaign.file.targets[2];
        let ctx = LetterContext {
            from: "Campaign <campaign@rallypost.example>".parse().unwrap(),
            keys: std::sync::Arc::new(DataKeys::disabled()),
            dkim: None,
        };
        let id = uuid::Uuid::now_v7();
        let rendered = individual(&campaign, target, &supporter()).unwrap();
        let text = String::from_utf8(message(&ctx, target, id, rendered).unwrap()).unwrap();
        assert!(text.contains("From: Campaign <campaign@rallypost.example>"));
        assert!(text.contains("home-commissioner@ec.example"));
        assert!(text.contains(&format!("Message-ID: <{id}@rallypost.example>")));
        assert!(text.contains("Date: "));
        assert!(!text.contains("DKIM-Signature"));
    }

    #[test]
    fn letters_are_dkim_signed_when_a_key_is_set() {
        use lettre::message::dkim::{DkimConfig, DkimSigningAlgorithm, DkimSigningKey};
        let key = DkimSigningKey::new(
            include_str!("../../tests/support/dkim-test-key.pem"),
            DkimSigningAlgorithm::Rsa,
        )
        .unwrap();
        let dkim = DkimConfig::default_config("campaign2026".into(), "rallypost.example".into(), key);
        let ctx = LetterContext {
            from: "Campaign <campaign@rallypost.example>".parse().unwrap(),
            keys: std::sync::Arc::new(DataKeys::disabled()),
            dkim: Some(std::sync::Arc::new(dkim)),
        };
        let campaign = campaign();
        let target = &campaign.file.targets[0];
        let rendered = individual(&campaign, target, &supporter()).unwrap();
        let text = String::from_utf8(message(&ctx, target, uuid::Uuid::now_v7(), rendered).unwrap()).unwrap();
        assert!(text.contains("DKIM-Signature: "), "{text}");
        assert!(text.contains("d=rallypost.example") && text.contains("s=campaign2026"));
    }

    #[test]
    fn a_german_letter_for_a_german_ministry() {
        let campaign = campaign();
        let text = individual(&campaign, &campaign.file.targets[0], &supporter()).unwrap().text;
        assert!(text.starts_with("Sehr geehrte Damen und Herren,"));
        assert!(text.contains("Unterzeichnet von: Mina (Afghanistan)"));
        assert!(text.contains("Stop it."));
    }
}
