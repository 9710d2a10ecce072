//! One export, from start to end: log it, write it, complete the log. Blocking: call it
//! from `spawn_blocking` or a command.

use std::io::Write;

use diesel::PgConnection;
use uuid::Uuid;

use super::{ExportFilter, audit, stream};
use crate::clock::Clock;
use crate::crypto::DataKeys;
use crate::organizers::Organizer;

/// Who asked for the export, as the log records it.
pub enum Actor {
    Organizer(Organizer),
    /// The command line has no account; the log names the system user who ran it.
    CommandLine {
        user: String,
    },
}

impl Actor {
    fn describe(&self) -> (Option<Uuid>, String, &'static str) {
        match self {
            Actor::Organizer(o) => (Some(o.id), o.email.clone(), "web"),
            Actor::CommandLine { user } => (None, format!("system user {user}"), "cli"),
        }
    }
}

#[allow(clippy::too_many_arguments)]
pub fn run(
    conn: &mut PgConnection,
    keys: &DataKeys,
    campaign_id: Uuid,
    filter: &ExportFilter,
    actor: &Actor,
    clock: &dyn Clock,
    out: impl Write,
    progress: impl FnMut(u64),
) -> anyhow::Result<u64> {
    let (organizer_id, who, via) = actor.describe();
    let log = audit::start(conn, campaign_id, organizer_id, &who, via, filter, clock.now())?;
    let rows = stream::write_csv(conn, keys, campaign_id, filter, out, progress)?;
    audit::finish(conn, log, rows, clock.now())?;
    tracing::info!(campaign = %campaign_id, rows, via, "export finished");
    Ok(rows)
}
