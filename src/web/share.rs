//! `GET /c/{slug}/share.png?lang=`: the share image that previews of a campaign link show.
//! Public, like the page it previews. Drawing and keeping images is `crate::share`'s; this
//! reads the request, fetches the count, and sets how long clients may keep the answer.
//! A refusal is one line of plain text: whoever reads it is a crawler or a developer
//! looking at an address, not a supporter on a page.

use std::sync::Arc;

use actix_web::http::header::ContentEncoding;
use actix_web::{HttpRequest, HttpResponse, web};

use super::AppState;
use super::errors::{Answered, Plain, WebError};
use super::form;
use super::public::load_campaign;
use crate::campaigns::Campaign;
use crate::domain::Lang;
use crate::share::Card;

pub async fn image(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, Answered<Plain>> {
    let campaign = load_campaign(&state, &slug).await?;
    let lang = image_lang(&req, &campaign)?;
    let now = state.clock.now();
    let image =
        state.share_images.get(campaign.id, lang, now, || draw(&state, campaign.clone(), lang)).await?;
    Ok(HttpResponse::Ok()
        .content_type("image/png")
        // A PNG is compressed already: the compression middleware leaves it alone.
        .insert_header(ContentEncoding::Identity)
        // Until it is drawn again; previews cache images for days anyway.
        .insert_header(("Cache-Control", format!("public, max-age={}", image.fresh_for_secs(now))))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(web::Bytes::from_owner(image.png)))
}

/// `?lang=` names the image's language; without it, the campaign's default language. The
/// tag in the page's `og:image` is always a known one, so an unknown one is a mistake.
fn image_lang(req: &HttpRequest, campaign: &Campaign) -> Result<Lang, WebError> {
    let query = form::parse(req.query_string().as_bytes())
        .map_err(|_| WebError::BadRequest("The address's query is not readable.".into()))?;
    match query.get("lang") {
        None => Ok(campaign.file.default_lang()),
        Some(tag) => Lang::from_tag(tag).ok_or_else(|| {
            let known: Vec<_> = Lang::ALL.iter().map(|l| l.code()).collect();
            WebError::BadRequest(format!("Unknown language: use lang={}.", known.join(", lang=")))
        }),
    }
}

async fn draw(state: &AppState, campaign: Arc<Campaign>, lang: Lang) -> Result<Vec<u8>, WebError> {
    let count = {
        let mut conn = state.pool.get().await?;
        state.counts.get(&mut conn, campaign.id, state.clock.now()).await?
    };
    let site = url::Url::parse(&state.settings.base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    // Tens of milliseconds of CPU: off the threads that answer requests.
    let png = tokio::task::spawn_blocking(move || {
        let (title_lang, text) = campaign.file.text_for(lang);
        Card { title: &text.title, title_lang, lang, count, goal: campaign.goal, site: &site }.render_png()
    })
    .await
    .map_err(|e| WebError::Unexpected(anyhow::Error::new(e).context("drawing a share image")))?
    .map_err(|e| WebError::Unexpected(anyhow::Error::new(e)))?;
    Ok(png)
}
