//! Counted, not named: a supporter may ask that their name never reach a target. Their
//! signature counts and organizers export it, but no letter or digest names them; each
//! says how many asked not to be named, by country.

use chrono::{DateTime, Utc};
use rallypost::campaigns::DispatchMode;
use rallypost::outbox::Sender;

use crate::helpers::{AppOptions, SLUG, TestApp, spawn_app_with, valid_form};

const HIDDEN: [&str; 3] = ["Parwana Hidden", "Jawid Hidden", "Lena Hidden"];
const ENGLISH_TARGET: &str = "home-commissioner@ec.example";

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// Signs through the form, delivers the confirmation email and presses its button.
async fn sign_and_confirm(
    app: &TestApp,
    sender: &Sender,
    name: &str,
    email: &str,
    country: &str,
    anonymous: bool,
) {
    let mut form: Vec<(String, String)> =
        valid_form(email).into_iter().filter(|(k, _)| k != "name" && k != "country").collect();
    form.push(("name".into(), name.into()));
    form.push(("country".into(), country.into()));
    if anonymous {
        form.push(("anonymous".into(), "on".into()));
    }
    assert_eq!(app.sign(&form).await.status(), 303);
    sender.send_due().await.unwrap();
    let mail = app.mail.messages().into_iter().rev().find(|m| m.rcpt == email).expect("a confirmation email");
    let link = mail.link(&format!("{}/confirm/", app.address));
    assert_eq!(app.client.post(&link).send().await.unwrap().status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signers_who_asked_not_to_be_named_count_in_every_letter_and_digest_but_are_never_named() {
    let app = spawn_app_with(AppOptions { workers: false, ..Default::default() }).await;
    app.set_dispatch(|d| {
        d.mode = DispatchMode::Individual;
        d.per_target_per_hour = 3600;
        d.timezone = chrono_tz::Europe::Berlin;
        d.window_days = ["Mon", "Tue", "Wed", "Thu", "Fri"].map(|day| day.parse().unwrap()).to_vec();
        d.window_start = "08:00".parse().unwrap();
        d.window_end = "18:00".parse().unwrap();
    })
    .await;
    // Monday 30 November 2026, 10:00 in Berlin.
    app.clock.set(at("2026-11-30T09:00:00Z"));
    let (scheduler, sender) = (app.scheduler(), app.sender());
    for (name, email, country) in [
        (HIDDEN[0], "parwana@example.org", "AF"),
        (HIDDEN[1], "jawid@example.org", "AF"),
        (HIDDEN[2], "lena@example.org", "DE"),
    ] {
        sign_and_confirm(&app, &sender, name, email, country, true).await;
    }
    sign_and_confirm(&app, &sender, "Mina Named", "mina@example.org", "DE", false).await;

    assert_eq!(app.confirmed_count().await, 4, "every signature counts");
    app.login_as_organizer().await;
    let csv = app.get(&format!("/admin/c/{SLUG}/signatures.csv")).await.text().await.unwrap();
    for name in HIDDEN {
        let row = csv.lines().find(|l| l.contains(name)).expect("organizers export every signature");
        assert!(row.contains(",true,"), "marked anonymous: {row}");
    }

    // Individual letters: one per target for the named signer; none for the others.
    assert_eq!(scheduler.tick().await.unwrap(), 3, "a letter per target, for the named signer only");
    sender.send_due().await.unwrap();
    assert_eq!(app.letters().len(), 3);

    // Then digests: the first covers everyone confirmed so far.
    app.set_dispatch(|d| {
        d.mode = DispatchMode::Digest;
        d.schedule = "0 9 * * MON".parse().unwrap();
    })
    .await;
    app.clock.set(at("2026-12-07T08:03:00Z"));
    assert_eq!(scheduler.tick().await.unwrap(), 3, "a digest per target");
    sender.send_due().await.unwrap();

    let letters = app.letters();
    assert_eq!(letters.len(), 6);
    for (i, letter) in letters.iter().enumerate() {
        let english = letter.rcpt == ENGLISH_TARGET;
        let sentence = match (i < 3, english) {
            (true, true) => "Signatories so far who asked not to be named: 3 (Afghanistan: 2, Germany: 1).",
            (true, false) => {
                "Bisherige Unterzeichnende, die nicht namentlich genannt werden möchten: 3 (Afghanistan: 2, Deutschland: 1)."
            }
            (false, true) => "Of the new signatories, 3 asked not to be named (Afghanistan: 2, Germany: 1)",
            (false, false) => {
                "Von den neuen Unterzeichnenden möchten 3 nicht namentlich genannt werden (Afghanistan: 2, Deutschland: 1)"
            }
        };
        let csv = letter.attachment_text().unwrap_or_default();
        let parts = [letter.subject(), letter.text(), letter.html(), csv.clone()];
        let raw = String::from_utf8_lossy(&letter.raw);
        for name in HIDDEN {
            assert!(
                parts.iter().all(|p| !p.contains(name)) && !raw.contains(name),
                "{name} in {}",
                letter.text()
            );
        }
        assert!(letter.text().contains(sentence), "{}", letter.text());
        assert!(letter.html().contains(sentence), "{}", letter.html());
        if i < 3 {
            assert!(letter.text().contains("Mina Named"), "the others are named as before");
        } else {
            // The country in the target's language.
            let named = if english { "Mina Named,Germany" } else { "Mina Named,Deutschland" };
            assert_eq!(csv.lines().collect::<Vec<_>>(), ["name,country", named], "{csv}");
            assert!(letter.subject().contains('4'), "the digest counts all four: {}", letter.subject());
        }
    }
}
