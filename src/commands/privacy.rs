//! `purge` and `keys rotate`: the retention rules and the keys over supporters' data.

use std::sync::Arc;

use clap::Subcommand;

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Target;
use crate::progress::ProgressLine;
use crate::startup;

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Re-encrypt every row under RALLYPOST_DATA_KEY; old keys go in RALLYPOST_DATA_KEYS_OLD
    Rotate {
        /// Database connections writing at once (each walks its own share of the rows)
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=32))]
        connections: u16,
    },
}

pub async fn purge(db: &Target, clock: Arc<dyn Clock>) -> anyhow::Result<()> {
    let pool = startup::command_pool(db)?;
    let mut conn = pool.get().await?;
    let purged = crate::signatures::purge_unconfirmed(&mut conn, clock.now()).await?;
    println!("deleted {purged} signatures left unconfirmed for 30 days");
    let campaigns = crate::campaigns::list(&mut conn).await?;
    let erased = crate::letters::erase_after_closing(&mut conn, &campaigns, clock.now()).await?;
    println!("erased the copies of {erased} letters whose campaign closed more than 90 days ago");
    Ok(())
}

pub async fn rotate_keys(settings: &Settings, db: &Target, connections: u16) -> anyhow::Result<()> {
    let keys = startup::data_keys(settings)?;
    let lanes = usize::from(connections);
    let pool = crate::db::pool(&db.url, lanes, db.pooler)?;
    let line = ProgressLine::on_stderr();
    let batches = crate::signatures::Batches { rows: 1000, lanes };
    let (signatures, messages) = crate::signatures::rotate_keys(&pool, &keys, batches, |s, m| {
        line.update(format_args!("re-encrypted {s} signatures, {m} messages"))
    })
    .await?;
    line.clear();
    let mut conn = pool.get().await?;
    let receivers = crate::webhooks::rotate_secrets(&mut conn, &keys).await?;
    let handover_keys = crate::handover::rotate_keys(&mut conn, &keys).await?;
    println!(
        "re-encrypted {signatures} signatures, {messages} messages, {receivers} webhook secrets and {handover_keys} handover keys under key {}",
        keys.current_id()
    );
    Ok(())
}
