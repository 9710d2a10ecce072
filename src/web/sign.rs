//! `POST /c/{slug}/sign`: every way a request can be wrong gets its own 4xx, checked in
//! the order that costs least; only a valid, fresh form reaches the database.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::http::header::{LOCATION, RETRY_AFTER};
use actix_web::{HttpRequest, HttpResponse, web};

use super::AppState;
use super::body::Body;
use super::client_ip::client_key;
use super::errors::{WebError, message};
use super::form::{self, FormError};
use super::pages::{Chrome, FormErrors, FormValues, MessagePage, pick_lang, render};
use super::public::{campaign_page, load_campaign};
use crate::campaigns::Campaign;
use crate::domain::{Comment, Country, FieldError, Lang, Postcode, SupporterEmail, SupporterName};
use crate::i18n::Texts;
use crate::partners::Referral;
use crate::signatures::{self, NewSignature};

/// Which form was posted: the campaign page's, proven by the CSRF cookie, or the embed's
/// in a partner's frame, proven by a form token (`crate::embed`). Each is answered in its
/// own kind of page, so a supporter in a frame stays in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frame {
    Page,
    Embed,
}

pub async fn sign(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, WebError> {
    let campaign = load_campaign(&state, &slug).await?;
    sign_form(req, &state, &campaign, body, Frame::Page).await
}

/// Signs from either form; the first four checks and the last steps are the same.
pub async fn sign_form(
    req: HttpRequest,
    state: &AppState,
    campaign: &Campaign,
    body: Body,
    frame: Frame,
) -> Result<HttpResponse, WebError> {
    // Until the form is read, the cookie and the browser tell the language.
    let early_lang = pick_lang(&req, campaign.file.default_lang());
    // The clock at request time decides, not the import: no one need re-import at closing.
    if !campaign.open_at(state.clock.now()) {
        let mut page = MessagePage::keyed(Chrome::plain(early_lang), "closed");
        page.title = campaign.file.text(early_lang).title.clone();
        page.body = page.page.t("closed-notice");
        return Ok(render(StatusCode::GONE, &page));
    }
    let fields = match form::fields(&req, &body) {
        Ok(fields) => fields,
        Err(e) => return Ok(form_error(e, early_lang)),
    };
    let client = client_key(&req, &state.settings.trusted_proxies);
    if let Some(ip) = client
        && let Err(wait) = state.limiter.check(ip)
    {
        let mut response = message(StatusCode::TOO_MANY_REQUESTS, early_lang, "too-many");
        let seconds = wait.as_secs().max(1) + u64::from(wait.subsec_nanos() > 0);
        response.headers_mut().insert(RETRY_AFTER, seconds.into());
        return Ok(response);
    }

    let field = |name: &str| fields.get(name).map(String::as_str).unwrap_or("");
    // The language of the page the form was on.
    let lang = Lang::from_tag(field("lang")).unwrap_or(early_lang);
    let thanks = match frame {
        Frame::Page => format!("/c/{}/thanks?lang={}", campaign.slug, lang.code()),
        Frame::Embed => format!("/c/{}/embed/thanks?lang={}", campaign.slug, lang.code()),
    };

    // A filled honeypot is a robot: it gets the answer a person gets, and nothing is stored.
    if !field("website").is_empty() {
        return Ok(see_other(&thanks));
    }

    let values = form_values(&fields, campaign);
    // The thanks page's share links keep the partner who brought the supporter.
    let thanks = match &values.referral.partner {
        Some(via) => format!("{thanks}&via={via}"),
        None => thanks,
    };
    let (cookie_value, new_cookie) = state.csrf.cookie_value(&req);
    let now = state.clock.now();
    let token = match frame {
        Frame::Page => {
            if !state.csrf.verify(&req, field("csrf_token")) {
                let notice = Some(Texts::new(lang).t("form-expired"));
                let page = campaign_page(
                    state,
                    campaign,
                    lang,
                    values,
                    FormErrors::default(),
                    notice,
                    &cookie_value,
                )
                .await?;
                let mut response = render(StatusCode::FORBIDDEN, &page);
                if let Some(cookie) = new_cookie {
                    response.add_cookie(&cookie).ok();
                }
                return Ok(response);
            }
            None
        }
        Frame::Embed => match state.form_tokens.check(field("form_token"), campaign.id, now) {
            Ok(token) => Some(token),
            Err(refusal) => return refused_token(state, campaign, lang, values, refusal).await,
        },
    };

    let new = match parse_signature(&fields, values.referral.clone(), lang) {
        Ok(new) => new,
        Err(errors) => {
            let page = match frame {
                Frame::Page => render(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &campaign_page(state, campaign, lang, values, *errors, None, &cookie_value).await?,
                ),
                Frame::Embed => {
                    super::embed::form_again(
                        state,
                        campaign,
                        lang,
                        values,
                        *errors,
                        None,
                        StatusCode::UNPROCESSABLE_ENTITY,
                    )
                    .await?
                }
            };
            return Ok(page);
        }
    };
    // Used up only now that it signs: a form sent back with a mistake keeps working.
    if let Some(token) = token {
        let mut conn = state.pool.get().await?;
        if let Err(refusal) = crate::embed::consume(&mut conn, token).await? {
            return refused_token(state, campaign, lang, values, refusal).await;
        }
    }

    let ctx = signatures::SignContext { keys: &state.keys, mail: &state.mail };
    state.signing.sign(signatures::prepare(campaign, &new, &ctx, now)?).await?;
    state.surges.record(new.email.domain(), client);
    state.outbox_wake.notify_one();
    Ok(see_other(&thanks))
}

/// The embed's form again, filled in, with a fresh token and why the last one was refused.
async fn refused_token(
    state: &AppState,
    campaign: &Campaign,
    lang: Lang,
    values: FormValues,
    refusal: crate::embed::TokenRefusal,
) -> Result<HttpResponse, WebError> {
    tracing::info!(?refusal, "embed form token refused");
    let key = match refusal {
        crate::embed::TokenRefusal::Used => "form-used",
        _ => "form-expired",
    };
    let notice = Some(Texts::new(lang).t(key));
    super::embed::form_again(
        state,
        campaign,
        lang,
        values,
        FormErrors::default(),
        notice,
        StatusCode::FORBIDDEN,
    )
    .await
}

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((LOCATION, location)).finish()
}

fn form_error(e: FormError, lang: Lang) -> HttpResponse {
    let (status, key) = match e {
        FormError::WrongType => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported"),
        FormError::NotUtf8 => (StatusCode::BAD_REQUEST, "unreadable"),
    };
    message(status, lang, key)
}

/// The form as posted. The referral is read again from its hidden fields, and a partner
/// kept only if the campaign lists it.
fn form_values(fields: &HashMap<String, String>, campaign: &Campaign) -> FormValues {
    let get = |name: &str| fields.get(name).cloned().unwrap_or_default();
    let referral =
        Referral::read(|name| fields.get(name).map(String::as_str), |id| campaign.file.partner(id).is_some());
    let partner_optin = referral.partner.as_ref().is_some_and(|id| !get(&id.optin_field()).is_empty());
    FormValues {
        name: get("name"),
        email: get("email"),
        country: get("country"),
        postcode: get("postcode"),
        comment: get("comment"),
        consent: !get("consent").is_empty(),
        updates: !get("updates").is_empty(),
        partner_optin,
        anonymous: !get("anonymous").is_empty(),
        referral,
    }
}

/// Parses every field, collecting all errors so the supporter can fix them at once. The
/// write API validates its JSON body here too (`api::signature_body`).
pub(crate) fn parse_signature(
    fields: &HashMap<String, String>,
    referral: Referral,
    lang: Lang,
) -> Result<NewSignature, Box<FormErrors>> {
    let t = Texts::new(lang);
    let get = |name: &str| fields.get(name).map(String::as_str).unwrap_or("");
    let name = SupporterName::parse(get("name"));
    let email = SupporterEmail::parse(get("email"));
    let country = Country::parse(get("country"));
    let postcode = Postcode::parse(get("postcode"));
    let comment = Comment::parse(get("comment"));
    let consent = !get("consent").is_empty();
    match (name, email, country, postcode, comment, consent) {
        (Ok(name), Ok(email), Ok(country), Ok(postcode), Ok(comment), true) => Ok(NewSignature {
            name,
            email,
            country,
            postcode,
            comment,
            updates_opt_in: !get("updates").is_empty(),
            partner_opt_in: referral.partner.as_ref().is_some_and(|id| !get(&id.optin_field()).is_empty()),
            anonymous: !get("anonymous").is_empty(),
            referral,
            lang,
        }),
        (name, email, country, postcode, comment, consent) => Err(Box::new(FormErrors {
            name: name.err().map(|e| t.field_error(e)),
            email: email.err().map(|e| t.field_error(e)),
            // An empty list choice is a choice not made yet, not a field left blank.
            country: country.err().map(|e| match e {
                FieldError::Missing => t.field_error(FieldError::UnknownCountry),
                e => t.field_error(e),
            }),
            postcode: postcode.err().map(|e| t.field_error(e)),
            comment: comment.err().map(|e| t.field_error(e)),
            consent: (!consent).then(|| t.consent_required()),
        })),
    }
}
