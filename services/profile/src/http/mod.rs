//! profile-service's HTTP API (docs/api.md, "profile-service").

mod profiles;
mod ratings;
mod reports;

use axum::Router;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

pub use hearth_bus::app::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Hearth profile-service",
        description = "Profiles, ratings, reports and moderation. Errors are RFC 9457 problem+json; see docs/api.md."
    ),
    tags(
        (name = "profiles", description = "Profiles and their standing"),
        (name = "ratings", description = "Ratings after an exchange"),
        (name = "reports", description = "Reports of abuse, and their resolution by staff")
    )
)]
struct ApiDoc;

/// The service's routes and the OpenAPI document generated from them.
pub fn api(state: AppState) -> (Router, utoipa::openapi::OpenApi) {
    let (router, openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(profiles::router())
        .merge(ratings::router())
        .merge(reports::router())
        .with_state(state)
        .split_for_parts();
    let mut openapi = hearth_core::openapi::finish(openapi);
    staff_decisions_optional(&mut openapi);
    (router, openapi)
}

/// The suspend and reinstate bodies may be left out (`Option<ApiJson<_>>`
/// reads no body as no reason), but when sent are an object, never `null`;
/// utoipa can say only one of the two.
fn staff_decisions_optional(openapi: &mut utoipa::openapi::OpenApi) {
    for path in ["/profiles/{id}/suspend", "/profiles/{id}/reinstate"] {
        let body = openapi
            .paths
            .paths
            .get_mut(path)
            .and_then(|item| item.post.as_mut())
            .and_then(|operation| operation.request_body.as_mut());
        if let Some(body) = body {
            body.required = Some(utoipa::openapi::Required::False);
        }
    }
}

/// Staff-only endpoints answer 403 to everyone else (401 before that, from `Caller`).
fn require_staff(caller: &hearth_core::auth::Caller) -> hearth_core::ApiResult<()> {
    if caller.is_staff() {
        Ok(())
    } else {
        Err(hearth_core::ApiError::forbidden("only staff may do this"))
    }
}
