//! donation-service's HTTP API (docs/api.md, "donation-service").

mod donations;
mod parties;

use axum::Router;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

pub use hearth_bus::app::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Hearth donation-service",
        description = "Money to campaigns, items to requests. Errors are RFC 9457 problem+json; see docs/api.md."
    ),
    tags((name = "donations", description = "Donations and their life cycle"))
)]
struct ApiDoc;

pub fn api(state: AppState) -> (Router, utoipa::openapi::OpenApi) {
    let (public, openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(donations::router())
        .with_state(state.clone())
        .split_for_parts();
    // The read other services make is not part of the public API document.
    let mut openapi = hearth_core::openapi::finish(openapi);
    one_selection(&mut openapi);
    (public.merge(parties::router().with_state(state)), openapi)
}

/// `GET /donations` takes exactly one of its selections, a rule between
/// parameters that OpenAPI cannot state: said in words, and marked for the
/// tools that read the document (api-tests' hooks).
fn one_selection(openapi: &mut utoipa::openapi::OpenApi) {
    let list = openapi
        .paths
        .paths
        .get_mut("/donations")
        .and_then(|item| item.get.as_mut());
    if let Some(list) = list {
        list.extensions.get_or_insert_with(Default::default).merge(
            utoipa::openapi::extensions::ExtensionsBuilder::new()
                .add(
                    "x-hearth-exactly-one-of",
                    serde_json::json!(["campaign_id", "request_id", "mine", "received"]),
                )
                .build(),
        );
    }
}
