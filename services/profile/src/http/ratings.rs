//! `POST /ratings`: the donor and the recipient of a donation that went
//! through rate each other, once each.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hearth_bus::unit_of_work::UnitOfWork;
use hearth_core::auth::Caller;
use hearth_core::error::Problem;
use hearth_core::extract::ApiJson;
use hearth_core::idempotency::Claim;
use hearth_core::request_context::RequestContext;
use hearth_core::{ApiError, ApiResult};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use crate::domain::{ratee_for, CreateRating, RatingView};
use crate::{db, transitions};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_rating))
}

/// Rate the other party of a donation
///
/// The caller must be the donor or the recipient of a confirmed money or a
/// completed item donation, and rates the other one, once. profile-service
/// learns of such donations from events: one it has not heard of yet, one
/// refunded since, or a caller who is not a party, is a 409 `not_eligible`; a
/// second rating is a 409 `conflict`. The answer hides an anonymous donor
/// from the recipient who rates them (no `ratee_id`, `donation_id` or
/// `Location`). Emits `rating.created`.
#[utoipa::path(
    post, path = "/ratings", tag = "ratings",
    request_body = CreateRating,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Rated", body = RatingView),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Your account is suspended", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`not_eligible`: not a party to a donation that went through; or `conflict`: already rated", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn create_rating(
    State(state): State<AppState>,
    caller: Caller,
    context: RequestContext,
    claim: Claim,
    ApiJson(body): ApiJson<CreateRating>,
) -> ApiResult<impl IntoResponse> {
    // An earlier run of this very request made it; its answer was lost.
    if let Some(rating) = claim
        .created_before(|id| db::find_rating(&state.db, id))
        .await?
    {
        return Ok(rated(rating.seen_by(Some(&caller))));
    }
    let new = body.parse(&caller)?;
    let mut tx = UnitOfWork::begin(&state.db, &state.waker).await?;
    let exchange = db::find_rateable_exchange(&mut tx, new.donation_id)
        .await?
        .ok_or_else(|| {
            ApiError::not_eligible(
                "this donation has not gone through (yet), or was refunded: a money donation \
                 must be confirmed and not refunded, an item donation completed",
            )
        })?;
    let ratee_id = ratee_for(&exchange, caller.id)?;
    let id = claim.resource_id();
    let rating = transitions::rate(
        &mut tx,
        id,
        &new,
        caller.id,
        ratee_id,
        &context.event_context(),
    )
    .await?
    .ok_or_else(|| ApiError::conflict("you already rated this donation"))?;
    tx.commit().await?;
    Ok(rated(rating.seen_by(Some(&caller))))
}

/// `201` with the rating as the rater may see it. `Location` is the ratee's
/// ratings, unless that would name an anonymous donor. A rating never
/// changes, so it has no version and no ETag.
fn rated(rating: RatingView) -> Response {
    let location = rating
        .ratee_id
        .map(|ratee| format!("/profiles/{ratee}/ratings"));
    let mut response = (StatusCode::CREATED, Json(rating)).into_response();
    if let Some(location) = location.and_then(|l| header::HeaderValue::from_str(&l).ok()) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}
