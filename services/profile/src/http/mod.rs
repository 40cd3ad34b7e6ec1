//! profile-service's HTTP API (docs/api.md, "profile-service").

mod profiles;
mod ratings;
mod reports;

use axum::Router;
use hearth_core::openapi::BearerAuth;
use sqlx::PgPool;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    pub db: PgPool,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Hearth profile-service",
        description = "Profiles, ratings, reports and moderation. Errors are RFC 9457 problem+json; see API.md."
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "profiles", description = "Profiles and their standing"),
        (name = "ratings", description = "Ratings after an exchange"),
        (name = "reports", description = "Reports of abuse, and their resolution by staff")
    )
)]
struct ApiDoc;

/// The service's routes and the OpenAPI document generated from them.
pub fn api(state: AppState) -> (Router, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(profiles::router())
        .merge(ratings::router())
        .merge(reports::router())
        .with_state(state)
        .split_for_parts()
}

/// Staff-only endpoints answer 403 to everyone else (401 before that, from `Caller`).
fn require_staff(caller: &hearth_core::auth::Caller) -> hearth_core::ApiResult<()> {
    if caller.is_staff() {
        Ok(())
    } else {
        Err(hearth_core::ApiError::forbidden("only staff may do this"))
    }
}
