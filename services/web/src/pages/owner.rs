//! The routes of what people run on Hearth: their campaigns and requests,
//! and the gifts they received. One function, so the site's router gains
//! them with one line.

use axum::routing::{get, post};
use axum::Router;

use super::{campaign_owner, owned, received, request_owner};
use crate::api::campaigns::Campaign;
use crate::api::requests::Request;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/campaigns/new", get(campaign_owner::new_form))
        .route("/campaigns", post(campaign_owner::start))
        .route(
            "/campaigns/{id}/edit",
            get(owned::manage::<Campaign>).post(owned::save::<Campaign>),
        )
        .route("/campaigns/{id}/status", post(campaign_owner::move_to))
        .route("/requests/new", get(request_owner::new_form))
        .route("/requests", post(request_owner::post))
        .route(
            "/requests/{id}/edit",
            get(owned::manage::<Request>).post(owned::save::<Request>),
        )
        .route("/requests/{id}/close", post(request_owner::close))
        .route("/received", get(received::show))
        .route("/received/{id}/receive", post(received::receive))
        .route("/received/{id}/cancel", post(received::cancel))
        .route(
            "/received/{id}/refund",
            get(received::refund_form).post(received::refund),
        )
}
