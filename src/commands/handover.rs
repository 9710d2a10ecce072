//! `handover SLUG --target ID --out DIR [--until T]` makes a pack; `handover verify DIR`
//! checks one.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, Subcommand};

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Target;
use crate::export::{Actor, ExportFilter};
use crate::handover::{self, PackRequest, PublicKey};

/// `handover SLUG --target ID --out DIR [--until T]` or `handover verify DIR`.
#[derive(Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct HandoverArgs {
    #[command(subcommand)]
    command: Option<HandoverCommand>,
    /// The campaign's slug
    #[arg(required = true)]
    slug: Option<String>,
    /// The target's id, as in the campaign file: the pack is in its language
    #[arg(long, value_name = "ID", required = true)]
    target: Option<String>,
    /// A new or empty directory for the pack (made 0700, its files 0600)
    #[arg(long, value_name = "DIR", required = true)]
    out: Option<PathBuf>,
    /// Only signatures made before this: a date (2026-11-29) or an RFC 3339 time
    #[arg(long, value_name = "T")]
    until: Option<String>,
}

#[derive(Subcommand)]
enum HandoverCommand {
    /// Check a pack: the signature over manifest.json and every file's SHA-256
    Verify {
        dir: PathBuf,
        /// The campaign's public key (PEM, the key endpoint's JSON, or base64) instead of
        /// the one in the database
        #[arg(long, value_name = "FILE")]
        key: Option<PathBuf>,
    },
}

impl HandoverArgs {
    /// `verify --key FILE` checks a pack without the database.
    pub fn needs_database(&self) -> bool {
        !matches!(&self.command, Some(HandoverCommand::Verify { key: Some(_), .. }))
    }
}

pub async fn handover(
    args: HandoverArgs,
    settings: &Settings,
    db: Option<&Target>,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<()> {
    match args.command {
        Some(HandoverCommand::Verify { dir, key }) => verify(&dir, key, db).await,
        None => {
            let db = db.context("making a pack needs the database")?;
            let (slug, target, out) = (
                args.slug.unwrap_or_default(),
                args.target.unwrap_or_default(),
                args.out.unwrap_or_default(),
            );
            let until = ExportFilter::parse(None, None, args.until.as_deref(), None)?.until;
            let keys = Arc::new(crate::startup::data_keys(settings)?);
            let pool = crate::startup::command_pool(db)?;
            let mut conn = pool.get().await?;
            let campaign = crate::campaigns::find_by_slug(&mut conn, &slug)
                .await?
                .with_context(|| format!("no campaign {slug:?}"))?;
            let target = handover::target(&campaign, &target)?;
            let request = PackRequest { campaign, target, until, dir: out.clone() };
            let actor = Actor::CommandLine { user: super::system_user() };
            let manifest = handover::make(&mut conn, db, keys, request, actor, clock).await?;
            let counts = &manifest.counts;
            eprintln!(
                "pack written to {}: {} signatures, {} named, {} asked not to be named; signed with key {}",
                out.display(),
                counts.signatures,
                counts.named,
                counts.anonymous,
                manifest.key.fingerprint
            );
            Ok(())
        }
    }
}

async fn verify(dir: &std::path::Path, key: Option<PathBuf>, db: Option<&Target>) -> anyhow::Result<()> {
    let key = match key {
        Some(file) => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading the key {}", file.display()))?;
            PublicKey::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?
        }
        None => {
            let db = db.context("no key: give --key FILE, or run where the database is")?;
            let (_, manifest) = handover::read_manifest(dir).map_err(anyhow::Error::msg)?;
            let pool = crate::startup::command_pool(db)?;
            let mut conn = pool.get().await?;
            let slug = &manifest.campaign.slug;
            let campaign = crate::campaigns::find_by_slug(&mut conn, slug).await?.with_context(|| {
                format!("the pack names campaign {slug:?}, which this database does not have")
            })?;
            handover::stored_public_key(&mut conn, campaign.id)
                .await?
                .with_context(|| format!("campaign {slug:?} has no handover key: it never made a pack"))?
        }
    };
    let findings = handover::verify(dir, &key);
    for line in &findings.passed {
        println!("ok        {line}");
    }
    for line in &findings.problems {
        println!("MISMATCH  {line}");
    }
    anyhow::ensure!(
        findings.problems.is_empty(),
        "the pack in {} does not verify: {} problem{}",
        dir.display(),
        findings.problems.len(),
        if findings.problems.len() == 1 { "" } else { "s" }
    );
    eprintln!("the pack in {} verifies: every file matches its signed manifest", dir.display());
    Ok(())
}
