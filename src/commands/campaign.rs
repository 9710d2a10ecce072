//! `campaign import` and `campaign list`.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Subcommand;

use crate::clock::Clock;
use crate::db::Target;

#[derive(Subcommand)]
pub enum CampaignCommand {
    /// Create or update campaigns from TOML files
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List campaigns with their confirmed counts
    List,
}

pub async fn campaign(command: CampaignCommand, db: &Target, clock: Arc<dyn Clock>) -> anyhow::Result<()> {
    let pool = crate::startup::command_pool(db)?;
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
                let count = crate::reports::status_totals(&mut conn, c.id, clock.now()).await?.confirmed;
                let status = c.file.status.as_str();
                let title = &c.file.text(c.file.default_lang()).title;
                println!("{:<32} {:<7} {:>10} {:>10}  {}", c.slug, status, count, c.goal, title);
            }
        }
    }
    Ok(())
}
