//! messaging-service's HTTP API (docs/api.md, "messaging-service").

mod messages;
mod notifications;

use axum::Router;
use hearth_bus::wake::Waker;
use sqlx::PgPool;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

#[derive(Debug, Clone)]
pub struct AppState {
    pub db: PgPool,
    pub donations: crate::donation_service::DonationService,
    /// Handed to each unit of work: wakes the relay after a commit that emitted.
    pub waker: Waker,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Hearth messaging-service",
        description = "Messages between people, and notifications made from events. Errors are RFC 9457 problem+json; see docs/api.md."
    ),
    tags(
        (name = "messages", description = "Messages between two people; only they ever see them"),
        (name = "notifications", description = "What happened that the caller should know about")
    )
)]
struct ApiDoc;

pub fn api(state: AppState) -> (Router, utoipa::openapi::OpenApi) {
    let (router, openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(messages::router())
        .merge(notifications::router())
        .with_state(state)
        .split_for_parts();
    (router, hearth_core::openapi::finish(openapi))
}
