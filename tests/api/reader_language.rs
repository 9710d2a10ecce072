//! Countries, numbers and dates in the reader's language (CLDR through ICU4X), and the
//! words of supporters kept apart from ours when the scripts differ: right to left in
//! mail, `<bdi>` and FSI…PDI around names and comments in letters and emails.

use chrono::{DateTime, Utc};
use icu_collator::Collator;
use icu_collator::options::CollatorOptions;
use icu_locale_core::locale;
use rallypost::campaigns::DispatchMode;

use crate::helpers::{AppOptions, ReceivedMail, SLUG, TestApp, spawn_app, spawn_app_with, valid_form};

const FSI: char = '\u{2068}';
const PDI: char = '\u{2069}';

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// The sign form's countries as (code, name), in page order, without the "choose" line.
fn country_options(page: &str) -> Vec<(String, String)> {
    let select = page.split("<select id=\"country\"").nth(1).unwrap().split("</select>").next().unwrap();
    select
        .split("<option value=\"")
        .skip(2)
        .map(|option| {
            let (code, rest) = option.split_once('"').unwrap();
            let name = rest.split_once('>').unwrap().1.split("</option>").next().unwrap();
            (code.to_owned(), name.trim().to_owned())
        })
        .collect()
}

fn selected_country(page: &str) -> Option<String> {
    let select = page.split("<select id=\"country\"").nth(1)?.split("</select>").next()?;
    let before = select.split("\" selected>").next().filter(|b| b.len() < select.len())?;
    Some(before.rsplit("value=\"").next()?.to_owned())
}

async fn page_with_accept_language(app: &TestApp, header: &str) -> String {
    let response = app
        .bare_client()
        .get(app.url(&format!("/c/{SLUG}")))
        .header("accept-language", header)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_german_reader_finds_the_countries_named_and_sorted_in_german() {
    let app = spawn_app().await;
    let (_, page) = app.get_text(&format!("/c/{SLUG}?lang=de")).await;
    let options = country_options(&page);
    let names: Vec<&str> = options.iter().map(|(_, name)| name.as_str()).collect();
    let position = |name: &str| names.iter().position(|n| *n == name).unwrap_or_else(|| panic!("{name}"));

    assert!(names.len() > 240);
    assert!(position("Oman") < position("Österreich"), "Ö sorts with O in German");
    assert!(position("Österreich") < position("Pakistan"));
    assert!(names.contains(&"Deutschland") && !names.contains(&"Germany"));
    // The order is German collation's, built here independently of the app.
    let collator = Collator::try_new(locale!("de").into(), CollatorOptions::default()).unwrap();
    let mut expected = names.clone();
    expected.sort_by(|a, b| collator.compare(a, b));
    assert_eq!(names, expected);
    // Still the ISO codes the form sends.
    assert!(options.contains(&("AT".to_owned(), "Österreich".to_owned())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dari_reader_finds_the_countries_in_persian_script_and_persian_order() {
    let app = spawn_app().await;
    let (_, page) = app.get_text(&format!("/c/{SLUG}?lang=fa-AF")).await;
    let options = country_options(&page);
    let names: Vec<&str> = options.iter().map(|(_, name)| name.as_str()).collect();

    assert!(options.contains(&("AF".to_owned(), "افغانستان".to_owned())));
    assert!(options.contains(&("DE".to_owned(), "آلمان".to_owned())));
    let latin: Vec<&&str> = names.iter().filter(|n| n.chars().any(|c| c.is_ascii_alphabetic())).collect();
    assert!(latin.is_empty(), "every name in Persian script: {latin:?}");
    // CLDR's collation for Dari: Persian order, with Afghanistan's own tailoring (ه before
    // و, where Iran's Persian puts و first).
    let collator = Collator::try_new(locale!("fa-AF").into(), CollatorOptions::default()).unwrap();
    let mut expected = names.clone();
    expected.sort_by(|a, b| collator.compare(a, b));
    assert_eq!(names, expected, "Dari collation");
    let position = |code: &str| options.iter().position(|(c, _)| c == code).unwrap();
    // آلمان (Germany) before بلجیم (Belgium) before پاکستان (Pakistan), as the alphabet goes.
    assert!(position("DE") < position("BE") && position("BE") < position("PK"));
    // هالند (Netherlands) before واتیکان (Vatican): the Dari tailoring.
    assert!(position("NL") < position("VA"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_browsers_language_region_chooses_the_country_in_advance() {
    let app = spawn_app().await;
    let austrian = page_with_accept_language(&app, "de-AT,de;q=0.9,en;q=0.5").await;
    assert_eq!(selected_country(&austrian).as_deref(), Some("AT"));
    assert!(austrian.contains("<html lang=\"de\""), "and the page is German");

    let afghan = page_with_accept_language(&app, "fa-AF,fa;q=0.8").await;
    assert_eq!(selected_country(&afghan).as_deref(), Some("AF"));

    let no_region = page_with_accept_language(&app, "de").await;
    assert_eq!(selected_country(&no_region), None, "a language alone names no country");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dari_page_counts_in_dari_digits_and_count_json_stays_a_number() {
    let app = spawn_app().await;
    app.add_signatures("Counted", 123, "confirmed", Utc::now()).await;

    let (_, page) = app.get_text(&format!("/c/{SLUG}?lang=fa-AF")).await;
    assert!(page.contains("<strong id=\"count\" data-count>۱۲۳</strong>"), "{}", &page[..2000]);
    assert!(page.contains(&format!("data-count-url=\"/c/{SLUG}/count.json?lang=fa-AF\"")));
    let (_, german) = app.get_text(&format!("/c/{SLUG}?lang=de")).await;
    assert!(german.contains("<strong id=\"count\" data-count>123</strong>"));

    let json: serde_json::Value =
        app.get(&format!("/c/{SLUG}/count.json?lang=fa-AF")).await.json().await.unwrap();
    assert_eq!(json["confirmed"], 123, "the number stays a JSON number");
    assert_eq!(json["confirmed_text"], "۱۲۳", "written for the page's script");
    let bare: serde_json::Value = app.get(&format!("/c/{SLUG}/count.json")).await.json().await.unwrap();
    assert_eq!(bare["confirmed"], 123);
    assert!(bare.get("confirmed_text").is_none(), "no language asked, none assumed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dari_supporters_emails_are_right_to_left_with_the_date_in_persian_script() {
    let app = spawn_app().await;
    let mut fields = valid_form("farid@example.org");
    fields.push(("lang".into(), "fa-AF".into()));
    app.sign(&fields).await;
    let confirmation = app.mail.wait_for(1).await.remove(0);
    assert!(confirmation.html().contains("<html lang=\"fa-AF\" dir=\"rtl\">"));
    assert!(
        confirmation.text().starts_with(&format!("سلام {FSI}Mina Ahmadi{PDI}،")),
        "a Latin name set apart in a Dari greeting: {}",
        confirmation.text()
    );

    let link = confirmation.link(&format!("{}/confirm/", app.address));
    app.client.post(link).send().await.unwrap();
    let receipt = app.mail.wait_for(2).await.remove(1);
    assert!(receipt.html().contains("<html lang=\"fa-AF\" dir=\"rtl\">"));
    let signed_on = receipt.text().lines().find(|l| l.starts_with("شما به تاریخ")).map(str::to_owned);
    let signed_on = signed_on.unwrap_or_else(|| panic!("a signing date: {}", receipt.text()));
    let year = Utc::now().format("%Y").to_string();
    let dari_year: String =
        year.chars().map(|d| char::from_u32(0x06F0 + d.to_digit(10).unwrap()).unwrap()).collect();
    assert!(signed_on.contains(&dari_year), "the year in Dari digits: {signed_on}");
    assert!(!signed_on.chars().any(|c| c.is_ascii_alphanumeric()), "in Persian script: {signed_on}");
}

async fn digest_app() -> TestApp {
    let app = spawn_app_with(AppOptions { workers: false, ..Default::default() }).await;
    app.set_dispatch(|d| {
        d.mode = DispatchMode::Digest;
        d.schedule = "0 9 * * MON".parse().unwrap();
        d.timezone = chrono_tz::Europe::Berlin;
    })
    .await;
    app
}

fn german_letter(letters: Vec<ReceivedMail>) -> ReceivedMail {
    letters.into_iter().find(|l| l.rcpt == "poststelle@bmi.example").expect("a letter to the German ministry")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_german_digest_sets_a_dari_name_apart_and_marks_a_dari_comment_as_dari() {
    let app = digest_app().await;
    app.add_signatures_with("مینا", 1, "confirmed", at("2026-11-29T12:00:00Z"), false, "fa-AF").await;
    app.clock.set(at("2026-11-30T08:03:00Z"));
    app.scheduler().tick().await.unwrap();
    app.sender().send_due().await.unwrap();
    let letter = german_letter(app.letters());

    let text = letter.text();
    assert!(text.contains(&format!("({FSI}مینا 0{PDI}, Afghanistan)")), "{text}");
    assert!(text.contains(&format!("\"{FSI}Words of مینا 0{PDI}\"")), "{text}");
    assert!(text.contains("seit") || text.contains("bis"), "{text}");
    assert!(
        text.contains("29. November 2026") || text.contains("30. November 2026"),
        "a German date: {text}"
    );
    let html = letter.html();
    assert!(html.contains("<bdi>مینا 0</bdi>, Afghanistan"), "{html}");
    assert!(html.contains("<div lang=\"fa-AF\" dir=\"auto\""), "the quote is marked as Dari: {html}");
    assert!(html.contains("<td>Afghanistan</td>"), "countries in German: {html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_german_letter_for_one_dari_signer_sets_the_name_apart_and_names_the_country_in_german() {
    let app = spawn_app_with(AppOptions { workers: false, ..Default::default() }).await;
    app.set_dispatch(|d| {
        d.mode = DispatchMode::Individual;
        d.per_target_per_hour = 100;
        d.timezone = chrono_tz::Europe::Berlin;
        d.window_days = ["Mon", "Tue", "Wed", "Thu", "Fri"].map(|day| day.parse().unwrap()).to_vec();
        d.window_start = "08:00".parse().unwrap();
        d.window_end = "18:00".parse().unwrap();
    })
    .await;
    app.clock.set(at("2026-11-30T09:00:00Z"));
    // Signers get AF, DE, AT in turn: the second is from Germany, the third from Austria.
    app.add_signatures_with("فرید", 3, "confirmed", at("2026-11-30T08:00:00Z"), false, "fa-AF").await;
    app.scheduler().tick().await.unwrap();
    let sender = app.sender();
    let to_germany = || -> Vec<ReceivedMail> {
        app.letters().into_iter().filter(|l| l.rcpt == "poststelle@bmi.example").collect()
    };
    // Letters to one target are spaced out: a minute at a time until all three went.
    for _ in 0..10 {
        sender.send_due().await.unwrap();
        if to_germany().len() == 3 {
            break;
        }
        app.clock.advance(chrono::Duration::minutes(1));
    }
    let letters = to_germany();
    assert_eq!(letters.len(), 3);
    let austrian = letters.iter().find(|l| l.text().contains("فرید 2")).unwrap();

    let text = austrian.text();
    assert!(text.contains(&format!("Unterzeichnet von: {FSI}فرید 2{PDI} (Österreich)")), "{text}");
    assert!(text.contains(&format!("{FSI}Words of فرید 2{PDI}")), "{text}");
    let html = austrian.html();
    assert!(html.contains("<bdi>فرید 2</bdi> (Österreich)"), "{html}");
    assert!(html.contains("<blockquote lang=\"fa-AF\" dir=\"auto\""), "{html}");
}
