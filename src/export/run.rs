//! One export, from start to end: log it, write it, complete the log. Blocking: call it
//! from `spawn_blocking` or a command.

use std::io::Write;

use diesel::PgConnection;
use uuid::Uuid;

use super::{ExportFilter, SupporterRecord, audit, stream, xlsx};
use crate::clock::Clock;
use crate::crypto::DataKeys;
use crate::organizers::{self, Organizer};

/// What the export is written as.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// RFC 4180, UTF-8 without a byte-order mark, formula guard on each cell.
    #[default]
    Csv,
    /// A workbook of text cells (`xlsx`); see `export::xlsx`.
    Xlsx,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// Who asked for the export, as the log records it.
pub enum Actor {
    Organizer(Organizer),
    /// The command line has no account; the log names the system user who ran it.
    CommandLine {
        user: String,
    },
}

impl Actor {
    /// Who, as the organizers' audit log names them.
    fn who(&self) -> organizers::Who {
        match self {
            Actor::Organizer(o) => organizers::Who::organizer(o),
            Actor::CommandLine { user } => organizers::Who::system_user(user),
        }
    }

    fn describe(&self) -> (Option<Uuid>, String, &'static str) {
        match self {
            Actor::Organizer(o) => (Some(o.id), o.email.clone(), "web"),
            Actor::CommandLine { user } => (None, format!("system user {user}"), "cli"),
        }
    }
}

/// Every matching record, decrypted, in the export's order, handed to `each`; logged in the
/// export log like a download, with its `purpose`, so that every copy of supporters' data
/// made this way is on the same record as the downloads. Returns the number of records.
#[allow(clippy::too_many_arguments)]
pub fn records(
    conn: &mut PgConnection,
    keys: &DataKeys,
    campaign_id: Uuid,
    filter: &ExportFilter,
    actor: &Actor,
    purpose: &str,
    clock: &dyn Clock,
    each: impl FnMut(SupporterRecord) -> anyhow::Result<()>,
) -> anyhow::Result<u64> {
    let (organizer_id, who, via) = actor.describe();
    let log = audit::start(conn, campaign_id, organizer_id, &who, via, purpose, filter, clock.now())?;
    let rows = stream::each_record(conn, keys, campaign_id, filter, each)?;
    audit::finish(conn, log, rows, clock.now())?;
    tracing::info!(campaign = %campaign_id, rows, via, purpose, "records read");
    Ok(rows)
}

#[allow(clippy::too_many_arguments)]
pub fn run(
    conn: &mut PgConnection,
    keys: &DataKeys,
    campaign_id: Uuid,
    filter: &ExportFilter,
    format: Format,
    actor: &Actor,
    clock: &dyn Clock,
    out: impl Write + Send,
    progress: impl FnMut(u64),
) -> anyhow::Result<u64> {
    let (organizer_id, who, via) = actor.describe();
    let log = audit::start(conn, campaign_id, organizer_id, &who, via, "export", filter, clock.now())?;
    let detail =
        format!("{} via {via}, {}", format.extension(), serde_json::to_string(filter).unwrap_or_default());
    let entry = organizers::AuditLine {
        who: &actor.who(),
        action: organizers::AuditAction::Export,
        subject: Some(&campaign_id.to_string()),
        detail: &detail,
    };
    organizers::audit_blocking(conn, entry, clock.now())?;
    let rows = match format {
        Format::Csv => stream::write_csv(conn, keys, campaign_id, filter, out, progress)?,
        Format::Xlsx => xlsx::write_xlsx(conn, keys, campaign_id, filter, out, progress)?,
    };
    audit::finish(conn, log, rows, clock.now())?;
    tracing::info!(campaign = %campaign_id, rows, via, format = format.extension(), "export finished");
    Ok(rows)
}
