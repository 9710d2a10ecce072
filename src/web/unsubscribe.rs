//! `GET /unsubscribe/{token}`: one button, in the language the link names; a GET changes
//! nothing, since mail scanners follow links. `POST /unsubscribe/{token}`: unsubscribes,
//! from the button or from a mail client's RFC 8058 one-click POST, which carries no
//! cookie and no CSRF token (the token in the path is the credential) and whose body,
//! `List-Unsubscribe=One-Click`, needs no reading.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::AppState;
use super::errors::WebError;
use super::pages::{Chrome, MessagePage, pick_lang, render};
use crate::domain::Lang;
use crate::mailings::{self, UnsubscribeOutcome};

pub async fn page(req: HttpRequest, state: web::Data<AppState>, token: web::Path<String>) -> HttpResponse {
    if !mailings::is_valid(&state.mailings.unsubscribe, &token) {
        return invalid_link(&req);
    }
    let action = format!(
        "/unsubscribe/{}",
        percent_encoding::utf8_percent_encode(&token, percent_encoding::NON_ALPHANUMERIC)
    );
    let mut page = MessagePage::keyed(Chrome::new(&req, pick_lang(&req, Lang::En)), "unsubscribe");
    page.button = Some((action, page.page.t("unsubscribe-button")));
    render(StatusCode::OK, &page)
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
        UnsubscribeOutcome::Unsubscribed { lang } => {
            let lang = pick_lang(&req, lang);
            render(StatusCode::OK, &MessagePage::keyed(Chrome::plain(lang), "unsubscribed"))
        }
        UnsubscribeOutcome::Invalid => invalid_link(&req),
    })
}

fn invalid_link(req: &HttpRequest) -> HttpResponse {
    let lang = pick_lang(req, Lang::En);
    render(StatusCode::NOT_FOUND, &MessagePage::keyed(Chrome::new(req, lang), "unsubscribe-invalid"))
}
