//! `GET /donations/{id}/parties`: the one read another service makes
//! (docs/events.md, "The one synchronous call"). messaging-service asks it
//! with a token good for this read of this donation alone; staff may too.
//! It names the donor even of an anonymous donation, which the check needs
//! and the public views hide, so nobody else may call it.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use hearth_core::auth::{ServiceCaller, DONATION_PARTIES_READ};
use hearth_core::extract::ApiPath;
use hearth_core::{ApiError, ApiResult};
use serde::Serialize;
use uuid::Uuid;

use super::AppState;
use crate::db;

pub fn router() -> Router<AppState> {
    Router::new().route("/donations/{id}/parties", get(parties))
}

/// A donation's donor and recipient, and whether the donor is anonymous
/// (messaging-service then lets the recipient write only once the donor has).
#[derive(Debug, Serialize)]
struct Parties {
    donor_id: Uuid,
    /// Null until the campaign or request accepted the donation.
    recipient_id: Option<Uuid>,
    anonymous: bool,
}

async fn parties(
    State(state): State<AppState>,
    caller: ServiceCaller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Parties>> {
    caller.require(&DONATION_PARTIES_READ, id)?;
    let donation = db::find(&state.db, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(Parties {
        donor_id: donation.donor_id,
        recipient_id: donation.recipient_id,
        anonymous: donation.anonymous,
    }))
}
