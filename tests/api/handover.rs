//! Handover packs: a signed PDF, CSV and manifest for one target, made on the command line
//! or from the dashboard, checked by `handover verify` and by the published key. The PDF
//! is read back with poppler's `pdftotext`; its pages go to target/test-artifacts/handover/
//! as PNG (`pdftoppm`) for a person to look at.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
#[cfg(feature = "handover-pdf")]
use std::path::PathBuf;
use std::process::{Command, Output};

use base64::Engine;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use rallypost::db::schema::{export_log, signatures};
use rallypost::domain::Lang;

use crate::helpers::{SLUG, Seed, TempDir, TestApp, hidden_value, spawn_app};

const BIN: &str = env!("CARGO_BIN_EXE_rallypost");
const DARI_TARGET: &str = "af-embassy";

/// Named signers who consented, as the pack must list them: name, country, comment.
const NAMED: [(&str, &str, &str); 5] = [
    ("مینا احمدی", "AF", "به امید صلح"),
    ("زرغونه ځدراڼ", "AF", "موږ ټول یو"),
    ("Jürgen Weiß", "DE", "=1+1 is no formula here"),
    ("Sam 🌻 Okafor", "AT", "🙂 Stop the deportations"),
    // Looks like typst markup; must come out as the text it is.
    ("#import \"x\": * $x^2$", "DE", "#set page(width: 1cm) for all"),
];
/// Signers who asked not to be named.
const HIDDEN: [(&str, &str); 2] = [("Parwana Hidden", "AF"), ("Lena Hidden", "DE")];

fn rallypost(app: &TestApp, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RALLYPOST_DATABASE_URL", &app.db_url)
        .env("RALLYPOST_DATA_DIR", app.data_dir.path())
        .output()
        .unwrap()
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// The campaign with a Dari-speaking target besides its German and English ones, and the
/// signers above; plus a pending and a withdrawn signature that no pack may hold.
async fn campaign_with_signers(app: &TestApp) {
    app.edit_campaign(|file| {
        let mut target = file.targets[0].clone();
        target.id = DARI_TARGET.into();
        target.office = "سفارت".into();
        target.lang = Lang::FaAf;
        file.targets.push(target);
        // A target's language needs its letter; the English one stands in for this test.
        let letter = file.letters[&Lang::En].clone();
        file.letters.insert(Lang::FaAf, letter);
    })
    .await;
    for (i, (name, country, comment)) in NAMED.into_iter().enumerate() {
        let signed_at = format!("2026-11-0{}T10:00:00Z", 1 + i % 3).parse().unwrap();
        app.seed(Seed {
            name,
            email: "x@example.org",
            country,
            comment: Some(comment),
            signed_at,
            ..Default::default()
        })
        .await;
    }
    for (name, country) in HIDDEN {
        let id = app.seed(Seed { name, country, ..Default::default() }).await;
        let mut conn = app.pool.get().await.unwrap();
        diesel::update(signatures::table.find(id))
            .set(signatures::anonymous.eq(true))
            .execute(&mut conn)
            .await
            .unwrap();
    }
    app.seed(Seed { name: "Pending Person", status: "pending", ..Default::default() }).await;
    app.seed(Seed { name: "Withdrawn Person", status: "withdrawn", ..Default::default() }).await;
}

#[cfg(feature = "handover-pdf")]
fn pdf_text(pdf: &Path) -> String {
    let output =
        Command::new("pdftotext").args(["-enc", "UTF-8"]).arg(pdf).arg("-").output().expect("pdftotext");
    assert!(output.status.success(), "{}", text(&output));
    String::from_utf8(output.stdout).unwrap()
}

/// The PDF's pages as PNG, for a person to look at.
#[cfg(feature = "handover-pdf")]
fn save_pages(pdf: &Path, name: &str) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/test-artifacts/handover");
    std::fs::create_dir_all(&dir).unwrap();
    let output = Command::new("pdftoppm")
        .args(["-png", "-r", "60"])
        .arg(pdf)
        .arg(dir.join(name))
        .output()
        .expect("pdftoppm");
    assert!(output.status.success(), "{}", text(&output));
}

fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    csv::Reader::from_path(path)
        .unwrap()
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

fn flip_one_byte(path: &Path, at: usize) -> Vec<u8> {
    let original = std::fs::read(path).unwrap();
    let mut changed = original.clone();
    changed[at] ^= 0x01;
    std::fs::write(path, changed).unwrap();
    original
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pack_for_a_dari_speaking_target_names_each_consenting_signer_counts_the_others_and_verifies() {
    let app = spawn_app().await;
    campaign_with_signers(&app).await;
    let scratch = TempDir::new("rallypost-handover");
    let dir = scratch.path().join("pack");
    let dir_arg = dir.to_str().unwrap();

    let made = rallypost(&app, &["handover", SLUG, "--target", DARI_TARGET, "--out", dir_arg]);

    assert!(made.status.success(), "{}", text(&made));
    // Private: the directory 0700, each file 0600.
    assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
    for name in rallypost::handover::FILES {
        let mode = std::fs::metadata(dir.join(name)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{name}");
    }
    // The PDF: each named signer, in logical order; no one who asked not to be named.
    #[cfg(feature = "handover-pdf")]
    {
        let pdf = pdf_text(&dir.join("handover.pdf"));
        save_pages(&dir.join("handover.pdf"), "dari");
        for (name, _, comment) in NAMED {
            // poppler's pdftotext drops the Latin text before a colour emoji on the same
            // line (the page image shows "Sam 🌻 Okafor" whole): for that name, what follows.
            let name = name.strip_prefix("Sam ").unwrap_or(name);
            assert!(pdf.contains(name), "{name} missing from the PDF:\n{pdf}");
            assert!(pdf.contains(comment), "{comment} missing from the PDF:\n{pdf}");
        }
        for (name, _) in HIDDEN.iter().chain(&[("Pending Person", ""), ("Withdrawn Person", "")]) {
            assert!(!pdf.contains(name), "{name} is in the PDF");
        }
        // Countries named in Dari, in the counts and beside each signer.
        let afghanistan = rallypost::i18n::cldr::country_name(Lang::FaAf, "AF");
        assert_ne!(afghanistan, "AF");
        assert!(pdf.matches(afghanistan).count() >= 2, "{afghanistan} missing from the PDF:\n{pdf}");
        assert!(!pdf.contains("Afghanistan"), "no country named in English: {pdf}");
        // In Dari: the title of the call, and how many asked not to be named.
        assert!(pdf.contains("اخراج اجباری به افغانستان را متوقف کنید"), "{pdf}");
        let anonymous_line = pdf.lines().find(|l| l.contains("ذکر نشود")).expect("the anonymous count");
        // Counted in Dari digits (۲), as every number in a Dari page.
        assert!(anonymous_line.contains('۲'), "{anonymous_line}");
        // Countries as Dari names them (CLDR): Germany is آلمان, not "Germany (DE)".
        assert!(pdf.contains("آلمان") && !pdf.contains("Germany (DE)"), "{pdf}");
    }
    // The CSV: the same named signers, the formula guard on.
    let rows = csv_rows(&dir.join("signatures.csv"));
    let mut expected: Vec<Vec<String>> = NAMED
        .iter()
        .enumerate()
        .map(|(i, (name, country, comment))| {
            let comment = if comment.starts_with('=') { format!("'{comment}") } else { comment.to_string() };
            vec![name.to_string(), country.to_string(), format!("2026-11-0{}", 1 + i % 3), comment]
        })
        .collect();
    expected.sort();
    let mut got = rows.clone();
    got.sort();
    assert_eq!(got, expected);
    // The manifest counts them all.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["counts"]["signatures"], 7);
    assert_eq!(manifest["counts"]["named"], 5);
    assert_eq!(manifest["counts"]["anonymous"], 2);
    assert_eq!(manifest["counts"]["by_country"]["AF"], 3);
    assert_eq!(manifest["target"]["id"], DARI_TARGET);
    // The export log records the pack, with the rows it read.
    let mut conn = app.pool.get().await.unwrap();
    let logged: Vec<(String, String, Option<i64>)> = export_log::table
        .select((export_log::via, export_log::purpose, export_log::row_count))
        .load(&mut conn)
        .await
        .unwrap();
    assert_eq!(logged, vec![("cli".into(), format!("handover to {DARI_TARGET}"), Some(7))]);

    // `handover verify` passes on the pack as made...
    let verified = rallypost(&app, &["handover", "verify", dir_arg]);
    assert!(verified.status.success(), "{}", text(&verified));
    // ...names the file when one byte of it changes...
    let mut changed_files = vec![("signatures.csv", 40)];
    if cfg!(feature = "handover-pdf") {
        changed_files.push(("handover.pdf", 2000));
    }
    for (name, at) in changed_files {
        let original = flip_one_byte(&dir.join(name), at);
        let refused = rallypost(&app, &["handover", "verify", dir_arg]);
        assert!(!refused.status.success(), "{name}");
        let out = String::from_utf8_lossy(&refused.stdout).to_string();
        let mismatches: Vec<&str> = out.lines().filter(|l| l.starts_with("MISMATCH")).collect();
        assert_eq!(mismatches.len(), 1, "{out}");
        assert!(mismatches[0].contains(name), "{out}");
        std::fs::write(dir.join(name), original).unwrap();
    }
    // ...and names the signature when the manifest changes.
    let manifest_path = dir.join("manifest.json");
    let original = std::fs::read_to_string(&manifest_path).unwrap();
    std::fs::write(&manifest_path, original.replace("\"anonymous\": 2", "\"anonymous\": 0")).unwrap();
    let refused = rallypost(&app, &["handover", "verify", dir_arg]);
    assert!(!refused.status.success());
    let out = String::from_utf8_lossy(&refused.stdout).to_string();
    let mismatches: Vec<&str> = out.lines().filter(|l| l.starts_with("MISMATCH")).collect();
    assert_eq!(mismatches.len(), 1, "{out}");
    assert!(mismatches[0].contains("manifest.sig"), "{out}");
    std::fs::write(&manifest_path, &original).unwrap();

    // The published key verifies the signature, by itself and through `verify --key`.
    let key: serde_json::Value = app.get(&format!("/c/{SLUG}/handover-key")).await.json().await.unwrap();
    assert_eq!(key["fingerprint"], manifest["key"]["fingerprint"]);
    let raw: [u8; 32] = base64::engine::general_purpose::STANDARD
        .decode(key["public_key"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let public = ed25519_dalek::VerifyingKey::from_bytes(&raw).unwrap();
    let signature: [u8; 64] = std::fs::read(dir.join("manifest.sig")).unwrap().try_into().unwrap();
    public.verify_strict(original.as_bytes(), &ed25519_dalek::Signature::from_bytes(&signature)).unwrap();
    let key_file = scratch.path().join("key.pem");
    std::fs::write(&key_file, key["public_key_pem"].as_str().unwrap()).unwrap();
    let offline = rallypost(&app, &["handover", "verify", dir_arg, "--key", key_file.to_str().unwrap()]);
    assert!(offline.status.success(), "{}", text(&offline));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organizer_makes_a_pack_from_the_dashboard_and_gets_it_as_a_zip_that_verifies() {
    let app = spawn_app().await;
    campaign_with_signers(&app).await;
    app.login_as_organizer().await;
    let (_, page) = app.get_text(&format!("/admin/c/{SLUG}")).await;
    let csrf = hidden_value(&page, "csrf_token").unwrap();
    assert!(page.contains(&format!("action=\"/admin/c/{SLUG}/handover\"")), "no handover button");
    let csrf = csrf.as_str();
    let app = &app;
    let post = |fields: Vec<(&str, &str)>| {
        let fields: Vec<(String, String)> = fields.into_iter().map(|(k, v)| (k.into(), v.into())).collect();
        async move { app.post_form(&format!("/admin/c/{SLUG}/handover"), &fields).await }
    };

    // A stale form and an unknown target are refused with a 4xx, and make nothing.
    assert_eq!(post(vec![("csrf_token", "stale"), ("target", "de-bmi")]).await.status(), 403);
    assert_eq!(post(vec![("csrf_token", csrf), ("target", "nobody")]).await.status(), 400);
    assert_eq!(post(vec![("csrf_token", csrf), ("target", "de-bmi"), ("until", "soon")]).await.status(), 400);
    let response = post(vec![("csrf_token", csrf), ("target", "de-bmi")]).await;

    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/zip");
    let zip = response.bytes().await.unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.to_vec())).unwrap();
    let scratch = TempDir::new("rallypost-handover-zip");
    let dir = scratch.path().join("pack");
    std::fs::create_dir(&dir).unwrap();
    for name in rallypost::handover::FILES {
        let mut file = archive.by_name(name).unwrap();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut file, &mut bytes).unwrap();
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    assert_eq!(archive.len(), rallypost::handover::FILES.len());
    #[cfg(feature = "handover-pdf")]
    {
        let pdf = pdf_text(&dir.join("handover.pdf"));
        save_pages(&dir.join("handover.pdf"), "german");
        // In German, for the German ministry.
        assert!(pdf.contains("Abschiebungen nach Afghanistan stoppen"), "{pdf}");
        assert!(pdf.contains("Jürgen Weiß") && !pdf.contains("Lena Hidden"), "{pdf}");
        // Countries as German names them, in the counts and beside each signer.
        assert!(pdf.contains("Österreich (AT)") && pdf.contains("Österreich ·"), "{pdf}");
    }
    let csv = std::fs::read_to_string(dir.join("signatures.csv")).unwrap();
    assert!(csv.contains("Jürgen Weiß") && !csv.contains("Lena Hidden"), "{csv}");
    let verified = rallypost(app, &["handover", "verify", dir.to_str().unwrap()]);
    assert!(verified.status.success(), "{}", text(&verified));
    let mut conn = app.pool.get().await.unwrap();
    let logged: Vec<(String, String)> =
        export_log::table.select((export_log::via, export_log::purpose)).load(&mut conn).await.unwrap();
    assert_eq!(logged, vec![("web".into(), "handover to de-bmi".into())]);
    let (_, dashboard) = app.get_text(&format!("/admin/c/{SLUG}")).await;
    assert!(dashboard.contains("<td>handover to de-bmi</td>"), "the export log says why: {dashboard}");
}

#[tokio::test]
async fn the_handover_key_is_public_stable_and_unknown_campaigns_have_none() {
    let app = spawn_app().await;
    let stranger = app.bare_client();

    let first: serde_json::Value =
        stranger.get(app.url(&format!("/c/{SLUG}/handover-key"))).send().await.unwrap().json().await.unwrap();
    let again: serde_json::Value =
        stranger.get(app.url(&format!("/c/{SLUG}/handover-key"))).send().await.unwrap().json().await.unwrap();

    assert_eq!(first, again);
    assert_eq!(first["algorithm"], "Ed25519");
    let parsed = rallypost::handover::PublicKey::parse(first["public_key_pem"].as_str().unwrap()).unwrap();
    assert_eq!(parsed.fingerprint(), first["fingerprint"]);
    let missing = stranger.get(app.url("/c/no-such-campaign/handover-key")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
}
