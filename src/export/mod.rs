//! Exporting signatures: the filters, the one place that reads supporters' personal
//! fields (`record`), the streaming CSV writer, the xlsx writer, and the audit log of every
//! export. The web handler and the `export` command both call `run`, so their bytes are
//! equal.

mod audit;
mod filter;
mod page;
mod record;
mod run;
mod stream;
mod xlsx;

pub use audit::{ExportLogEntry, recent_exports};
pub use filter::{ExportFilter, FilterError, StatusFilter};
pub use page::{Confirmed, confirmed_after, confirmed_page};
pub use record::{HEADER, SignatureRow, SupporterRecord, guard_formula};
pub use run::{Actor, Format, records, run};
pub use stream::csv_writer;
