//! Default deny for the organizers' side. `web::routes` registers every route inside
//! `deny_by_default`, which refuses any request for a path under `/admin` without a
//! session (a redirect to the sign-in page) and under `/api` without a valid token (`401`
//! JSON), whatever handler, if any, the path leads to. Only the sign-in form and its POST
//! are open (`PUBLIC_ADMIN_ROUTES`). A handler added later under those prefixes is
//! therefore guarded without anyone remembering to guard it, and a test adds one to check.
//!
//! `PROTECTED_ROUTES` is the list of admin and API handlers: the router registers them
//! from it and the route-walk test requests each one without credentials.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, ResponseError, web};

use super::AppState;
use super::admin;
use super::api;
use super::errors::WebError;
use crate::organizers;

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
    route: fn() -> actix_web::Route,
}

impl ProtectedRoute {
    pub fn guard(&self) -> Guard {
        guard_for(self.path).expect("protected routes live under /admin or /api")
    }
}

pub static PROTECTED_ROUTES: &[ProtectedRoute] = &[
    ProtectedRoute { method: "GET", path: "/admin", route: || web::get().to(admin::dashboard::index) },
    ProtectedRoute { method: "POST", path: "/admin/logout", route: || web::post().to(admin::login::logout) },
    ProtectedRoute {
        method: "GET",
        path: "/admin/c/{slug}",
        route: || web::get().to(admin::dashboard::campaign),
    },
    ProtectedRoute {
        method: "GET",
        path: "/admin/c/{slug}/signatures.csv",
        route: || web::get().to(admin::export::signatures_csv),
    },
    ProtectedRoute {
        method: "GET",
        path: "/admin/c/{slug}/signatures.xlsx",
        route: || web::get().to(admin::export::signatures_xlsx),
    },
    ProtectedRoute {
        method: "POST",
        path: "/admin/c/{slug}/handover",
        route: || web::post().to(admin::handover::make),
    },
    ProtectedRoute {
        method: "GET",
        path: "/admin/c/{slug}/mailings",
        route: || web::get().to(admin::mailings::index),
    },
    ProtectedRoute {
        method: "POST",
        path: "/admin/c/{slug}/mailings",
        route: || web::post().to(admin::mailings::create),
    },
    ProtectedRoute {
        method: "GET",
        path: "/admin/c/{slug}/mailings/{id}",
        route: || web::get().to(admin::mailings::show),
    },
    ProtectedRoute {
        method: "POST",
        path: "/admin/c/{slug}/mailings/{id}/{action}",
        route: || web::post().to(admin::mailings::act),
    },
    ProtectedRoute { method: "GET", path: "/admin/tokens", route: || web::get().to(admin::tokens::index) },
    ProtectedRoute {
        method: "GET",
        path: "/api/v1/petitions",
        route: || web::get().to(api::petitions::list),
    },
    ProtectedRoute {
        method: "GET",
        path: "/api/v1/petitions/{slug}",
        route: || web::get().to(api::petitions::one),
    },
    ProtectedRoute {
        method: "GET",
        path: "/api/v1/petitions/{slug}/signatures",
        route: || web::get().to(api::petitions::signatures),
    },
];

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
            Ok(mut conn) => organizers::find_session(&mut conn, cookie.value(), state.clock.now())
                .await
                .map_err(WebError::from),
            Err(e) => Err(WebError::from(e)),
        },
    };
    let refusal = match found {
        Ok(Some(session)) => {
            req.extensions_mut().insert(session);
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
            Ok(mut conn) => organizers::find_by_token(&mut conn, &token, state.clock.now())
                .await
                .map_err(api::ApiError::from),
            Err(e) => Err(api::ApiError::from(e)),
        },
    };
    let refusal = match found {
        Ok(Some(organizer)) => {
            req.extensions_mut().insert(organizer);
            return Ok(next.call(req).await?.map_into_left_body());
        }
        Ok(None) => api::ApiError::from(WebError::Unauthorized).error_response(),
        Err(e) => e.error_response(),
    };
    Ok(req.into_response(refusal).map_into_right_body())
}
