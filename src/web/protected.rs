//! The one list of admin and API routes. The router registers exactly these, each behind
//! its guard, and the integration test walks the same list without credentials; so a
//! route cannot be added without a guard, nor escape the test.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::{Next, from_fn};
use actix_web::{HttpMessage, HttpResponse, ResponseError, web};

use super::AppState;
use super::admin::{self, SESSION_COOKIE};
use super::api;
use super::errors::PageError;
use crate::organizers;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Guard {
    /// A signed-in organizer (cookie); others are sent to `/admin/login`.
    Session,
    /// An API token; others get `401` JSON.
    Token,
}

pub struct ProtectedRoute {
    pub method: &'static str,
    pub path: &'static str,
    pub guard: Guard,
    route: fn() -> actix_web::Route,
}

pub static PROTECTED_ROUTES: &[ProtectedRoute] = &[
    ProtectedRoute {
        method: "GET",
        path: "/admin",
        guard: Guard::Session,
        route: || web::get().to(admin::dashboard::index),
    },
    ProtectedRoute {
        method: "POST",
        path: "/admin/logout",
        guard: Guard::Session,
        route: || web::post().to(admin::login::logout),
    },
    ProtectedRoute {
        method: "GET",
        path: "/admin/c/{slug}",
        guard: Guard::Session,
        route: || web::get().to(admin::dashboard::campaign),
    },
    ProtectedRoute {
        method: "GET",
        path: "/admin/c/{slug}/signatures.csv",
        guard: Guard::Session,
        route: || web::get().to(admin::export::signatures_csv),
    },
    ProtectedRoute {
        method: "GET",
        path: "/api/v1/petitions",
        guard: Guard::Token,
        route: || web::get().to(api::petitions::list),
    },
    ProtectedRoute {
        method: "GET",
        path: "/api/v1/petitions/{slug}",
        guard: Guard::Token,
        route: || web::get().to(api::petitions::one),
    },
    ProtectedRoute {
        method: "GET",
        path: "/api/v1/petitions/{slug}/signatures",
        guard: Guard::Token,
        route: || web::get().to(api::petitions::signatures),
    },
];

/// The only admin routes open to anyone: the sign-in form and its POST.
pub const PUBLIC_ADMIN_ROUTES: &[(&str, &str)] = &[("GET", "/admin/login"), ("POST", "/admin/login")];

pub fn register(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/admin/login")
            .route(web::get().to(admin::login::form))
            .route(web::post().to(admin::login::submit)),
    );
    for r in PROTECTED_ROUTES {
        let resource = web::resource(r.path).route((r.route)());
        match r.guard {
            Guard::Session => cfg.service(resource.wrap(from_fn(require_session))),
            Guard::Token => cfg.service(resource.wrap(from_fn(require_token))),
        };
    }
}

fn state(req: &ServiceRequest) -> web::Data<AppState> {
    req.app_data::<web::Data<AppState>>().cloned().expect("AppState is registered")
}

async fn require_session(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let state = state(&req);
    let found = match req.cookie(SESSION_COOKIE) {
        None => Ok(None),
        Some(cookie) => match state.pool.get().await {
            Ok(mut conn) => organizers::find_session(&mut conn, cookie.value(), state.clock.now())
                .await
                .map_err(PageError::from),
            Err(e) => Err(PageError::from(e)),
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
            Ok(mut conn) => organizers::find_by_token(&mut conn, &token).await.map_err(api::ApiError::from),
            Err(e) => Err(api::ApiError::from(e)),
        },
    };
    let refusal = match found {
        Ok(Some(organizer)) => {
            req.extensions_mut().insert(organizer);
            return Ok(next.call(req).await?.map_into_left_body());
        }
        Ok(None) => api::ApiError::Unauthorized.error_response(),
        Err(e) => e.error_response(),
    };
    Ok(req.into_response(refusal).map_into_right_body())
}
