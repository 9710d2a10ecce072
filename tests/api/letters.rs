//! Letters to the targets: the sending window, the hourly cap, digests, exactly-once
//! delivery with several workers and a flaky SMTP server, and what letters may contain.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use rallypost::campaigns::DispatchMode;
use rallypost::clock::Clock;

use crate::helpers::{AppOptions, TestApp, spawn_app_with};

const TARGETS: [&str; 3] = ["poststelle@bmi.example", "post@bmi.example", "home-commissioner@ec.example"];

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

async fn app_in_individual_mode(per_hour: u32) -> TestApp {
    let app = spawn_app_with(AppOptions { workers: false, ..Default::default() }).await;
    app.set_dispatch(|d| {
        d.mode = DispatchMode::Individual;
        d.per_target_per_hour = per_hour;
        d.timezone = chrono_tz::Europe::Berlin;
        d.window_days = ["Mon", "Tue", "Wed", "Thu", "Fri"].map(|day| day.parse().unwrap()).to_vec();
        d.window_start = "08:00".parse().unwrap();
        d.window_end = "18:00".parse().unwrap();
    })
    .await;
    app
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn individual_letters_go_only_inside_the_window_and_at_most_the_hourly_cap() {
    let app = app_in_individual_mode(4).await;
    // Monday 30 November 2026, 07:30 in Berlin (UTC+1).
    app.clock.set(at("2026-11-30T06:30:00Z"));
    app.add_signatures("Early", 10, "confirmed", at("2026-11-30T06:00:00Z")).await;
    let (scheduler, sender) = (app.scheduler(), app.sender());

    assert_eq!(scheduler.tick().await.unwrap(), 30, "one letter per signature and target");
    assert_eq!(scheduler.tick().await.unwrap(), 0, "queued once");
    sender.send_due().await.unwrap();
    assert!(app.letters().is_empty(), "nothing before 08:00");

    // From 08:00 minute by minute: record when each letter arrived.
    let mut sent_at: HashMap<String, Vec<DateTime<Utc>>> = HashMap::new();
    let mut seen = 0;
    app.clock.set(at("2026-11-30T07:00:00Z"));
    for _ in 0..(4 * 60) {
        sender.send_due().await.unwrap();
        let letters = app.letters();
        for letter in &letters[seen..] {
            sent_at.entry(letter.rcpt.clone()).or_default().push(app.clock.now());
        }
        seen = letters.len();
        app.clock.advance(Duration::minutes(1));
    }

    assert_eq!(seen, 30, "every letter went out");
    for target in TARGETS {
        let times = &sent_at[target];
        assert_eq!(times.len(), 10);
        assert_eq!(times[0], at("2026-11-30T07:00:00Z"), "the first at the window's start");
        for pair in times.windows(2) {
            assert_eq!(pair[1] - pair[0], Duration::minutes(15), "spread evenly: {times:?}");
        }
        for (i, start) in times.iter().enumerate() {
            let in_hour = times[i..].iter().take_while(|t| **t < *start + Duration::hours(1)).count();
            assert!(in_hour <= 4, "{target}: {in_hour} letters within an hour of {start}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn letters_left_at_closing_time_wait_for_the_next_working_morning() {
    let app = app_in_individual_mode(60).await;
    // Friday 4 December 2026, 17:58 in Berlin.
    app.clock.set(at("2026-12-04T16:58:00Z"));
    app.add_signatures("Late", 5, "confirmed", at("2026-12-04T16:00:00Z")).await;
    let (scheduler, sender) = (app.scheduler(), app.sender());
    scheduler.tick().await.unwrap();

    for _ in 0..3 {
        sender.send_due().await.unwrap();
        app.clock.advance(Duration::minutes(1));
    }
    assert_eq!(app.letters().len(), 6, "17:58 and 17:59, one per target each");

    // The weekend passes with nothing sent.
    for hour in 0..62 {
        app.clock.set(at("2026-12-04T17:00:00Z") + Duration::hours(hour));
        sender.send_due().await.unwrap();
    }
    assert_eq!(app.letters().len(), 6, "nothing after 18:00 or on the weekend");

    app.clock.set(at("2026-12-07T07:00:00Z"));
    sender.send_due().await.unwrap();
    assert_eq!(app.letters().len(), 9, "Monday 08:00 in Berlin");
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_digest_covers_exactly_the_signatures_since_the_last_one() {
    let app = digest_app().await;
    let (scheduler, sender) = (app.scheduler(), app.sender());
    app.add_signatures("First", 3, "confirmed", at("2026-11-29T12:00:00Z")).await;
    app.add_signatures("Unconfirmed", 2, "pending", at("2026-11-29T12:00:00Z")).await;

    // Monday 30 November 09:03 in Berlin: the period that ended at 09:00 is due.
    app.clock.set(at("2026-11-30T08:03:00Z"));
    assert_eq!(scheduler.tick().await.unwrap(), 3, "one digest per target");
    assert_eq!(scheduler.tick().await.unwrap(), 0, "never twice for a period");
    sender.send_due().await.unwrap();
    let first = app.letters();
    assert_eq!(first.len(), 3);
    for letter in &first {
        let csv = letter.attachment_text().expect("a CSV of the new signers");
        assert_eq!(csv.lines().count(), 4, "{csv}");
        for i in 0..3 {
            assert!(csv.contains(&format!("First {i},")));
        }
        assert!(!csv.contains("Unconfirmed"));
        assert!(letter.subject().contains('3'), "{}", letter.subject());
    }
    let german = first.iter().find(|l| l.rcpt == "poststelle@bmi.example").unwrap();
    assert!(german.text().contains("3 neue Unterschriften, 3 Unterschriften insgesamt"), "{}", german.text());

    // Later the same day: two more; no new digest until next Monday.
    app.add_signatures("Second", 2, "confirmed", at("2026-11-30T10:00:00Z")).await;
    app.clock.set(at("2026-11-30T12:00:00Z"));
    assert_eq!(scheduler.tick().await.unwrap(), 0);

    app.clock.set(at("2026-12-07T08:05:00Z"));
    assert_eq!(scheduler.tick().await.unwrap(), 3);
    sender.send_due().await.unwrap();
    let letters = app.letters();
    assert_eq!(letters.len(), 6);
    for letter in &letters[3..] {
        let csv = letter.attachment_text().unwrap();
        assert_eq!(csv.lines().count(), 3, "exactly the two new ones: {csv}");
        assert!(csv.contains("Second 0,") && csv.contains("Second 1,") && !csv.contains("First"));
    }
    let english = letters[3..].iter().find(|l| l.rcpt == "home-commissioner@ec.example").unwrap();
    assert!(english.text().contains("2 new signatures, 5 signatures in total"), "{}", english.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_period_gets_one_digest_whatever_fraction_of_a_second_the_clock_shows() {
    let app = digest_app().await;
    let (scheduler, sender) = (app.scheduler(), app.sender());
    app.add_signatures("Before", 2, "confirmed", at("2026-11-29T12:00:00Z")).await;
    // Confirmed just after Monday 09:00 in Berlin: next week's digest.
    app.add_signatures("After", 1, "confirmed", at("2026-11-30T08:00:00.600Z")).await;

    app.clock.set(at("2026-11-30T08:03:00.250Z"));
    assert_eq!(scheduler.tick().await.unwrap(), 3);
    app.clock.set(at("2026-11-30T08:03:30.900Z"));
    assert_eq!(scheduler.tick().await.unwrap(), 0, "no second digest for the period ending at 09:00");
    app.clock.set(at("2026-12-07T08:05:00Z"));
    assert_eq!(scheduler.tick().await.unwrap(), 3);
    sender.send_due().await.unwrap();

    let letters = app.letters();
    assert_eq!(letters.len(), 6);
    for (i, letter) in letters.iter().enumerate() {
        let csv = letter.attachment_text().unwrap();
        let (week, other) = if i < 3 { ("Before", "After") } else { ("After", "Before") };
        assert!(csv.contains(week) && !csv.contains(other), "{csv}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_workers_at_once_send_each_letter_exactly_once() {
    let app = app_in_individual_mode(3600).await;
    app.clock.set(at("2026-11-30T09:00:00Z"));
    app.add_signatures("Crowd", 20, "confirmed", at("2026-11-30T08:00:00Z")).await;
    let workers: Vec<_> = (0..3).map(|_| (app.scheduler(), app.sender())).collect();

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while app.letters().len() < 60 && std::time::Instant::now() < deadline {
        let rounds = workers.iter().map(|(scheduler, sender)| async move {
            scheduler.tick().await.unwrap();
            sender.send_due().await.unwrap();
        });
        futures_util::future::join_all(rounds).await;
        app.clock.advance(Duration::seconds(1));
    }

    let letters = app.letters();
    assert_eq!(letters.len(), 60);
    let mut pairs: Vec<(String, String)> =
        letters.iter().map(|l| (l.rcpt.clone(), signer_of(&l.text()))).collect();
    pairs.sort();
    pairs.dedup();
    assert_eq!(pairs.len(), 60, "no letter twice");
}

fn signer_of(text: &str) -> String {
    let line =
        text.lines().find(|l| l.starts_with("Signed by") || l.starts_with("Unterzeichnet von")).unwrap();
    // The name comes set apart (FSI ... PDI) from the sentence around it.
    line.split(": ").nth(1).unwrap().replace(['\u{2068}', '\u{2069}'], "")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_smtp_server_that_is_down_for_a_while_gets_every_letter_exactly_once() {
    let app = app_in_individual_mode(3600).await;
    app.clock.set(at("2026-11-30T09:00:00Z"));
    app.add_signatures("Patient", 4, "confirmed", at("2026-11-30T08:00:00Z")).await;
    let (scheduler, sender) = (app.scheduler(), app.sender());
    scheduler.tick().await.unwrap();

    app.mail.stop();
    for _ in 0..20 {
        sender.send_due().await.unwrap();
        app.clock.advance(Duration::seconds(30));
    }
    let tried = app.outbox_details().await;
    assert!(tried.iter().filter(|r| r.attempts > 0).count() >= 3, "{tried:?}");
    assert!(tried.iter().all(|r| r.status == "pending"));

    app.mail.restart();
    for _ in 0..200 {
        sender.send_due().await.unwrap();
        app.clock.advance(Duration::minutes(1));
    }

    let letters = app.letters();
    assert_eq!(letters.len(), 12);
    let mut pairs: Vec<_> = letters.iter().map(|l| (l.rcpt.clone(), signer_of(&l.text()))).collect();
    pairs.sort();
    pairs.dedup();
    assert_eq!(pairs.len(), 12);
    assert!(app.outbox_details().await.iter().all(|r| r.status == "sent"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_5xx_from_the_server_marks_the_letter_failed_with_its_reply() {
    let app = app_in_individual_mode(3600).await;
    app.clock.set(at("2026-11-30T09:00:00Z"));
    app.add_signatures("Refused", 1, "confirmed", at("2026-11-30T08:00:00Z")).await;
    app.mail.reply_with(Some("554 5.7.1 Message rejected by policy"));
    let (scheduler, sender) = (app.scheduler(), app.sender());

    scheduler.tick().await.unwrap();
    sender.send_due().await.unwrap();

    let rows = app.outbox_details().await;
    assert_eq!(rows.len(), 3);
    for row in rows {
        assert_eq!(row.status, "failed");
        let reply = row.last_error.unwrap();
        assert!(reply.contains("554") && reply.contains("rejected by policy"), "{reply}");
        assert!(row.recipient.is_some(), "a letter's record is kept");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withdrawn_and_unconfirmed_signatures_never_reach_a_target_and_letters_hold_no_addresses() {
    let app = app_in_individual_mode(3600).await;
    app.clock.set(at("2026-11-30T09:00:00Z"));
    app.add_signatures("Confirmed", 2, "confirmed", at("2026-11-30T08:00:00Z")).await;
    app.add_signatures("Pending", 2, "pending", at("2026-11-30T08:00:00Z")).await;
    // One who signs, confirms, and withdraws through the real links, after their letters
    // were queued but before they went.
    let (scheduler, sender) = (app.scheduler(), app.sender());
    let mut form = crate::helpers::valid_form("leaving@example.org");
    form[0].1 = "Leaving Person".into();
    app.sign(&form).await;
    sender.send_due().await.unwrap();
    let link = app.mail.messages()[0].link(&format!("{}/confirm/", app.address));
    app.client.post(&link).send().await.unwrap();
    sender.send_due().await.unwrap();
    let withdraw = app.mail.messages()[1].link(&format!("{}/withdraw/", app.address));
    assert_eq!(scheduler.tick().await.unwrap(), 9, "three signers, three targets");
    assert_eq!(app.client.post(&withdraw).send().await.unwrap().status(), 200);

    for _ in 0..30 {
        sender.send_due().await.unwrap();
        app.clock.advance(Duration::seconds(10));
    }

    let letters = app.letters();
    assert_eq!(letters.len(), 6);
    for letter in &letters {
        let signer = signer_of(&letter.text());
        assert!(signer.starts_with("Confirmed "), "{signer}");
        let raw = String::from_utf8_lossy(&letter.raw);
        assert!(!raw.contains("@example.org"), "a supporter's address in a letter");
        assert!(!raw.contains("10115"), "a supporter's postcode in a letter");
        assert!(!raw.contains("Leaving"), "the withdrawn supporter's name in a letter");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_retention_purge_holds_up_no_letters() {
    use diesel_async::SimpleAsyncConnection;
    let app = app_in_individual_mode(3600).await;
    app.clock.set(at("2026-11-30T09:00:00Z"));
    app.add_signatures("Confirmed", 2, "confirmed", at("2026-11-30T08:00:00Z")).await;
    app.add_signatures("Forgotten", 1, "pending", at("2026-10-01T08:00:00Z")).await;
    // The purge's delete now fails, as it would on a lock timeout or a broken trigger.
    let mut conn = app.pool.get().await.unwrap();
    conn.batch_execute(
        "create function refuse_delete() returns trigger language plpgsql as \
         $$ begin raise exception 'deleting is refused for this test'; end $$; \
         create trigger refuse_delete before delete on signatures \
         for each statement execute function refuse_delete()",
    )
    .await
    .unwrap();
    let housekeeping = rallypost::housekeeping::Housekeeping::new(app.pool.clone(), app.clock.clone());

    let purge = housekeeping.tick().await;
    let queued = app.scheduler().tick().await;

    assert!(format!("{:#}", purge.unwrap_err()).contains("refused for this test"));
    assert_eq!(queued.unwrap(), 6, "the letters were queued all the same");
    app.sender().send_due().await.unwrap();
    assert_eq!(app.letters().len(), 3, "and the first one to each target went");

    // Once deleting works again, the next round of housekeeping purges.
    conn.batch_execute("drop trigger refuse_delete on signatures").await.unwrap();
    housekeeping.tick().await.unwrap();
    let by_status = app.signatures_by_status().await;
    assert_eq!(by_status, [("confirmed".to_string(), 2)], "the forgotten signature is gone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supporters_mail_goes_before_letters_when_more_is_due_than_one_batch() {
    let app = app_in_individual_mode(3600).await;
    app.clock.set(at("2026-11-30T09:00:00Z"));
    app.add_signatures("Named", 1, "confirmed", at("2026-11-30T08:00:00Z")).await;
    app.scheduler().tick().await.unwrap();
    // More confirmations than one batch of the sender, queued after the letters.
    let keys = app.keys();
    let mut conn = app.pool.get().await.unwrap();
    for i in 0..70 {
        let message = rallypost::outbox::NewMessage {
            id: rallypost::ids::new_id(),
            kind: rallypost::outbox::Kind::Confirmation,
            campaign_id: None,
            signature_id: None,
            target_id: None,
            recipient: format!("waiting{i}@example.org"),
            message: format!("Subject: confirm {i}\r\n\r\nPlease confirm.\r\n").into_bytes(),
        };
        rallypost::outbox::enqueue(&mut conn, &keys, message, app.clock.now() + Duration::seconds(1))
            .await
            .unwrap();
    }
    app.clock.advance(Duration::seconds(1));

    app.sender().send_due().await.unwrap();

    let order: Vec<bool> = app.mail.messages().iter().map(|m| m.rcpt.ends_with("@example.org")).collect();
    assert_eq!(order.len(), 73, "all the supporters' mail and one letter per target");
    assert!(order[..70].iter().all(|to_supporter| *to_supporter), "letters went first: {order:?}");
}
