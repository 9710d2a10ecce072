//! The command line: each command is a thin call into the library.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use crate::clock::{Clock, SystemClock};
use crate::config::Settings;
use crate::startup::{self, Database, Options};

#[derive(Parser)]
#[command(
    name = "rallypost",
    version,
    about = "Advocacy campaigns: sign, confirm, count, write to the targets"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Web server, plus the mail sender unless --no-workers
    Serve {
        #[arg(long)]
        no_workers: bool,
    },
    /// Mail sender and letter scheduler only (run several, on several hosts)
    Worker,
    /// Letters to the campaign's targets
    Dispatch {
        #[command(subcommand)]
        command: DispatchCommand,
    },
    /// Apply database migrations (serve and worker also do this)
    Migrate,
    /// Apply the retention rules now: delete signatures unconfirmed after 30 days
    Purge,
    /// Manage the keys that protect supporters' personal data
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Manage campaigns
    Campaign {
        #[command(subcommand)]
        command: CampaignCommand,
    },
    /// Manage organizer accounts and API tokens
    Organizer {
        #[command(subcommand)]
        command: crate::commands::OrganizerCommand,
    },
    /// Write a campaign's signatures as CSV (the same bytes as the web export)
    Export(crate::commands::ExportArgs),
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Re-encrypt every row under RALLYPOST_DATA_KEY; old keys go in RALLYPOST_DATA_KEYS_OLD
    Rotate,
}

#[derive(Subcommand)]
enum DispatchCommand {
    /// Queue the letters due now, and send them
    Run {
        slug: String,
        /// Print what would be queued and sent; change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Print one rendered letter
    Preview {
        slug: String,
        #[arg(long)]
        target: String,
    },
}

#[derive(Subcommand)]
enum CampaignCommand {
    /// Create or update campaigns from TOML files
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List campaigns with their confirmed counts
    List,
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load() {
        Ok(settings) => Arc::new(settings),
        Err(e) => {
            eprintln!("rallypost: {e}");
            return ExitCode::from(2);
        }
    };
    init_tracing(&settings);
    let runtime = tokio::runtime::Runtime::new().expect("starting the async runtime");
    match runtime.block_on(execute(cli.command, settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rallypost: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(settings: &Settings) {
    let filter = tracing_subscriber::EnvFilter::new(&settings.log);
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    // Colours are for a person at a terminal (the builder already honours NO_COLOR); a log
    // file, a pipe or the journal gets plain text, not escape sequences.
    let builder =
        if std::io::IsTerminal::is_terminal(&std::io::stderr()) { builder } else { builder.with_ansi(false) };
    if settings.log_json {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn open_database(settings: &Arc<Settings>) -> anyhow::Result<Database> {
    let settings = settings.clone();
    tokio::task::spawn_blocking(move || Database::open(&settings)).await?
}

async fn execute(command: Command, settings: Arc<Settings>) -> anyhow::Result<()> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    match command {
        Command::Serve { no_workers } => {
            let started = std::time::Instant::now();
            let database = open_database(&settings).await?;
            let listener = std::net::TcpListener::bind(settings.bind)
                .map_err(|e| anyhow::anyhow!("RALLYPOST_BIND {}: {e}", settings.bind))?;
            let running = startup::start(
                settings.clone(),
                &database.url,
                clock,
                Options { listener: Some(listener), workers: !no_workers },
            )
            .await;
            let running = match running {
                Ok(running) => running,
                Err(e) => {
                    database.close(false);
                    return Err(e);
                }
            };
            tracing::info!(elapsed_ms = started.elapsed().as_millis() as u64, "ready");
            eprintln!("rallypost is ready: open {}/", settings.base_url);
            if settings.smtp.is_none() && !no_workers {
                eprintln!("emails are written to {}", settings.data_dir.join("outbox").display());
            }
            startup::shutdown_signal().await;
            tracing::info!("shutting down");
            running.stop().await;
            database.close(true);
            Ok(())
        }
        Command::Worker => {
            let database = open_database(&settings).await?;
            let running = startup::start(
                settings.clone(),
                &database.url,
                clock,
                Options { listener: None, workers: true },
            )
            .await?;
            startup::shutdown_signal().await;
            running.stop().await;
            database.close(false);
            Ok(())
        }
        Command::Dispatch { command } => {
            let database = open_database(&settings).await?;
            let result = dispatch_command(command, &settings, &database.url, clock).await;
            database.close(false);
            result
        }
        Command::Purge => {
            let database = open_database(&settings).await?;
            let result = async {
                let pool = startup::command_pool(&database.url)?;
                let mut conn = pool.get().await?;
                let purged = crate::signatures::purge_unconfirmed(&mut conn, clock.now()).await?;
                println!("deleted {purged} signatures left unconfirmed for 30 days");
                anyhow::Ok(())
            }
            .await;
            database.close(false);
            result
        }
        Command::Keys { command: KeysCommand::Rotate } => {
            let database = open_database(&settings).await?;
            let result = rotate_keys(&settings, &database.url).await;
            database.close(false);
            result
        }
        Command::Migrate => {
            let database = open_database(&settings).await?;
            eprintln!("migrations applied");
            database.close(false);
            Ok(())
        }
        Command::Organizer { command } => {
            let database = open_database(&settings).await?;
            let result = crate::commands::organizer(command, &database.url, clock).await;
            database.close(false);
            result
        }
        Command::Export(args) => {
            let database = open_database(&settings).await?;
            let result = crate::commands::export(args, &settings, &database.url, clock).await;
            database.close(false);
            result
        }
        Command::Campaign { command } => {
            let database = open_database(&settings).await?;
            let result = campaign_command(command, &database.url, clock).await;
            database.close(false);
            result
        }
    }
}

async fn campaign_command(command: CampaignCommand, url: &str, clock: Arc<dyn Clock>) -> anyhow::Result<()> {
    let pool = startup::command_pool(url)?;
    let mut conn = pool.get().await?;
    match command {
        CampaignCommand::Import { files } => {
            for file in files {
                let campaign = crate::campaigns::import_file(&mut conn, &file, clock.now()).await?;
                println!("imported {}", campaign.slug);
            }
        }
        CampaignCommand::List => {
            println!("{:<32} {:<7} {:>10} {:>10}  title", "slug", "status", "confirmed", "goal");
            for c in crate::campaigns::list(&mut conn).await? {
                let count = crate::signatures::confirmed_count(&mut conn, c.id).await?;
                let status = if c.is_open { "open" } else { "closed" };
                let title = &c.file.text(c.file.default_lang()).title;
                println!("{:<32} {:<7} {:>10} {:>10}  {}", c.slug, status, count, c.goal, title);
            }
        }
    }
    Ok(())
}

async fn dispatch_command(
    command: DispatchCommand,
    settings: &Settings,
    url: &str,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<()> {
    let pool = startup::command_pool(url)?;
    let keys = Arc::new(startup::data_keys(settings)?);
    let scheduler = startup::scheduler(settings, pool.clone(), clock.clone(), keys.clone());
    let slug = match &command {
        DispatchCommand::Run { slug, .. } | DispatchCommand::Preview { slug, .. } => slug,
    };
    let campaign = {
        let mut conn = pool.get().await?;
        crate::campaigns::find_by_slug(&mut conn, slug)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no campaign {slug:?}"))?
    };
    match command {
        DispatchCommand::Preview { target, .. } => {
            let target = campaign.file.targets.iter().find(|t| t.id == target).ok_or_else(|| {
                let ids: Vec<_> = campaign.file.targets.iter().map(|t| t.id.as_str()).collect();
                anyhow::anyhow!("no target {target:?}; the campaign has {}", ids.join(", "))
            })?;
            println!("{}", scheduler.preview(&campaign, target).await?);
        }
        DispatchCommand::Run { dry_run: true, .. } => {
            let plan = scheduler.plan(&campaign).await?;
            println!(
                "campaign {} ({:?} mode); sending window open now: {}",
                campaign.slug, plan.mode, plan.in_window
            );
            if let Some(end) = plan.period_end {
                println!("digest period ending {end}");
            }
            for t in plan.targets {
                println!(
                    "{:<12} {:<40} would queue {:>6}, already waiting {:>6}",
                    t.target_id, t.email, t.new, t.waiting
                );
            }
            println!("dry run: nothing was queued or sent");
        }
        DispatchCommand::Run { dry_run: false, .. } => {
            let queued = scheduler.queue(&campaign).await?;
            let sender = startup::sender(settings, pool, clock, Default::default(), keys)?;
            let handled = sender.send_due().await?;
            println!("queued {queued} letters; handed {handled} messages to the mail server");
        }
    }
    Ok(())
}

async fn rotate_keys(settings: &Settings, url: &str) -> anyhow::Result<()> {
    let keys = startup::data_keys(settings)?;
    let pool = startup::command_pool(url)?;
    let mut conn = pool.get().await?;
    let line = crate::progress::ProgressLine::on_stderr();
    let (signatures, messages) = crate::signatures::rotate_keys(&mut conn, &keys, 1000, |s, m| {
        line.update(format_args!("re-encrypted {s} signatures, {m} messages"))
    })
    .await?;
    line.clear();
    println!("re-encrypted {signatures} signatures and {messages} messages under key {}", keys.current_id());
    Ok(())
}
