//! What the template reads besides the signers: the labels in the target's language
//! (locales/*/main.ftl), the campaign's call, the counts by country and by day, the
//! endorsers and the footer. Numbers and country names are the target's language's, from
//! CLDR (`crate::i18n::cldr`).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::campaigns::{PageText, Target};
use crate::handover::pack::{Endorsement, Tally};
use crate::i18n::{Texts, cldr};

/// What every piece of the PDF shares (`doc` in `/data.json`, as
/// `templates/handover/pack.typ` reads it): every word already in the target's language.
/// The signers travel beside it, a piece's share at a time.
#[derive(Serialize)]
pub(in crate::handover) struct PdfData<'a> {
    lang: &'a str,
    rtl: bool,
    labels: Labels,
    title: &'a str,
    call_intro: &'a str,
    call: &'a [String],
    target: String,
    total_line: String,
    countries: Vec<CountryLine>,
    /// Each signer's country in the target's language, by code.
    country_names: BTreeMap<&'a str, &'a str>,
    days: Vec<DayBar>,
    chart_caption: String,
    endorsements: &'a [Endorsement],
    anonymous_line: String,
    footer: String,
}

#[derive(Serialize)]
struct Labels {
    to: String,
    counts: String,
    country: String,
    signatures: String,
    per_day: String,
    no_signatures: String,
    endorsements: String,
    no_endorsements: String,
    signers: String,
}

#[derive(Serialize)]
struct CountryLine {
    name: String,
    count: String,
}

#[derive(Serialize)]
struct DayBar {
    count: u64,
}

impl<'a> PdfData<'a> {
    pub(in crate::handover) fn new(
        texts: &Texts,
        target: &Target,
        page: &'a PageText,
        tally: &'a Tally,
        endorsements: &'a [Endorsement],
        made_at: DateTime<Utc>,
    ) -> PdfData<'a> {
        let lang = texts.lang();
        let number = |n: u64| texts.number(i64::try_from(n).unwrap_or(i64::MAX));
        // Most first; among equals, as the target's language sorts their names.
        let mut countries: Vec<(&String, &str, u64)> =
            tally.by_country.iter().map(|(code, n)| (code, texts.country(code), *n)).collect();
        countries.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| cldr::compare(lang, a.1, b.1)));
        let (days, chart_caption) = days(texts, &tally.by_day);
        PdfData {
            lang: lang.langid().language.as_str(),
            rtl: lang.dir() == "rtl",
            labels: Labels {
                to: texts.t("handover-to"),
                counts: texts.t("handover-counts"),
                country: texts.t("handover-country"),
                signatures: texts.t("handover-signatures"),
                per_day: texts.t("handover-per-day"),
                no_signatures: texts.t("handover-no-signatures"),
                endorsements: texts.t("handover-endorsements"),
                no_endorsements: texts.t("handover-no-endorsements"),
                signers: texts.t("handover-signers"),
            },
            title: &page.title,
            call_intro: &page.call_intro,
            call: &page.call,
            target: format!("{}, {}", target.office, target.organisation),
            total_line: texts.t1("handover-total", "total", number(tally.named + tally.anonymous)),
            country_names: tally.by_country.keys().map(|code| (code.as_str(), texts.country(code))).collect(),
            countries: countries
                .into_iter()
                .map(|(code, name, n)| CountryLine {
                    // A code that is no country shows as itself.
                    name: if name == code { code.clone() } else { format!("{name} ({code})") },
                    count: number(n),
                })
                .collect(),
            days,
            chart_caption,
            endorsements,
            anonymous_line: texts.t1("handover-anonymous", "count", number(tally.anonymous)),
            footer: texts.t_args(
                "handover-footer",
                &[("campaign", page.title.clone()), ("date", made_at.format("%Y-%m-%d").to_string())],
            ),
        }
    }
}

/// One bar per day from the first signature to the last, empty days included, and the
/// caption that names the span and the highest bar.
fn days(texts: &Texts, by_day: &BTreeMap<NaiveDate, u64>) -> (Vec<DayBar>, String) {
    let (Some((&first, _)), Some((&last, _))) = (by_day.first_key_value(), by_day.last_key_value()) else {
        return (Vec::new(), String::new());
    };
    let bars: Vec<DayBar> = first
        .iter_days()
        .take_while(|d| *d <= last)
        .map(|d| DayBar { count: by_day.get(&d).copied().unwrap_or(0) })
        .collect();
    let max = by_day.values().copied().max().unwrap_or(0);
    let caption = texts.t_args(
        "handover-chart-caption",
        &[
            ("first", first.format("%Y-%m-%d").to_string()),
            ("last", last.format("%Y-%m-%d").to_string()),
            ("max", texts.number(i64::try_from(max).unwrap_or(i64::MAX))),
        ],
    );
    (bars, caption)
}
