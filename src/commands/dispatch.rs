//! `dispatch run` (or its dry run) and `dispatch preview`: letters to a campaign's targets.

use std::sync::Arc;

use clap::Subcommand;

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Target;
use crate::startup;

#[derive(Subcommand)]
pub enum DispatchCommand {
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

pub async fn dispatch(
    command: DispatchCommand,
    settings: &Settings,
    db: &Target,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<()> {
    let pool = startup::command_pool(db)?;
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
