//! `GET /unsubscribe/{token}`: one button, in the language the link names; a GET changes
//! nothing, since mail scanners follow links. `POST /unsubscribe/{token}`: unsubscribes,
//! from the button or from a mail client's RFC 8058 one-click POST, which carries no
//! cookie and no CSRF token (the token in the path is the credential) and whose body,
//! `List-Unsubscribe=One-Click`, needs no reading. A partner's link names the partner on
//! both pages, and says the campaign's own news keeps coming.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::AppState;
use super::errors::WebError;
use super::pages::{Chrome, MessagePage, pick_lang, render};
use crate::domain::Lang;
use crate::mailings::{self, NewsFrom, UnsubscribeOutcome};

pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let mut conn = state.pool.get().await?;
    let Some(from) = mailings::stops(&mut conn, &state.mailings.unsubscribe, &token).await? else {
        return Ok(invalid_link(&req));
    };
    let action = format!(
        "/unsubscribe/{}",
        percent_encoding::utf8_percent_encode(&token, percent_encoding::NON_ALPHANUMERIC)
    );
    let mut page = keyed(Chrome::new(&req, pick_lang(&req, Lang::En)), "unsubscribe", &from);
    page.button = Some((action, page.page.t("unsubscribe-button")));
    Ok(render(StatusCode::OK, &page))
}

pub async fn unsubscribe(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let mut conn = state.pool.get().await?;
    let outcome =
        mailings::unsubscribe(&mut conn, &state.mailings.unsubscribe, &token, state.clock.now()).await?;
    Ok(match outcome {
        UnsubscribeOutcome::Unsubscribed { lang, from } => {
            let lang = pick_lang(&req, lang);
            render(StatusCode::OK, &keyed(Chrome::plain(lang), "unsubscribed", &from))
        }
        UnsubscribeOutcome::Invalid => invalid_link(&req),
    })
}

/// The page `{key}-title` and `{key}-body`; a partner's link gets `{key}-partner-body`,
/// which names the partner.
fn keyed(chrome: Chrome, key: &str, from: &NewsFrom) -> MessagePage {
    let mut page = MessagePage::keyed(chrome, key);
    if let NewsFrom::Partner(name) = from {
        page.body = page.page.texts.t1(&format!("{key}-partner-body"), "partner", name);
    }
    page
}

fn invalid_link(req: &HttpRequest) -> HttpResponse {
    let lang = pick_lang(req, Lang::En);
    render(StatusCode::NOT_FOUND, &MessagePage::keyed(Chrome::new(req, lang), "unsubscribe-invalid"))
}
