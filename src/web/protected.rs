//! Default deny for the organizers' side. `web::routes` registers every route inside
//! `deny_by_default`, which refuses any request for a path under `/admin` without a
//! session (a redirect to the sign-in page) and under `/api` without a valid token (`401`
//! JSON), whatever handler, if any, the path leads to. Only the sign-in form and its POST
//! are open (`PUBLIC_ADMIN_ROUTES`). A handler added later under those prefixes is
//! therefore guarded without anyone remembering to guard it, and a test adds one to check.
//!
//! `PROTECTED_ROUTES` is the list of admin and API handlers: the router registers them
//! from it and the route-walk test requests each one without credentials, and as each
//! organizer role. Each route also declares what it needs (`Need`); once the session or
//! token is known, `authorize` asks the organizer's `Access` about that need on the
//! campaign the path names, so no handler runs for someone its role does not allow. A path
//! no route declares needs `Need::Undeclared`: owners only.

use actix_web::body::MessageBody;
use actix_web::dev::{Path, ResourceDef, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, ResponseError, web};

use super::AppState;
use super::admin;
use super::api;
use super::errors::WebError;
use crate::organizers::{self, Access, Denied, Need};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Guard {
    /// A signed-in organizer (cookie); others are sent to `/admin/login`.
    Session,
    /// An API token; others get `401` JSON.
    Token,
}

/// Which guard a path falls under; `None` for the public side.
pub fn guard_for(path: &str) -> Option<Guard> {
    let under =
        |prefix: &str| path.strip_prefix(prefix).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
    if under("/admin") {
        Some(Guard::Session)
    } else if under("/api") {
        Some(Guard::Token)
    } else {
        None
    }
}

pub struct ProtectedRoute {
    pub method: &'static str,
    pub path: &'static str,
    /// What the route shows or changes: the organizer's `Access` decides if they may.
    pub need: Need,
    route: fn() -> actix_web::Route,
}

impl ProtectedRoute {
    pub fn guard(&self) -> Guard {
        guard_for(self.path).expect("protected routes live under /admin or /api")
    }
}

pub static PROTECTED_ROUTES: &[ProtectedRoute] = &[
    ProtectedRoute {
        method: "GET",
        path: "/admin",
        need: Need::Counts,
        route: || web::get().to(admin::dashboard::index),
    },
    ProtectedRoute {
        method: "POST",
        path: "/admin/logout",
        need: Need::SignedIn,
        route: || web::post().to(admin::login::logout),
    },
    ProtectedRoute {
        method: "GET",
        path: "/admin/c/{slug}",
        need: Need::Counts,
        route: || web::get().to(admin::dashboard::campaign),
    },
    ProtectedRoute {
        method: "GET",
        path: "/admin/c/{slug}/signatures.csv",
        need: Need::Supporters,
        route: || web::get().to(admin::export::signatures_csv),
    },
    ProtectedRoute {
        method: "GET",
        path: "/admin/c/{slug}/signatures.xlsx",
        need: Need::Supporters,
        route: || web::get().to(admin::export::signatures_xlsx),
    },
    ProtectedRoute {
        method: "POST",
        path: "/admin/c/{slug}/handover",
        // A pack names every consenting signer, whoever brought them: not for partners.
        need: Need::Mailings,
        route: || web::post().to(admin::handover::make),
    },
    ProtectedRoute {
        method: "GET",
        path: "/admin/c/{slug}/mailings",
        need: Need::News,
        route: || web::get().to(admin::mailings::index),
    },
    ProtectedRoute {
        method: "POST",
        path: "/admin/c/{slug}/mailings",
        need: Need::News,
        route: || web::post().to(admin::mailings::create),
    },
    ProtectedRoute {
        method: "GET",
        path: "/admin/c/{slug}/mailings/{id}",
        need: Need::News,
        route: || web::get().to(admin::mailings::show),
    },
    ProtectedRoute {
        method: "POST",
        path: "/admin/c/{slug}/mailings/{id}/{action}",
        need: Need::News,
        route: || web::post().to(admin::mailings::act),
    },
    ProtectedRoute {
        method: "GET",
        path: "/admin/c/{slug}/endorsements",
        need: Need::Mailings,
        route: || web::get().to(admin::endorsements::index),
    },
    ProtectedRoute {
        method: "GET",
        path: "/admin/c/{slug}/endorsements.csv",
        need: Need::Mailings,
        route: || web::get().to(admin::endorsements::csv),
    },
    ProtectedRoute {
        method: "POST",
        path: "/admin/c/{slug}/endorsements/{id}/{action}",
        need: Need::Mailings,
        route: || web::post().to(admin::endorsements::decide),
    },
    ProtectedRoute {
        method: "GET",
        path: "/admin/c/{slug}/replies",
        need: Need::Mailings,
        route: || web::get().to(admin::replies::index),
    },
    ProtectedRoute {
        method: "POST",
        path: "/admin/c/{slug}/replies",
        need: Need::Mailings,
        route: || web::post().to(admin::replies::record),
    },
    ProtectedRoute {
        method: "GET",
        path: "/admin/c/{slug}/replies/{id}/original",
        need: Need::Mailings,
        route: || web::get().to(admin::replies::original),
    },
    ProtectedRoute {
        method: "GET",
        path: "/admin/tokens",
        need: Need::SignedIn,
        route: || web::get().to(admin::tokens::index),
    },
    ProtectedRoute {
        method: "GET",
        path: "/admin/organizers",
        need: Need::Organizers,
        route: || web::get().to(admin::organizers::index),
    },
    ProtectedRoute {
        method: "POST",
        path: "/admin/organizers",
        need: Need::Organizers,
        route: || web::post().to(admin::organizers::invite),
    },
    ProtectedRoute {
        method: "POST",
        path: "/admin/organizers/{id}/role",
        need: Need::Organizers,
        route: || web::post().to(admin::organizers::change_role),
    },
    ProtectedRoute {
        method: "POST",
        path: "/admin/organizers/{id}/disable",
        need: Need::Organizers,
        route: || web::post().to(admin::organizers::disable),
    },
    ProtectedRoute {
        method: "POST",
        path: "/admin/organizers/{id}/enable",
        need: Need::Organizers,
        route: || web::post().to(admin::organizers::enable),
    },
    ProtectedRoute {
        method: "GET",
        path: "/admin/audit",
        need: Need::Organizers,
        route: || web::get().to(admin::organizers::audit),
    },
    ProtectedRoute {
        method: "GET",
        path: "/admin/webhooks",
        need: Need::Receivers,
        route: || web::get().to(admin::webhooks::index),
    },
    ProtectedRoute {
        method: "POST",
        path: "/admin/webhooks",
        need: Need::Receivers,
        route: || web::post().to(admin::webhooks::add),
    },
    ProtectedRoute {
        method: "GET",
        path: "/admin/webhooks/{id}",
        need: Need::Receivers,
        route: || web::get().to(admin::webhooks::log),
    },
    ProtectedRoute {
        method: "POST",
        path: "/admin/webhooks/{id}/remove",
        need: Need::Receivers,
        route: || web::post().to(admin::webhooks::remove),
    },
    ProtectedRoute {
        method: "POST",
        path: "/admin/webhooks/{id}/again/{delivery}",
        need: Need::Receivers,
        route: || web::post().to(admin::webhooks::send_again),
    },
    ProtectedRoute {
        method: "GET",
        path: "/api/v1/petitions",
        need: Need::Counts,
        route: || web::get().to(api::petitions::list),
    },
    ProtectedRoute {
        method: "GET",
        path: "/api/v1/petitions/{slug}",
        need: Need::Counts,
        route: || web::get().to(api::petitions::one),
    },
    ProtectedRoute {
        method: "GET",
        path: "/api/v1/petitions/{slug}/signatures",
        need: Need::Supporters,
        route: || web::get().to(api::petitions::signatures),
    },
    ProtectedRoute {
        method: "POST",
        path: "/api/v1/petitions/{slug}/signatures",
        // A bearer token is no cookie a browser sends by itself: no CSRF token needed.
        need: Need::Sign,
        route: || web::post().to(api::sign::sign),
    },
    ProtectedRoute {
        method: "GET",
        path: "/api/v1/petitions/{slug}/endorsements",
        need: Need::Counts,
        route: || web::get().to(api::petitions::endorsements),
    },
    ProtectedRoute {
        method: "GET",
        path: "/api/v1/petitions/{slug}/replies",
        need: Need::Counts,
        route: || web::get().to(api::petitions::replies),
    },
];

/// The declared route a request is for, with the `{slug}` it names; `None` for a path no
/// route declares (one added later), which `Need::Undeclared` then covers.
fn declared(method: &str, path: &str) -> Option<(&'static ProtectedRoute, Option<String>)> {
    static PATTERNS: std::sync::OnceLock<Vec<ResourceDef>> = std::sync::OnceLock::new();
    let patterns =
        PATTERNS.get_or_init(|| PROTECTED_ROUTES.iter().map(|r| ResourceDef::new(r.path)).collect());
    PROTECTED_ROUTES.iter().zip(patterns).filter(|(r, _)| r.method == method).find_map(|(route, pattern)| {
        let mut matched = Path::new(path);
        pattern.capture_match_info(&mut matched).then(|| (route, matched.get("slug").map(str::to_owned)))
    })
}

/// Asks the organizer's `Access` whether they may have what the request is for: the
/// route's declared need, on the campaign its path names. A campaign they may not see
/// answers `404`, like one that does not exist; what their role may not do, `403`.
async fn authorize(
    conn: &mut diesel_async::AsyncPgConnection,
    access: &Access,
    method: &str,
    path: &str,
) -> Result<(), WebError> {
    let (need, slug) = match declared(method, path) {
        Some((route, slug)) => (route.need, slug),
        None => (Need::Undeclared, None),
    };
    let campaign = match slug {
        Some(slug) => Some(crate::campaigns::find_by_slug(conn, &slug).await?.ok_or(WebError::NotFound)?.id),
        None => None,
    };
    access.allows(need, campaign).map_err(|denied| match denied {
        Denied::Hidden => WebError::NotFound,
        Denied::Forbidden => WebError::Forbidden,
    })
}

/// The only routes under `/admin` or `/api` open to anyone: the sign-in form and its POST.
pub const PUBLIC_ADMIN_ROUTES: &[(&str, &str)] = &[("GET", "/admin/login"), ("POST", "/admin/login")];

pub fn register(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/admin/login")
            .route(web::get().to(admin::login::form))
            .route(web::post().to(admin::login::submit)),
    );
    for r in PROTECTED_ROUTES {
        cfg.route(r.path, (r.route)());
    }
}

/// Wraps every route (see the module comment). The path checked is the one the router
/// matches (percent-decoded), and the raw one too, so no spelling of a protected path
/// reaches a handler unguarded.
pub async fn deny_by_default(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let guard = guard_for(req.match_info().as_str()).or_else(|| guard_for(req.path()));
    let open = PUBLIC_ADMIN_ROUTES
        .iter()
        .any(|(method, path)| req.method().as_str() == *method && req.match_info().as_str() == *path);
    Ok(match guard {
        None => next.call(req).await?.map_into_boxed_body(),
        Some(_) if open => next.call(req).await?.map_into_boxed_body(),
        Some(Guard::Session) => require_session(req, next).await?.map_into_boxed_body(),
        Some(Guard::Token) => require_token(req, next).await?.map_into_boxed_body(),
    })
}

fn state(req: &ServiceRequest) -> web::Data<AppState> {
    req.app_data::<web::Data<AppState>>().cloned().expect("AppState is registered")
}

async fn require_session(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let state = state(&req);
    let found = match req.cookie(state.cookie_names().session) {
        None => Ok(None),
        Some(cookie) => match state.pool.get().await {
            Ok(mut conn) => {
                let (method, path) = (req.method().as_str(), req.match_info().as_str());
                session_access(&mut conn, cookie.value(), state.clock.now(), method, path).await
            }
            Err(e) => Err(WebError::from(e)),
        },
    };
    let refusal = match found {
        Ok(Some((session, access))) => {
            req.extensions_mut().insert(session);
            req.extensions_mut().insert(access);
            let mut response = next.call(req).await?;
            // Admin pages hold supporters' data: no cache may keep them.
            response.headers_mut().insert(
                actix_web::http::header::CACHE_CONTROL,
                actix_web::http::header::HeaderValue::from_static("no-store"),
            );
            return Ok(response.map_into_left_body());
        }
        Ok(None) => HttpResponse::SeeOther().insert_header(("Location", "/admin/login")).finish(),
        Err(e) => e.error_response(),
    };
    Ok(req.into_response(refusal).map_into_right_body())
}

async fn require_token(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let state = state(&req);
    let found = match api::bearer_token(req.request()) {
        None => Ok(None),
        Some(token) => match state.pool.get().await {
            Ok(mut conn) => {
                let (method, path) = (req.method().as_str(), req.match_info().as_str());
                token_access(&mut conn, &token, state.clock.now(), method, path)
                    .await
                    .map_err(api::ApiError::from)
            }
            Err(e) => Err(api::ApiError::from(e)),
        },
    };
    let refusal = match found {
        Ok(Some(access)) => {
            req.extensions_mut().insert(access.organizer.clone());
            req.extensions_mut().insert(access);
            return Ok(next.call(req).await?.map_into_left_body());
        }
        Ok(None) => api::ApiError::from(WebError::Unauthorized).error_response(),
        Err(e) => e.error_response(),
    };
    Ok(req.into_response(refusal).map_into_right_body())
}

/// The session with this cookie and its organizer's access, if the session is valid and
/// the access allows the request; `Err` for a refusal (`404`, `403`) or a failure.
async fn session_access(
    conn: &mut diesel_async::AsyncPgConnection,
    cookie: &str,
    now: chrono::DateTime<chrono::Utc>,
    method: &str,
    path: &str,
) -> Result<Option<(organizers::Session, Access)>, WebError> {
    let Some(session) = organizers::find_session(conn, cookie, now).await? else {
        return Ok(None);
    };
    let access = organizers::access_of(conn, session.organizer.clone()).await?;
    authorize(conn, &access, method, path).await?;
    Ok(Some((session, access)))
}

/// The token holder's access, as `session_access` for a session: a token carries the scope
/// of the organizer who holds it.
async fn token_access(
    conn: &mut diesel_async::AsyncPgConnection,
    token: &str,
    now: chrono::DateTime<chrono::Utc>,
    method: &str,
    path: &str,
) -> Result<Option<Access>, WebError> {
    let Some(organizer) = organizers::find_by_token(conn, token, now).await? else {
        return Ok(None);
    };
    let access = organizers::access_of(conn, organizer).await?;
    authorize(conn, &access, method, path).await?;
    Ok(Some(access))
}
