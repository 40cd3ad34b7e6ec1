//! donation-service's HTTP API (docs/api.md, "donation-service").

mod donations;
mod parties;

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
    let (public, openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(donations::router())
        .with_state(state.clone())
        .split_for_parts();
    // The read other services make is not part of the public API document.
    (public.merge(parties::router().with_state(state)), openapi)
}
