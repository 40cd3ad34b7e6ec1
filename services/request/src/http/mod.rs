//! request-service's HTTP API (docs/api.md, "request-service").

mod requests;

use axum::Router;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

pub use hearth_bus::app::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Hearth request-service",
        description = "Requests for goods. Errors are RFC 9457 problem+json; see docs/api.md."
    ),
    tags((name = "requests", description = "Requests for goods"))
)]
struct ApiDoc;

/// The service's routes and the OpenAPI document generated from them.
pub fn api(state: AppState) -> (Router, utoipa::openapi::OpenApi) {
    let (router, openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(requests::router())
        .with_state(state)
        .split_for_parts();
    (router, hearth_core::openapi::finish(openapi))
}
