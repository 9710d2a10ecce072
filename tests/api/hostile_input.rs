//! Malformed and hostile input: every case gets a 4xx or is stored exactly as typed; none
//! gets a 5xx; HTML never comes back unescaped. Text-direction controls, which can make a
//! name or comment read differently in the CSV and the letters, are refused.

use crate::helpers::{SLUG, TestApp, encode, spawn_app, valid_form};

const FIELDS: [&str; 10] = [
    "name",
    "email",
    "country",
    "postcode",
    "comment",
    "consent",
    "updates",
    "lang",
    "website",
    "csrf_token",
];

/// Must the free-text fields (name, comment, postcode) refuse it?
#[derive(Clone, Copy, PartialEq, Eq)]
enum InText {
    RefusedOrStoredAsTyped,
    Refused,
}

fn payloads() -> Vec<(&'static str, String, InText)> {
    use InText::*;
    vec![
        ("NUL byte", "Mina\0Ahmadi".into(), RefusedOrStoredAsTyped),
        ("CR/LF header injection", "Mina\r\nBcc: victim@example.org".into(), RefusedOrStoredAsTyped),
        ("10,000 characters", "x".repeat(10_000), RefusedOrStoredAsTyped),
        ("HTML", "<script>alert('x')</script><b>bold</b>".into(), RefusedOrStoredAsTyped),
        ("SQL", "Robert'); DROP TABLE signatures;--".into(), RefusedOrStoredAsTyped),
        ("emoji", "Zoë 👩🏽‍⚕️ 🇦🇫".into(), RefusedOrStoredAsTyped),
        ("right-to-left", "مینا احمدی".into(), RefusedOrStoredAsTyped),
        // What Dari keyboards type: a zero-width non-joiner and a right-to-left mark.
        ("right-to-left marks", "می\u{200C}خواهم\u{200F}".into(), RefusedOrStoredAsTyped),
        ("bidi override", "abc\u{202E}txt.exe".into(), Refused),
        ("bidi embedding", "abc\u{202B}def\u{202C}".into(), Refused),
        ("bidi isolate", "abc\u{2067}fed\u{2069}".into(), Refused),
    ]
}

async fn post(app: &TestApp, fields: &[(String, String)], token: &str) -> reqwest::Response {
    let mut body: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect();
    if !fields.iter().any(|(k, _)| k == "csrf_token") {
        body.push(format!("csrf_token={}", encode(token)));
    }
    app.post_raw(&format!("/c/{SLUG}/sign"), "application/x-www-form-urlencoded", body.join("&").into_bytes())
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_values_in_every_field_get_a_4xx_or_are_stored_faithfully_and_bidi_controls_are_refused() {
    let app = spawn_app().await;
    let token = app.csrf_token().await;
    let mut case = 0;
    for field in FIELDS {
        for (label, payload, in_text) in payloads() {
            case += 1;
            let email = format!("case{case}@example.org");
            let mut fields: Vec<(String, String)> =
                valid_form(&email).into_iter().filter(|(k, _)| k != field).collect();
            fields.push((field.to_owned(), payload.clone()));

            let response = post(&app, &fields, &token).await;
            let status = response.status().as_u16();
            let page = response.text().await.unwrap();

            assert!((300..500).contains(&status), "{field} with {label}: {status}");
            assert!(!page.contains("<script>alert"), "{field} with {label}: HTML echoed unescaped");
            let text_field = matches!(field, "name" | "comment" | "postcode");
            if in_text == InText::Refused && text_field {
                assert_eq!(status, 422, "{field} with {label} must be refused");
                assert!(
                    page.contains("change the direction of text"),
                    "{field} with {label}: no clear message"
                );
            }
            if status == 303 && text_field {
                let stored = stored_value(&app, &email, field).await;
                // Comments keep their line breaks as \n; everything else is kept as typed.
                let expected = payload.trim().replace("\r\n", "\n");
                assert_eq!(
                    stored.as_deref(),
                    Some(expected.as_str()),
                    "{field} with {label} not stored as typed"
                );
            }
        }
    }
}

async fn stored_value(app: &TestApp, email: &str, field: &str) -> Option<String> {
    let stored = app.stored_signature(email).await;
    match field {
        "name" => stored.name,
        "comment" => stored.comment,
        "postcode" => stored.postcode,
        _ => unreachable!(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bytes_that_are_not_utf8_are_400_not_500() {
    let app = spawn_app().await;
    let token = app.csrf_token().await;
    for body in [
        format!("name=%FF%FE&email=a%40example.org&country=DE&consent=on&csrf_token={token}").into_bytes(),
        [b"name=\xff\xfe&csrf_token=".as_slice(), token.as_bytes()].concat(),
        b"%%%&&&===".to_vec(),
        b"name=%E2%82&email=%".to_vec(),
    ] {
        let response =
            app.post_raw(&format!("/c/{SLUG}/sign"), "application/x-www-form-urlencoded", body).await;
        let status = response.status().as_u16();
        assert!((400..500).contains(&status), "{status}");
    }
    assert!(app.signatures_by_status().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_megabyte_body_is_413() {
    let app = spawn_app().await;
    let body = format!("name={}", "a".repeat(1024 * 1024)).into_bytes();
    let response = app.post_raw(&format!("/c/{SLUG}/sign"), "application/x-www-form-urlencoded", body).await;
    assert_eq!(response.status(), 413);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_full_of_html_is_escaped_in_the_email_and_on_pages() {
    let app = spawn_app().await;
    let mut fields = valid_form("mina@example.org");
    fields.retain(|(k, _)| k != "name");
    fields.push(("name".into(), "<img src=x onerror=alert(1)>".into()));
    assert_eq!(app.sign(&fields).await.status(), 303);

    let mail = &app.mail.wait_for(1).await[0];
    assert!(!mail.html().contains("<img src=x"));
    assert!(mail.html().contains("&#60;img src=x") || mail.html().contains("&lt;img src=x"));

    for path in ["/", &format!("/c/{SLUG}"), &format!("/c/{SLUG}/thanks")] {
        let (status, page) = app.get_text(path).await;
        assert_eq!(status, 200);
        assert!(!page.contains("<img src=x"), "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn odd_paths_and_tokens_never_give_a_5xx() {
    let app = spawn_app().await;
    for path in [
        "/confirm/%00",
        "/confirm/%FF%FE",
        "/withdraw/..%2F..%2Fetc%2Fpasswd",
        "/c/%3Cscript%3E",
        "/c/x%00y/count.json",
        &format!("/confirm/{}", "a".repeat(5000)),
    ] {
        for method in [reqwest::Method::GET, reqwest::Method::POST] {
            let response = app.client.request(method.clone(), app.url(path)).send().await.unwrap();
            let status = response.status().as_u16();
            assert!((200..500).contains(&status), "{method} {path}: {status}");
            let page = response.text().await.unwrap();
            assert!(!page.contains("<script>"), "{method} {path}");
        }
    }
}
