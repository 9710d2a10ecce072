//! `serve` and `worker`: start the long-running parts and wait for a signal to stop.

use std::sync::Arc;
use std::time::Instant;

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Target;
use crate::startup::{self, Options};

pub async fn serve(
    settings: &Arc<Settings>,
    db: &Target,
    clock: Arc<dyn Clock>,
    no_workers: bool,
    started: Instant,
) -> anyhow::Result<()> {
    let listener = std::net::TcpListener::bind(settings.bind)
        .map_err(|e| anyhow::anyhow!("RALLYPOST_BIND {}: {e}", settings.bind))?;
    let options = Options { listener: Some(listener), workers: !no_workers };
    let running = startup::start(settings.clone(), &db.url, clock, options).await?;
    tracing::info!(elapsed_ms = started.elapsed().as_millis() as u64, "ready");
    eprintln!("rallypost is ready: open {}/", settings.base_url);
    if settings.smtp.is_none() && !no_workers {
        eprintln!("emails are written to {}", settings.data_dir.join("outbox").display());
    }
    startup::shutdown_signal().await;
    tracing::info!("shutting down");
    running.stop().await;
    Ok(())
}

pub async fn worker(settings: &Arc<Settings>, db: &Target, clock: Arc<dyn Clock>) -> anyhow::Result<()> {
    let options = Options { listener: None, workers: true };
    let running = startup::start(settings.clone(), &db.url, clock, options).await?;
    startup::shutdown_signal().await;
    running.stop().await;
    Ok(())
}
