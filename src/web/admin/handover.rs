//! `POST /admin/c/{slug}/handover`: the dashboard's "Make handover pack" button. Makes the
//! pack in a private temporary directory (as the `handover` command would in `--out`) and
//! answers with its four files in a zip, left uncompressed so the PDF's and the CSV's
//! bytes inside are exactly the ones the manifest hashes. The temporary copy is removed
//! when the answer is built.

use std::io::Write;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::login::csrf_matches;
use super::{form_refused, message};
use crate::campaigns;
use crate::export::{Actor, ExportFilter};
use crate::handover::{self, PackRequest};
use crate::organizers::Session;
use crate::web::AppState;
use crate::web::body::Body;
use crate::web::errors::WebError;
use crate::web::form;

#[tracing::instrument(skip_all, fields(slug = %slug))]
pub async fn make(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: web::ReqData<Session>,
    slug: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, WebError> {
    let fields = match form::fields(&req, &body) {
        Ok(fields) => fields,
        Err(e) => return Ok(form_refused(e)),
    };
    let field = |name: &str| fields.get(name).map_or("", String::as_str);
    if !csrf_matches(&session, field("csrf_token")) {
        return Ok(message(
            StatusCode::FORBIDDEN,
            "Form expired",
            "Please go back, reload the page and try again.",
        ));
    }
    let mut conn = state.pool.get().await?;
    let campaign = campaigns::find_by_slug(&mut conn, &slug).await?.ok_or(WebError::NotFound)?;
    let target = match handover::target(&campaign, field("target")) {
        Ok(target) => target,
        Err(e) => {
            return Ok(message(
                StatusCode::BAD_REQUEST,
                "Unknown target",
                &format!("Check the target: {e}."),
            ));
        }
    };
    let until = match ExportFilter::parse(None, None, Some(field("until")), None) {
        Ok(filter) => filter.until,
        Err(e) => {
            return Ok(message(StatusCode::BAD_REQUEST, "Check the date", &format!("Check the date: {e}.")));
        }
    };
    // One of the export slots: a pack holds a connection of its own while it reads.
    let _slot = state.exports.try_take().ok_or(WebError::Busy {
        message: "Several exports are running right now. Please try again in half a minute.",
        retry_after_secs: 30,
    })?;
    let scratch =
        tempfile::Builder::new().prefix("rallypost-handover-").tempdir().map_err(anyhow::Error::from)?;
    let dir = scratch.path().join("pack");
    let name = format!("{}-{}-handover", campaign.slug, target.id);
    let request = PackRequest { campaign, target, until, dir: dir.clone() };
    let db = crate::db::Target { url: state.database_url.clone(), pooler: state.settings.pooler };
    let actor = Actor::Organizer(session.into_inner().organizer);
    handover::make(&mut conn, &db, state.keys.clone(), request, actor, state.clock.clone()).await?;
    drop(conn);
    let zip = tokio::task::spawn_blocking(move || zip_pack(&dir)).await.map_err(anyhow::Error::from)??;
    drop(scratch);
    Ok(HttpResponse::Ok()
        .content_type("application/zip")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{name}.zip\"")))
        .body(zip))
}

/// The pack's files, stored (not compressed) in a zip, each 0600 as on disk.
fn zip_pack(dir: &std::path::Path) -> anyhow::Result<Vec<u8>> {
    use zip::write::SimpleFileOptions;
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .unix_permissions(0o600);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for name in handover::FILES {
        zip.start_file(name, options)?;
        zip.write_all(&std::fs::read(dir.join(name))?)?;
    }
    Ok(zip.finish()?.into_inner())
}
