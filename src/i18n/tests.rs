//! The translation files against the code: every key the code asks for exists in
//! English, every shipped language has exactly English's keys with the same placeables,
//! and every file belongs to a language.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::*;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Each message's value, continuation lines included, by key.
fn messages_in(tag: &str) -> BTreeMap<String, String> {
    let path = Path::new(ROOT).join("locales").join(tag).join("main.ftl");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let is_key = |key: &str| {
        !key.is_empty() && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    };
    let mut messages: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        match (line.starts_with(' '), messages.last_mut()) {
            (true, Some((_, value))) => value.push_str(line),
            _ => messages.extend(
                line.split_once(" =")
                    .filter(|(k, _)| is_key(k.trim_end()))
                    .map(|(k, v)| (k.trim_end().to_owned(), v.to_owned())),
            ),
        }
    }
    messages.into_iter().collect()
}

fn keys_in(tag: &str) -> BTreeSet<String> {
    messages_in(tag).into_keys().collect()
}

/// Keys in `t("...")`, `t1("...")` and `t_args("...")` calls under `dir`.
fn keys_used(dir: &Path, found: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            keys_used(&path, found);
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        for marker in ["t(\"", "t1(\"", "t_args(\""] {
            for (at, _) in text.match_indices(marker) {
                // `get("x")` ends in `t("` too: only a call named `t`, `t1` or `t_args` counts.
                let before = text[..at].chars().next_back().unwrap_or(' ');
                if before.is_alphanumeric() || before == '_' {
                    continue;
                }
                let rest = &text[at + marker.len()..];
                let key = rest.split('"').next().unwrap();
                if !key.is_empty() && key.chars().all(|c| c.is_ascii_lowercase() || c == '-') {
                    found.insert(key.to_owned());
                }
            }
        }
    }
}

#[test]
fn every_key_the_code_uses_exists_in_english() {
    let english = keys_in("en");
    let mut used = BTreeSet::new();
    keys_used(&Path::new(ROOT).join("templates"), &mut used);
    keys_used(&Path::new(ROOT).join("src"), &mut used);
    let missing: Vec<_> = used.difference(&english).collect();
    assert!(used.len() > 30, "found only {used:?}");
    assert!(missing.is_empty(), "keys missing from locales/en/main.ftl: {missing:?}");
}

/// What a message fills in: `{ $max }`, `{ confirm-button }`.
fn placeables(value: &str) -> BTreeSet<String> {
    value
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}'))
        .map(|(inside, _)| inside.trim().to_owned())
        .collect()
}

#[test]
fn every_shipped_language_has_every_english_key_and_no_other() {
    let english = keys_in("en");
    for lang in Lang::ALL {
        let keys = keys_in(lang.code());
        let unknown: Vec<_> = keys.difference(&english).collect();
        assert!(unknown.is_empty(), "{lang:?} has keys English lacks: {unknown:?}");
        let missing: Vec<_> = english.difference(&keys).collect();
        assert!(missing.is_empty(), "locales/{}/main.ftl lacks {missing:?}", lang.code());
    }
}

#[test]
fn every_translation_fills_in_what_english_fills_in() {
    let english = messages_in("en");
    for lang in Lang::ALL {
        for (key, value) in messages_in(lang.code()) {
            let Some(original) = english.get(&key) else { continue };
            assert_eq!(placeables(&value), placeables(original), "{lang:?} {key} = {value}");
        }
    }
}

#[test]
fn every_language_file_is_valid_fluent() {
    for lang in Lang::ALL {
        let path = Path::new(ROOT).join("locales").join(lang.code()).join("main.ftl");
        let text = std::fs::read_to_string(&path).unwrap();
        if let Err((_, errors)) = fluent_templates::fluent_bundle::FluentResource::try_new(text) {
            panic!("{}: {errors:?}", path.display());
        }
    }
}

#[test]
fn every_locale_directory_is_a_registered_language() {
    for entry in std::fs::read_dir(Path::new(ROOT).join("locales")).unwrap().flatten() {
        let tag = entry.file_name().to_string_lossy().into_owned();
        let lang = Lang::from_tag(&tag).unwrap_or_else(|| panic!("locales/{tag} is not registered"));
        assert_eq!(lang.code(), tag);
    }
}

#[test]
fn dari_and_pashto_speak_their_own_words_in_pages_and_emails() {
    let (dari, pashto) = (Texts::new(Lang::FaAf), Texts::new(Lang::Ps));
    assert_eq!(dari.t("sign-button"), "امضا کنید");
    assert_eq!(pashto.t("sign-button"), "لاسلیک کړئ");
    assert_eq!(dari.t1("mail-greeting", "name", "Mina"), "سلام Mina،");
    assert!(pashto.t("thanks-step-confirm").contains(&pashto.t("confirm-button")));
    assert_eq!(pashto.field_error(FieldError::TooLong(16)), "مهرباني وکړئ تر 16 تورو زیات مه لیکئ.");
}

#[test]
fn numbers_are_grouped_the_way_each_language_writes_them() {
    assert_eq!(Texts::new(Lang::En).number(50_000), "50,000");
    assert_eq!(Texts::new(Lang::De).number(1_234_567), "1.234.567");
    assert_eq!(Texts::new(Lang::De).number(999), "999");
    assert_eq!(Texts::new(Lang::En).number(0), "0");
    assert_eq!(Texts::new(Lang::FaAf).number(123), "۱۲۳");
}

#[test]
fn one_endorsing_organisation_is_named_in_the_singular_and_more_in_the_plural() {
    let english = Texts::new(Lang::En);
    assert_eq!(english.t_count("endorsers-heading", 1, &[]), "Supported by 1 organisation");
    assert_eq!(english.t_count("endorsers-heading", 1200, &[]), "Supported by 1,200 organisations");
    let german = Texts::new(Lang::De);
    assert_eq!(german.t_count("endorsers-heading", 1, &[]), "Unterstützt von 1 Organisation");
    let names = [("names", "PRO ASYL".to_owned())];
    assert_eq!(
        german.t_count("letter-supported-by", 2, &names),
        "Unterstützt von 2 Organisationen: PRO ASYL."
    );
    assert_eq!(Texts::new(Lang::FaAf).t_count("endorsers-heading", 3, &[]), "با حمایت ۳ نهاد");
}

#[test]
fn the_thanks_page_names_the_button_by_its_own_words() {
    let german = Texts::new(Lang::De);
    assert!(german.t("thanks-step-confirm").contains(&german.t("confirm-button")));
}

#[test]
fn arguments_are_filled_in_without_isolation_marks() {
    let german = Texts::new(Lang::De);
    assert_eq!(german.field_error(FieldError::TooLong(16)), "Bitte verwenden Sie höchstens 16 Zeichen.");
    let unknown = "no-such-key";
    assert_eq!(Texts::new(Lang::En).t(unknown), unknown);
}

#[test]
fn a_closing_time_reads_in_each_language_in_the_campaigns_zone() {
    let winter: chrono::DateTime<chrono::Utc> = "2027-03-01T17:00:00Z".parse().unwrap();
    let summer: chrono::DateTime<chrono::Utc> = "2027-06-30T21:59:00Z".parse().unwrap();
    let berlin = chrono_tz::Europe::Berlin;
    assert_eq!(
        Texts::new(Lang::En).closes_on(winter, berlin),
        "Signatures are collected until 1 March 2027, 18:00 (UTC+1)."
    );
    assert_eq!(
        Texts::new(Lang::De).closes_on(summer, berlin),
        "Unterschriften werden bis zum 30. Juni 2027, 23:59 Uhr (UTC+2) gesammelt."
    );
    let dari = Texts::new(Lang::FaAf).closes_on(winter, chrono_tz::Asia::Kabul);
    assert!(dari.contains("۱ مارچ ۲۰۲۷") && dari.contains("(UTC+4:30)"), "{dari}");
    let pashto = Texts::new(Lang::Ps).closes_on(winter, chrono_tz::UTC);
    assert!(pashto.contains("۲۰۲۷") && pashto.contains("(UTC)"), "{pashto}");
}
