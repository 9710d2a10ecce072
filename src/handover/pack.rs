//! Making a pack: the confirmed signatures (read through `export::records`, so the export
//! log records the pack), counted by country and by day, the named ones written to the
//! CSV and gathered for the PDF, then the manifest of both and its signature.
//!
//! Anonymous signers are counted and never named: their names do not reach the CSV, the
//! PDF's data, or anything else in the pack.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::PgConnection;
use ed25519_dalek::{Signer as _, SigningKey};
use serde::Serialize;

use super::key;
use super::manifest::{
    CSV, CampaignRef, Counts, FORMAT, FileEntry, KeyRef, MANIFEST, Manifest, SIGNATURE, TargetRef,
};
use crate::campaigns::{Campaign, Target};
use crate::clock::Clock;
use crate::crypto::DataKeys;
use crate::export::{self, Actor, ExportFilter, StatusFilter, SupporterRecord, guard_formula};

/// The CSV's columns: what the PDF lists for each named signer.
pub const CSV_HEADER: [&str; 4] = ["name", "country", "signed_on", "comment"];

/// An organisation that endorsed the call, as the pack lists it.
#[derive(Clone, Debug, Serialize)]
pub struct Endorsement {
    pub name: String,
    pub country: String,
}

/// What a pack is for.
pub struct PackRequest {
    pub campaign: Campaign,
    pub target: Target,
    /// Only signatures made before this time.
    pub until: Option<DateTime<Utc>>,
    /// New or empty; made 0700, its files 0600.
    pub dir: PathBuf,
}

/// Writes the pack into `request.dir`. Blocking (it streams rows through a synchronous
/// connection and typesets): call it from `spawn_blocking` or a command.
#[allow(clippy::too_many_arguments)]
pub fn make(
    conn: &mut PgConnection,
    keys: &DataKeys,
    signing: &SigningKey,
    endorsements: &[Endorsement],
    request: &PackRequest,
    actor: &Actor,
    clock: &dyn Clock,
) -> anyhow::Result<Manifest> {
    let dir = request.dir.as_path();
    private_dir(dir)?;
    let made_at = clock.now();
    let lang = request.target.lang;
    #[cfg(feature = "handover-pdf")]
    let texts = crate::i18n::Texts::new(lang);

    let mut csv = export::csv_writer(private_file(&dir.join(CSV))?);
    csv.write_record(CSV_HEADER)?;
    let mut tally = Tally::default();
    let filter = ExportFilter { status: StatusFilter::Confirmed, until: request.until, ..Default::default() };
    export::records(
        conn,
        keys,
        request.campaign.id,
        &filter,
        actor,
        &format!("handover to {}", request.target.id),
        clock,
        |record| tally.add(record, &mut csv),
    )?;
    csv.flush()?;
    drop(csv);

    let (_, page) = request.campaign.file.text_for(lang);
    #[cfg(feature = "handover-pdf")]
    let pdf = {
        let data = super::pdf::PdfData::new(&texts, &request.target, page, &tally, endorsements, made_at);
        let file = std::io::BufWriter::new(private_file(&dir.join(super::manifest::PDF))?);
        let file = super::pdf::write(&data, &tally.signers, made_at.date_naive(), file)?;
        file.into_inner()?.sync_all()?;
        Some(FileEntry::of(dir, super::manifest::PDF)?)
    };
    // Without the `handover-pdf` feature, a pack of the CSV alone.
    #[cfg(not(feature = "handover-pdf"))]
    let pdf: Option<FileEntry> = None;
    let files: Vec<FileEntry> = pdf.into_iter().chain([FileEntry::of(dir, CSV)?]).collect();

    let manifest = Manifest {
        format: FORMAT.to_owned(),
        campaign: CampaignRef { slug: request.campaign.slug.clone(), title: page.title.clone() },
        target: TargetRef {
            id: request.target.id.clone(),
            office: request.target.office.clone(),
            organisation: request.target.organisation.clone(),
            lang: lang.code().to_owned(),
        },
        made_at,
        until: request.until,
        counts: Counts {
            signatures: tally.named + tally.anonymous,
            named: tally.named,
            anonymous: tally.anonymous,
            by_country: tally.by_country.clone(),
            endorsements: endorsements.len() as u64,
        },
        files,
        key: KeyRef { algorithm: "Ed25519".into(), fingerprint: key::public_of(signing).fingerprint() },
    };
    let mut bytes = serde_json::to_vec_pretty(&manifest)?;
    bytes.push(b'\n');
    private_file(&dir.join(MANIFEST))?.write_all(&bytes)?;
    private_file(&dir.join(SIGNATURE))?.write_all(&signing.sign(&bytes).to_bytes())?;
    Ok(manifest)
}

/// What the rows add up to, and the named signers for the PDF.
#[derive(Default)]
pub(super) struct Tally {
    pub(super) named: u64,
    pub(super) anonymous: u64,
    pub(super) by_country: BTreeMap<String, u64>,
    pub(super) by_day: BTreeMap<NaiveDate, u64>,
    pub(super) signers: Vec<SignerLine>,
}

impl Tally {
    fn add<W: Write>(&mut self, record: SupporterRecord, csv: &mut csv::Writer<W>) -> anyhow::Result<()> {
        *self.by_country.entry(record.country.clone()).or_default() += 1;
        *self.by_day.entry(record.signed_at.date_naive()).or_default() += 1;
        if record.anonymous {
            self.anonymous += 1;
            return Ok(());
        }
        self.named += 1;
        let name = record.name.unwrap_or_default();
        let comment = record.comment.unwrap_or_default();
        let line = SignerLine::new(name, record.country, record.signed_at.date_naive(), comment);
        csv.write_record(
            [&line.name, &line.country, &line.date, &line.comment].map(|cell| guard_formula(cell)),
        )?;
        self.signers.push(line);
        Ok(())
    }
}

#[derive(Serialize)]
pub(super) struct SignerLine {
    name: String,
    /// Each text's own direction, from its first strong letter (as HTML's `dir="auto"`):
    /// a German comment in a Dari pack still reads left to right.
    name_rtl: bool,
    comment_rtl: bool,
    country: String,
    date: String,
    comment: String,
}

impl SignerLine {
    pub(super) fn new(name: String, country: String, signed_on: NaiveDate, comment: String) -> SignerLine {
        SignerLine {
            name_rtl: starts_right_to_left(&name),
            comment_rtl: starts_right_to_left(&comment),
            name,
            country,
            date: signed_on.format("%Y-%m-%d").to_string(),
            comment,
        }
    }
}

/// Whether the first letter with a direction is from a right-to-left script (Hebrew,
/// Arabic, Syriac, Thaana, N'Ko and their presentation forms).
fn starts_right_to_left(text: &str) -> bool {
    text.chars().find(|c| c.is_alphabetic()).is_some_and(
        |c| matches!(c, '\u{0590}'..='\u{08FF}' | '\u{FB1D}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}'),
    )
}

/// A new or empty directory, readable only by its owner: the pack holds personal data,
/// and mixing it with other files would leave them outside the manifest.
fn private_dir(dir: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    match std::fs::read_dir(dir) {
        Ok(mut entries) => anyhow::ensure!(
            entries.next().is_none(),
            "{} is not empty: a pack goes into a new or empty directory",
            dir.display()
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .with_context(|| format!("creating {}", dir.display()))?,
        Err(e) => return Err(e).with_context(|| format!("opening {}", dir.display())),
    }
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .with_context(|| format!("making {} private", dir.display()))
}

fn private_file(path: &Path) -> anyhow::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))
}
