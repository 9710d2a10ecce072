//! HTTP: routes and handlers only. Each handler parses its input, calls one use case in a
//! feature module, and renders the answer.

mod admin;
pub mod api;
mod assets;
pub mod body;
mod client_ip;
mod csrf;
mod embed;
mod endorse;
mod errors;
pub mod form;
mod handover_key;
mod health;
mod https;
mod invitation;
mod lang_choice;
mod metrics;
mod multipart;
mod observe;
mod pages;
pub mod protected;
mod public;
mod rate_limit;
mod share;
pub(crate) mod sign;
mod sign_form;
mod unsubscribe;

use std::sync::Arc;

use actix_web::web;
use tokio::sync::Notify;

pub use admin::export::ExportSlots;
pub use csrf::Csrf;
pub use lang_choice::remember_lang;
pub use observe::observe;
pub use rate_limit::SignLimiter;

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Pool;
use crate::reports::CountCache;
use crate::signatures::MailContext;

/// Everything a handler may use, built once at start.
pub struct AppState {
    pub pool: Pool,
    pub settings: Arc<Settings>,
    pub clock: Arc<dyn Clock>,
    pub csrf: Csrf,
    /// Signs and checks the cookies of browsers that signed in before.
    pub devices: crate::organizers::Devices,
    /// Signs and checks the embed's form tokens, its CSRF proof without cookies.
    pub form_tokens: crate::embed::FormTokens,
    pub limiter: SignLimiter,
    /// The write API's limits, per token (its SHA-256).
    pub api_limiter: SignLimiter<Vec<u8>>,
    pub counts: CountCache,
    pub mail: MailContext,
    /// Protects supporters' personal data at rest.
    pub keys: Arc<crate::crypto::DataKeys>,
    pub surges: crate::signatures::SurgeMonitor,
    /// Campaigns, re-read every couple of seconds.
    pub campaigns: crate::campaigns::CampaignCache,
    /// Writes signatures, several to a transaction under load.
    pub signing: crate::signatures::SignIntake,
    pub metrics: Arc<crate::metrics::Metrics>,
    /// The database's gauges for `/metrics`, as last read (see `crate::gauges`).
    pub gauges: Arc<crate::gauges::Gauges>,
    /// Writes news mailings (their test sends) and checks unsubscribe links.
    pub mailings: crate::mailings::MailingContext,
    /// Wakes the in-process mail sender when a request queued an email.
    pub outbox_wake: Arc<Notify>,
    /// Where mail goes; withdrawal deletes the copies file mode leaves.
    pub transport: crate::outbox::Transport,
    /// For blocking connections (the CSV export streams on one).
    pub database_url: String,
    /// Web exports running now; each holds one of its own connections (see `admin::export`).
    pub exports: ExportSlots,
    /// The share images drawn so far, one per campaign and language.
    pub share_images: crate::share::ShareImages,
}

impl AppState {
    /// The names of our cookies, which depend on whether the base URL is https.
    pub fn cookie_names(&self) -> https::CookieNames {
        https::CookieNames::new(self.settings.secure_cookies())
    }
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    routes_with(cfg, |_| {});
}

/// Every route, behind the body gate (`body::read_first`, outermost: no body reaches a
/// guard or handler unread) and the default-deny guard (`protected::deny_by_default`);
/// `extra` registers more in the same place (tests use it to show that a route added later
/// is refused to strangers and sits behind the body gate).
pub fn routes_with(cfg: &mut web::ServiceConfig, extra: impl FnOnce(&mut web::ServiceConfig)) {
    cfg.service(
        web::scope("")
            .wrap(actix_web::middleware::from_fn(protected::deny_by_default))
            .wrap(actix_web::middleware::from_fn(body::read_first))
            .wrap(actix_web::middleware::from_fn(https::strict_transport))
            .configure(|cfg| {
                every_route(cfg);
                extra(cfg);
            })
            .default_service(web::to(errors::not_found)),
    );
}

fn every_route(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(public::index))
        .route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/metrics", web::get().to(metrics::metrics))
        .route("/c/{slug}", web::get().to(public::campaign))
        .route("/c/{slug}/sign", web::post().to(sign::sign))
        .route("/c/{slug}/thanks", web::get().to(public::thanks))
        .route("/c/{slug}/endorse", web::get().to(endorse::form))
        .route("/c/{slug}/endorse", web::post().to(endorse::submit))
        .route("/c/{slug}/endorse/sent", web::get().to(endorse::sent))
        // Like confirm: the token in the path is the credential.
        .route("/endorsement/{token}", web::get().to(endorse::confirm_page))
        .route("/endorsement/{token}", web::post().to(endorse::confirm))
        .route("/c/{slug}/count.json", web::get().to(public::count_json))
        // The form inside a partner's page: framable by the campaign's `embed_origins`,
        // proven by a form token instead of the CSRF cookie a framed page may not get.
        .route("/c/{slug}/embed", web::get().to(embed::form))
        .route("/c/{slug}/embed", web::post().to(embed::sign))
        .route("/c/{slug}/embed/thanks", web::get().to(embed::thanks))
        .route("/c/{slug}/share.png", web::get().to(share::image))
        .route("/c/{slug}/handover-key", web::get().to(handover_key::handover_key))
        .route("/assets/count.js", web::get().to(assets::count_js))
        .route("/assets/share.js", web::get().to(assets::share_js))
        .route("/favicon.ico", web::get().to(assets::favicon))
        .route("/confirm/{token}", web::get().to(public::confirm_page))
        .route("/confirm/{token}", web::post().to(public::confirm))
        .route("/withdraw/{token}", web::get().to(public::withdraw_page))
        .route("/withdraw/{token}", web::post().to(public::withdraw))
        // Like confirm and withdraw, no CSRF token and no cookie: the token in the path is
        // the credential, and RFC 8058's one-click POST comes from a mail client that has
        // neither (`List-Unsubscribe=One-Click` as its body).
        .route("/unsubscribe/{token}", web::get().to(unsubscribe::page))
        .route("/unsubscribe/{token}", web::post().to(unsubscribe::unsubscribe))
        .route("/invitation/{token}", web::get().to(invitation::page))
        .route("/invitation/{token}", web::post().to(invitation::accept))
        .configure(protected::register);
}
