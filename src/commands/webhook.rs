//! `webhook add`, `webhook list` and `webhook remove`: the receivers of signed webhooks.

use std::sync::Arc;

use clap::{ArgGroup, Args, Subcommand};
use uuid::Uuid;

use crate::clock::Clock;
use crate::config::Settings;
use crate::outbox::{self, Kind, OutboxStatus};
use crate::webhooks::{self, ReceiverUrl, Whose};

#[derive(Subcommand)]
pub enum WebhookCommand {
    /// Add a receiver and print its signing secret once (only an encrypted copy is kept)
    Add(AddArgs),
    /// List the receivers, with how many webhooks each has pending, delivered and failed
    List,
    /// Remove a receiver; webhooks still waiting for it are dropped
    Remove {
        /// The id `webhook list` shows
        id: String,
    },
}

/// Whose supporters the receiver gets must be said: forgetting `--partner` must not send a
/// partner the lead organisation's supporters.
#[derive(Args)]
#[command(group(ArgGroup::new("whose").required(true).args(["partner", "lead"])))]
pub struct AddArgs {
    /// A partner's id (as in the campaign files): it gets the supporters who opted in to it
    #[arg(long, value_name = "ID")]
    partner: Option<String>,
    /// The lead organisation: it gets the supporters who asked for its news
    #[arg(long)]
    lead: bool,
    /// Where webhooks are posted: https:// to a public address; http:// and private
    /// addresses only with RALLYPOST_WEBHOOK_ALLOW_PRIVATE=1 (a relay on this machine)
    url: String,
}

pub async fn webhook(
    command: WebhookCommand,
    settings: &Settings,
    db: &crate::db::Target,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<()> {
    let pool = crate::startup::command_pool(db)?;
    let mut conn = pool.get().await?;
    match command {
        WebhookCommand::Add(args) => {
            let whose = match &args.partner {
                Some(id) => Whose::partner(id).map_err(anyhow::Error::msg)?,
                None => Whose::Lead,
            };
            let url = ReceiverUrl::parse(&args.url).map_err(anyhow::Error::msg)?;
            let keys = crate::startup::data_keys(settings)?;
            let policy = settings.webhook_addresses;
            let (receiver, secret) =
                webhooks::add(&mut conn, &keys, &whose, &url, policy, clock.now()).await?;
            println!("{}", secret.to_whsec());
            eprintln!(
                "receiver {} added for the {whose}; keep this signing secret now: it cannot be shown again",
                receiver.id
            );
        }
        WebhookCommand::List => {
            let counts = outbox::counts_by_target(&mut conn, Kind::Webhook).await?;
            let count = |id: Uuid, status: OutboxStatus| {
                let id = id.to_string();
                counts
                    .iter()
                    .filter(|(target, s, _)| target.as_deref() == Some(id.as_str()) && *s == status)
                    .map(|(_, _, n)| n)
                    .sum::<i64>()
            };
            println!("{:<36}  {:<20} {:>7} {:>9} {:>6}  url", "id", "for", "pending", "delivered", "failed");
            for r in webhooks::list(&mut conn).await? {
                let whose = r.partner_id.as_deref().map_or("lead".to_owned(), |p| format!("partner {p}"));
                println!(
                    "{:<36}  {:<20} {:>7} {:>9} {:>6}  {}",
                    r.id,
                    whose,
                    count(r.id, OutboxStatus::Pending),
                    count(r.id, OutboxStatus::Sent),
                    count(r.id, OutboxStatus::Failed),
                    r.url
                );
            }
        }
        WebhookCommand::Remove { id } => {
            let id: Uuid = id.trim().parse().map_err(|_| anyhow::anyhow!("{id:?} is not a receiver id"))?;
            anyhow::ensure!(webhooks::remove(&mut conn, id).await?, "no receiver with that id");
            eprintln!("receiver removed; webhooks still waiting for it were dropped");
        }
    }
    Ok(())
}
