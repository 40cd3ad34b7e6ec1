//! The HTTP stack every service runs behind: request ids, tracing, metrics,
//! CORS, a timeout, the body limit, per-person write limits, problem+json for
//! unknown routes, health, `/metrics`, `/openapi.json` and `/docs`; and the
//! server that holds its connections ([`serve`]).

pub(crate) mod body_limit;
mod serve;

use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderName, HeaderValue, Method};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Router};
use tower::util::MapRequestLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use utoipa::openapi::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::Authenticator;
use crate::config::{CorsOrigins, HttpConfig};
use crate::error::ApiError;
use crate::health::{self, Readiness};
use crate::metrics::{self, Metrics};
use crate::rate_limit::WriteLimiter;
use crate::request_context::{self, REQUEST_ID_HEADER};

pub use body_limit::BODY_LIMIT;
pub use serve::{serve, serve_with, ConnectionLimits};

/// What a service hands to [`service_router`].
pub struct ServiceHttp {
    /// The service's own routes.
    pub api: Router,
    /// Its OpenAPI document, served at `/openapi.json` and browsed at `/docs`.
    pub openapi: OpenApi,
    pub auth: Authenticator,
    pub readiness: Readiness,
    pub metrics: Metrics,
    pub config: HttpConfig,
    /// The service's pool, when its `POST`s honour `Idempotency-Key`
    /// (its schema then has an `idempotency_keys` table).
    pub idempotency: Option<sqlx::PgPool>,
    /// Who is suspended, when the service refuses writes by suspended users
    /// (its schema then has an `account_suspensions` table).
    pub moderation: Option<crate::moderation::Suspensions>,
}

/// Wraps a service's routes in the platform's stack.
pub fn service_router(service: ServiceHttp) -> Router {
    let request_id = HeaderName::from_static(REQUEST_ID_HEADER);
    let timeout = service.config.request_timeout;
    let api = match service.idempotency {
        Some(pool) => service.api.layer(middleware::from_fn_with_state(
            pool,
            crate::idempotency::idempotent,
        )),
        None => service.api,
    };
    // Outside the idempotency layer: a refusal is never stored as a key's answer.
    let api = match service.moderation {
        Some(suspensions) => api.layer(middleware::from_fn_with_state(
            suspensions,
            crate::moderation::refuse_suspended,
        )),
        None => api,
    };
    // Outside both: a write refused for its rate is neither stored nor asked about.
    let api = match WriteLimiter::new(service.config.write_limit) {
        Some(limiter) => api.layer(middleware::from_fn_with_state(
            limiter,
            crate::rate_limit::limit_writes,
        )),
        None => api,
    };
    api.merge(SwaggerUi::new("/docs").url("/openapi.json", service.openapi))
        .merge(health::router(service.readiness))
        .route(
            "/metrics",
            axum::routing::get(metrics::serve).with_state(service.metrics.clone()),
        )
        .fallback(|| async { ApiError::not_found() })
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
        // Layers run bottom-up on the way in: the request id is set first, so
        // that every log line and every response carries it.
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(Extension(service.auth))
        .layer(middleware::from_fn_with_state(timeout, answer_within))
        .layer(middleware::from_fn_with_state(service.metrics, metrics::track))
        .layer(cors(&service.config.cors))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request| {
            let request_id = request
                .headers()
                .get(REQUEST_ID_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            tracing::info_span!("http", method = %request.method(), path = %request.uri().path(), request_id)
        }))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        // First of all: an id too long or not plain is dropped, so that the
        // layer above gives the request a fresh one.
        .layer(MapRequestLayer::new(
            request_context::drop_unfit_request_id::<axum::body::Body>,
        ))
}

/// A request still running after `timeout` is dropped and answered 503: it is
/// almost always waiting on a dependency, and the client may retry.
async fn answer_within(State(timeout): State<Duration>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(?timeout, "request timed out");
            ApiError::dependency_unavailable(format!(
                "the request did not finish within {}",
                humantime::format_duration(timeout)
            ))
            .into_response()
        }
    }
}

fn cors(origins: &CorsOrigins) -> CorsLayer {
    let allow = match origins {
        CorsOrigins::None => return CorsLayer::new(),
        CorsOrigins::Any => AllowOrigin::any(),
        CorsOrigins::List(list) => {
            AllowOrigin::list(list.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
        }
    };
    CorsLayer::new()
        .allow_origin(allow)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([
            axum::http::header::AUTHORIZATION,
            axum::http::header::CONTENT_TYPE,
            axum::http::header::IF_MATCH,
            HeaderName::from_static("idempotency-key"),
            HeaderName::from_static(REQUEST_ID_HEADER),
        ])
        .expose_headers([
            axum::http::header::ETAG,
            axum::http::header::LOCATION,
            axum::http::header::RETRY_AFTER,
            HeaderName::from_static(REQUEST_ID_HEADER),
        ])
        .max_age(Duration::from_secs(600))
}
