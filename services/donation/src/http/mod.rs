//! donation-service's HTTP API (API.md, donation-service).

mod donations;

use axum::Router;
use hearth_core::openapi::BearerAuth;
use sqlx::PgPool;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

#[derive(Debug, Clone)]
pub struct AppState {
    pub db: PgPool,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Hearth donation-service",
        description = "Money to campaigns, items to requests. Errors are RFC 9457 problem+json; see API.md."
    ),
    modifiers(&BearerAuth),
    tags((name = "donations", description = "Donations and their life cycle"))
)]
struct ApiDoc;

pub fn api(state: AppState) -> (Router, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(donations::router())
        .with_state(state)
        .split_for_parts()
}
