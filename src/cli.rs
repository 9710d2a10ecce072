//! The command line: clap's definitions and, for each command, one call into `commands`
//! inside `with_database`.

use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use crate::clock::{Clock, SystemClock};
use crate::commands::{
    self, CampaignCommand, DispatchCommand, ExportArgs, HandoverArgs, KeysCommand, OrganizerCommand,
    WebhookCommand,
};
use crate::config::Settings;
use crate::startup::Database;

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
        command: OrganizerCommand,
    },
    /// Write a campaign's signatures as CSV (the same bytes as the web export)
    Export(ExportArgs),
    /// Make a signed handover pack for a target (PDF, CSV, manifest, signature), or verify one
    Handover(HandoverArgs),
    /// Manage the receivers of signed webhooks (partners' and the lead organisation's systems)
    Webhook {
        #[command(subcommand)]
        command: WebhookCommand,
    },
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
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("rallypost: starting the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
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

async fn execute(command: Command, settings: Arc<Settings>) -> anyhow::Result<()> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let settings = &settings;
    match command {
        Command::Serve { no_workers } => {
            let started = std::time::Instant::now();
            with_database(settings, Owner::Serve, async |db| {
                commands::serve(settings, db, clock, no_workers, started).await
            })
            .await
        }
        Command::Worker => {
            with_database(settings, Owner::Command, async |db| commands::worker(settings, db, clock).await)
                .await
        }
        Command::Dispatch { command } => {
            with_database(settings, Owner::Command, async |db| {
                commands::dispatch(command, settings, db, clock).await
            })
            .await
        }
        Command::Migrate => {
            with_database(settings, Owner::Command, async |_| {
                eprintln!("migrations applied");
                Ok(())
            })
            .await
        }
        Command::Purge => {
            with_database(settings, Owner::Command, async |db| commands::purge(db, clock).await).await
        }
        Command::Keys { command: KeysCommand::Rotate { connections } } => {
            with_database(settings, Owner::Command, async |db| {
                commands::rotate_keys(settings, db, connections).await
            })
            .await
        }
        Command::Campaign { command } => {
            with_database(settings, Owner::Command, async |db| commands::campaign(command, db, clock).await)
                .await
        }
        Command::Organizer { command } => {
            with_database(settings, Owner::Command, async |db| commands::organizer(command, db, clock).await)
                .await
        }
        Command::Webhook { command } => {
            with_database(settings, Owner::Command, async |db| {
                commands::webhook(command, settings, db, clock).await
            })
            .await
        }
        Command::Handover(args) if !args.needs_database() => {
            commands::handover(args, settings, None, clock).await
        }
        Command::Handover(args) => {
            with_database(settings, Owner::Command, async |db| {
                commands::handover(args, settings, Some(db), clock).await
            })
            .await
        }
        Command::Export(args) => {
            with_database(settings, Owner::Command, async |db| {
                commands::export(args, settings, db, clock).await
            })
            .await
        }
    }
}

/// Who stops the private PostgreSQL cluster at the end.
enum Owner {
    /// `serve` stops it after a clean shutdown, even one a crashed `serve` had started.
    Serve,
    /// Other commands stop it only if they started it, so a running `serve` keeps it.
    Command,
}

/// Opens the database (starting the private cluster when no URL is set, and applying
/// migrations), runs `body` with its URL, then closes it.
async fn with_database<T>(
    settings: &Arc<Settings>,
    owner: Owner,
    body: impl AsyncFnOnce(&crate::db::Target) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let opening = settings.clone();
    let database = tokio::task::spawn_blocking(move || Database::open(&opening)).await??;
    let result = body(&database.target).await;
    database.close(matches!(owner, Owner::Serve) && result.is_ok());
    result
}
