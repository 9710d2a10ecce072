//! What each command does, so `cli.rs` stays a list of commands. The organizers' commands
//! (`organizer add`, `remove` and `token`) and `export` are here; the others in a file each.

mod campaign;
mod dispatch;
mod handover;
mod privacy;
mod server;
mod webhook;

pub use campaign::{CampaignCommand, campaign};
pub use dispatch::{DispatchCommand, dispatch};
pub use handover::{HandoverArgs, handover};
pub use privacy::{KeysCommand, purge, rotate_keys};
pub use server::{serve, worker};
pub use webhook::{WebhookCommand, webhook};

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, Subcommand};

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Target;
use crate::export::{self, Actor, ExportFilter, Format};
use crate::organizers::{self, OrganizerEmail, Password};
use crate::progress::ProgressLine;

#[derive(Subcommand)]
pub enum OrganizerCommand {
    /// Create an organizer, or set a new password for one (asked without echo)
    Add {
        email: String,
        /// Read the password from standard input instead of the terminal
        #[arg(long)]
        password_stdin: bool,
        /// owner (everything; the default for a new account), manager (named campaigns),
        /// partner (one campaign and one partner) or viewer (counts only). Without it an
        /// existing organizer keeps their role.
        #[arg(long, value_parser = ["owner", "manager", "partner", "viewer"])]
        role: Option<String>,
        /// A campaign's slug: repeat it or give a comma list for a manager (or a viewer)
        #[arg(long = "campaign", value_name = "SLUG", value_delimiter = ',')]
        campaigns: Vec<String>,
        /// The partner id a partner organizer speaks for, as the campaign file declares it
        #[arg(long, value_name = "ID")]
        partner: Option<String>,
    },
    /// Remove an organizer; their sessions and API tokens end with them
    Remove { email: String },
    /// Print a new API token once (only its hash is stored); `token revoke EMAIL` ends them
    Token(TokenArgs),
}

/// `organizer token EMAIL [--expires DAYS]` or `organizer token revoke EMAIL`.
#[derive(Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct TokenArgs {
    #[command(subcommand)]
    command: Option<TokenCommand>,
    #[arg(required = true)]
    email: Option<String>,
    /// Days until the token stops working (1 to 3650)
    #[arg(long, value_name = "DAYS", default_value_t = organizers::DEFAULT_TOKEN_DAYS, allow_negative_numbers = true,
          value_parser = clap::value_parser!(u32).range(1..=organizers::MAX_TOKEN_DAYS as i64))]
    expires: u32,
}

#[derive(Subcommand)]
enum TokenCommand {
    /// End every API token of that organizer
    Revoke { email: String },
}

#[derive(Args)]
pub struct ExportArgs {
    slug: String,
    /// pending, confirmed (the default) or all (pending and confirmed)
    #[arg(long)]
    status: Option<String>,
    /// Signed at or after: a date (2026-11-29) or an RFC 3339 time
    #[arg(long)]
    since: Option<String>,
    /// Signed before: a date or an RFC 3339 time
    #[arg(long)]
    until: Option<String>,
    /// Two-letter country code
    #[arg(long)]
    country: Option<String>,
    /// csv (the default) or xlsx, a workbook of text cells for spreadsheets that garble
    /// UTF-8 CSV
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// Write here instead of standard output
    #[arg(long)]
    out: Option<PathBuf>,
}

pub async fn organizer(command: OrganizerCommand, db: &Target, clock: Arc<dyn Clock>) -> anyhow::Result<()> {
    let pool = crate::startup::command_pool(db)?;
    let mut conn = pool.get().await?;
    let who = organizers::Who::system_user(&system_user());
    match command {
        OrganizerCommand::Add { email, password_stdin, role, campaigns, partner } => {
            let email = OrganizerEmail::parse(&email).map_err(anyhow::Error::msg)?;
            let grant = match role {
                Some(role) => Some(grant(&mut conn, &role, &campaigns, partner.as_deref()).await?),
                None if campaigns.is_empty() && partner.is_none() => None,
                None => anyhow::bail!("--campaign and --partner go with --role"),
            };
            let password = Password::parse(read_password(password_stdin)?)?;
            let created =
                organizers::add_with_grant(&mut conn, &who, &email, password, grant.as_ref(), clock.now())
                    .await?;
            eprintln!(
                "{}",
                if created {
                    "organizer added"
                } else {
                    "password changed; their sessions and API tokens ended"
                }
            );
        }
        OrganizerCommand::Remove { email } => {
            let email = OrganizerEmail::parse(&email).map_err(anyhow::Error::msg)?;
            let removed = organizers::remove_account(&mut conn, &who, &email, clock.now()).await?;
            anyhow::ensure!(removed, "no organizer with that email");
            eprintln!("organizer removed; their sessions and API tokens ended");
        }
        OrganizerCommand::Token(TokenArgs { command: Some(TokenCommand::Revoke { email }), .. }) => {
            let organizer = existing_organizer(&mut conn, &email).await?;
            let revoked = organizers::revoke_all_tokens(&mut conn, &who, &organizer, clock.now()).await?;
            eprintln!("revoked {revoked} token{}", if revoked == 1 { "" } else { "s" });
        }
        OrganizerCommand::Token(TokenArgs { command: None, email, expires }) => {
            let organizer = existing_organizer(&mut conn, email.as_deref().unwrap_or_default()).await?;
            let now = clock.now();
            let token = organizers::new_token(&mut conn, &who, &organizer, expires, now).await?;
            println!("{token}");
            let until = now + chrono::Duration::days(expires.into());
            eprintln!(
                "keep this token now: it cannot be shown again; it works until {}",
                until.format("%Y-%m-%d %H:%M UTC")
            );
        }
    }
    Ok(())
}

/// The role and scope `organizer add` was given, checked against the campaigns.
async fn grant(
    conn: &mut diesel_async::AsyncPgConnection,
    role: &str,
    slugs: &[String],
    partner: Option<&str>,
) -> anyhow::Result<organizers::Grant> {
    let role: organizers::Role = role.parse().map_err(anyhow::Error::msg)?;
    let mut campaigns = Vec::new();
    for slug in slugs.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        let campaign = crate::campaigns::find_by_slug(conn, slug)
            .await?
            .with_context(|| format!("no campaign {slug:?}; `rallypost campaign list` shows them"))?;
        if !campaigns.iter().any(|c: &crate::campaigns::Campaign| c.id == campaign.id) {
            campaigns.push(campaign);
        }
    }
    Ok(organizers::Grant::parse(role, &campaigns, partner)?)
}

async fn existing_organizer(
    conn: &mut diesel_async::AsyncPgConnection,
    email: &str,
) -> anyhow::Result<organizers::Organizer> {
    let email = OrganizerEmail::parse(email).map_err(anyhow::Error::msg)?;
    let (organizer, _) = organizers::find_by_email(conn, &email)
        .await?
        .context("no organizer with that email; add one with `rallypost organizer add`")?;
    Ok(organizer)
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if from_stdin {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        return Ok(text.lines().next().unwrap_or("").to_owned());
    }
    if !std::io::stdin().is_terminal() {
        anyhow::bail!("no terminal to ask for the password: use --password-stdin");
    }
    let first = rpassword::prompt_password("Password: ")?;
    let again = rpassword::prompt_password("Again: ")?;
    anyhow::ensure!(first == again, "the passwords differ");
    Ok(first)
}

pub async fn export(
    args: ExportArgs,
    settings: &Settings,
    db: &Target,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<()> {
    let keys = crate::startup::data_keys(settings)?;
    let filter = ExportFilter::parse(
        args.status.as_deref(),
        args.since.as_deref(),
        args.until.as_deref(),
        args.country.as_deref(),
    )?;
    anyhow::ensure!(
        args.format == Format::Csv || args.out.is_some() || !std::io::stdout().is_terminal(),
        "an xlsx workbook is not text: write it to a file with --out FILE"
    );
    let campaign = {
        let pool = crate::startup::command_pool(db)?;
        let mut conn = pool.get().await?;
        crate::campaigns::find_by_slug(&mut conn, &args.slug)
            .await?
            .with_context(|| format!("no campaign {:?}", args.slug))?
    };
    let db = db.clone();
    let rows = tokio::task::spawn_blocking(move || -> anyhow::Result<u64> {
        let mut conn = crate::db::connect(&db)?;
        let out: Box<dyn Write + Send> = match &args.out {
            Some(path) => {
                Box::new(private_file(path).with_context(|| format!("creating {}", path.display()))?)
            }
            None => Box::new(std::io::stdout()),
        };
        let line = ProgressLine::on_stderr();
        let progress = |n: u64| line.update(format_args!("{n} rows"));
        let actor = Actor::CommandLine { user: system_user() };
        let rows = export::run(
            &mut conn,
            &keys,
            campaign.id,
            &filter,
            args.format,
            &actor,
            clock.as_ref(),
            out,
            progress,
        )?;
        line.finish(format_args!("{rows} rows exported"));
        Ok(rows)
    })
    .await??;
    tracing::debug!(rows, "export written");
    Ok(())
}

/// Creates or empties `path`, readable only by its owner (mode 0600): an export holds
/// supporters' personal data. A file that was there already is closed off too; a device
/// (`--out /dev/stdout`) is left as it is.
fn private_file(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let file = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
    if file.metadata()?.is_file() {
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(file)
}

pub(crate) fn system_user() -> String {
    let uid = nix::unistd::getuid();
    nix::unistd::User::from_uid(uid).ok().flatten().map(|u| u.name).unwrap_or_else(|| format!("uid {uid}"))
}
