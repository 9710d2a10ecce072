//! `GET /admin/c/{slug}/signatures.csv` and `.xlsx`: the export, streamed. The rows are
//! written on a blocking thread and reach the client through a small channel, so memory
//! stays flat; a CSV's first bytes leave at once, a workbook's once every row is read
//! (see `export::xlsx`).
//!
//! Why a connection of its own, outside the pool: the rows stream from one long query
//! through Diesel's synchronous row-by-row cursor (`load_iter`), which the pool's async
//! connections do not offer, and a million rows take many seconds; borrowing a pooled
//! connection that long would starve the requests the pool is sized for. To keep this
//! bounded, an export first takes one of a few slots (`ExportSlots`); when all are taken the
//! download is refused at once with `503` and `Retry-After` instead of opening yet another
//! connection.

use std::io::Write;

use std::sync::Arc;

use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};

use crate::campaigns;
use crate::export::{self, Actor, ExportFilter, FilterError, Format};
use crate::organizers::{Access, Session};
use crate::web::AppState;
use crate::web::errors::{Answered, Plain, WebError};

/// How many web exports may run at once in this process; see the module comment.
#[derive(Clone)]
pub struct ExportSlots(Arc<Semaphore>);

impl ExportSlots {
    pub fn new(slots: usize) -> ExportSlots {
        ExportSlots(Arc::new(Semaphore::new(slots)))
    }

    /// A slot if one is free; it is given back when the permit is dropped.
    pub fn try_take(&self) -> Option<OwnedSemaphorePermit> {
        self.0.clone().try_acquire_owned().ok()
    }
}

/// Seconds a refused download is told to wait.
const RETRY_AFTER_SECS: u32 = 30;

impl From<FilterError> for WebError {
    fn from(e: FilterError) -> Self {
        WebError::BadRequest(format!("Check the filters: {e}."))
    }
}

/// Parses `status`, `since`, `until` and `country` from a query string.
pub fn filter_from_query(query: &str) -> Result<ExportFilter, FilterError> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    ExportFilter::parse(get("status"), get("since"), get("until"), get("country"))
}

#[tracing::instrument(skip_all, fields(slug = %slug))]
pub async fn signatures_csv(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: web::ReqData<Session>,
    access: web::ReqData<Access>,
    slug: web::Path<String>,
) -> Result<HttpResponse, Answered<Plain>> {
    download(req, state, session, access, slug, Format::Csv).await
}

#[tracing::instrument(skip_all, fields(slug = %slug))]
pub async fn signatures_xlsx(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: web::ReqData<Session>,
    access: web::ReqData<Access>,
    slug: web::Path<String>,
) -> Result<HttpResponse, Answered<Plain>> {
    download(req, state, session, access, slug, Format::Xlsx).await
}

async fn download(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: web::ReqData<Session>,
    access: web::ReqData<Access>,
    slug: web::Path<String>,
    format: Format,
) -> Result<HttpResponse, Answered<Plain>> {
    let mut filter = filter_from_query(req.query_string())?;
    // The guard let only those who may read personal data this far; a partner's export
    // holds only the supporters who opted in to that partner.
    filter.partner = access.supporters_filter().map_err(|_| WebError::Forbidden)?;
    let campaign = {
        let mut conn = state.pool.get().await?;
        campaigns::find_by_slug(&mut conn, &slug).await?.ok_or(WebError::NotFound)?
    };
    // Taken before the connection is opened, and moved into the thread that writes the
    // rows: the slot is given back when the export ends, however it ends.
    let slot = state.exports.try_take().ok_or(WebError::Busy {
        message: "Several exports are being downloaded right now. Please try again in half a minute.",
        retry_after_secs: RETRY_AFTER_SECS,
    })?;
    let db = crate::db::Target { url: state.database_url.clone(), pooler: state.settings.pooler };
    let mut conn = tokio::task::spawn_blocking(move || crate::db::connect(&db))
        .await
        .map_err(anyhow::Error::from)?
        .map_err(WebError::Unavailable)?;

    let (tx, mut rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(8);
    let actor = Actor::Organizer(session.into_inner().organizer);
    let clock = state.clock.clone();
    let campaign_id = campaign.id;
    let keys = state.keys.clone();
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        let out = ChannelWriter(tx.clone());
        if let Err(e) =
            export::run(&mut conn, &keys, campaign_id, &filter, format, &actor, clock.as_ref(), out, |_| {})
        {
            tracing::error!(error = %format!("{e:#}"), "export failed");
            // An error instead of the end: the client sees a broken download, not a short file.
            let _ = tx.blocking_send(Err(std::io::Error::other("export failed")));
        }
    });
    let body = futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx));
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{}-signatures.{}\"", campaign.slug, format.extension()),
        ))
        .streaming(body))
}

/// Hands each buffer the CSV writer flushes to the response; fails when the client left.
struct ChannelWriter(mpsc::Sender<Result<Bytes, std::io::Error>>);

impl Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .blocking_send(Ok(Bytes::copy_from_slice(buf)))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client went away"))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
