//! `/donations`: give, read, list, and the donor's and recipient's moves.

use axum::extract::State;
use axum::Json;
use hearth_bus::unit_of_work::UnitOfWork;
use hearth_core::auth::Caller;
use hearth_core::concurrency::{Created, Tagged};
use hearth_core::error::Problem;
use hearth_core::extract::{ApiJson, ApiPath, ApiQuery};
use hearth_core::idempotency::Claim;
use hearth_core::pagination::{Cursor, CursorText, Limit, Page, PageRequest};
use hearth_core::request_context::RequestContext;
use hearth_core::validation::{Validator, REASON_MAX_CHARS};
use hearth_core::{ApiError, ApiResult};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::AppState;
use crate::db::{self, Selection};
use crate::domain::new_donation::schema::DonationBody;
use crate::domain::{Action, CreateDonation, Donation, DonationView};
use crate::transitions;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_donation, list_donations))
        .routes(routes!(get_donation))
        .routes(routes!(cancel_donation))
        .routes(routes!(receive_donation))
        .routes(routes!(refund_donation))
}

/// Give money to a campaign or items to a request
///
/// Answers at once with a `pending` donation; the campaign or request accepts
/// or refuses it through the saga. Emits `donation.created`.
#[utoipa::path(
    post, path = "/donations", tag = "donations",
    request_body = DonationBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created, pending", body = DonationView),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Your account is suspended, or a service token without a user", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn create_donation(
    State(state): State<AppState>,
    caller: Caller,
    context: RequestContext,
    claim: Claim,
    ApiJson(body): ApiJson<CreateDonation>,
) -> ApiResult<Created<DonationView>> {
    // An earlier run of this very request made it; its answer was lost.
    if let Some(donation) = claim.created_before(|id| db::find(&state.db, id)).await? {
        return answer(donation, &caller);
    }
    let new = body.parse(caller.person()?)?;
    let id = claim.resource_id();
    let donation =
        transitions::create(&state.db, &state.waker, id, &new, &context.event_context()).await?;
    answer(donation, &caller)
}

/// The donor's own view: they see all of it.
fn answer(donation: Donation, caller: &Caller) -> ApiResult<Created<DonationView>> {
    Ok(Created {
        location: format!("/donations/{}", donation.id),
        resource: answer_to(donation, caller)?,
    })
}

/// Get a donation
///
/// Donor and staff see everything; the recipient sees it in any status, and
/// anyone else only a confirmed or completed one; both without the donor
/// when it is anonymous.
#[utoipa::path(
    get, path = "/donations/{id}", tag = "donations",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The donation", body = DonationView),
        (status = 404, description = "No such donation, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn get_donation(
    State(state): State<AppState>,
    caller: Option<Caller>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Tagged<DonationView>> {
    db::find(&state.db, id)
        .await?
        .and_then(|d| d.seen_by(caller.as_ref()))
        .map(Tagged)
        .ok_or_else(ApiError::not_found)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// The confirmed and completed donations to this campaign.
    campaign_id: Option<Uuid>,
    /// The confirmed and completed donations to this request.
    request_id: Option<Uuid>,
    /// `true`: the caller's own donations, every status.
    mine: Option<bool>,
    /// `true`: the donations the caller received.
    received: Option<bool>,
    #[param(inline, value_type = Option<Limit>)]
    limit: Option<u32>,
    #[param(inline, value_type = Option<CursorText>)]
    cursor: Option<String>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
struct DonationPage {
    items: Vec<DonationView>,
    #[schema(inline, value_type = Option<CursorText>)]
    next_cursor: Option<String>,
}

/// List donations
///
/// Exactly one of `campaign_id`, `request_id`, `mine=true`, `received=true`.
/// Each donation reads as `GET /donations/{id}` shows it to the caller: an
/// anonymous donor is null to everyone but the donor and staff.
#[utoipa::path(
    get, path = "/donations", tag = "donations",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of donations", body = DonationPage),
        (status = 400, description = "Not exactly one selection, or a parameter does not parse", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "mine or received without a valid token", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn list_donations(
    State(state): State<AppState>,
    caller: Option<Caller>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<DonationView>>> {
    let page = PageRequest::new(query.limit, query.cursor.as_deref())?;
    let signed_in =
        || caller.ok_or_else(|| ApiError::unauthenticated("sign in to list your donations"));
    let selection = match (
        query.campaign_id,
        query.request_id,
        query.mine == Some(true),
        query.received == Some(true),
    ) {
        (Some(id), None, false, false) => Selection::Campaign(id),
        (None, Some(id), false, false) => Selection::Request(id),
        (None, None, true, false) => Selection::Donor(signed_in()?.id),
        (None, None, false, true) => Selection::Recipient(signed_in()?.id),
        _ => {
            return Err(ApiError::bad_query(
                "give exactly one of campaign_id, request_id, mine=true or received=true",
            ))
        }
    };
    let rows = db::list(&state.db, selection, &page).await?;
    let page = Page::from_rows(rows, &page, |d| Cursor {
        created_at: d.created_at,
        id: d.id,
    });
    let items = page
        .items
        .into_iter()
        .filter_map(|d| d.seen_by(caller.as_ref()))
        .collect();
    Ok(Json(Page {
        items,
        next_cursor: page.next_cursor,
    }))
}

/// Loads a donation for a move by `caller`: 404 if they may not see it.
async fn load_for_move(
    conn: &mut sqlx::PgConnection,
    id: Uuid,
    caller: &Caller,
) -> ApiResult<Donation> {
    db::lock(conn, id)
        .await?
        .filter(|d| d.is_party(Some(caller)) || d.status.is_public())
        .ok_or_else(ApiError::not_found)
}

/// A move's answer, as its caller (a party) may see the donation.
fn answer_to(d: Donation, caller: &Caller) -> ApiResult<DonationView> {
    d.seen_by(Some(caller)).ok_or_else(ApiError::not_found)
}

fn refused(d: &Donation, what: &str) -> ApiError {
    ApiError::invalid_state(format!(
        "a {} {} donation cannot be {what}",
        d.status,
        d.kind().as_str()
    ))
}

/// Cancel a donation
///
/// The donor while it is pending (an item donation also once confirmed);
/// the recipient of a confirmed item donation. Emits `donation.cancelled`.
#[utoipa::path(
    post, path = "/donations/{id}/cancel", tag = "donations",
    params(("id" = Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Cancelled", body = DonationView),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the donor or recipient", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such donation", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_state`: it cannot be cancelled now", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn cancel_donation(
    State(state): State<AppState>,
    caller: Caller,
    context: RequestContext,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Tagged<DonationView>> {
    let mut tx = UnitOfWork::begin(&state.db, &state.waker).await?;
    let d = load_for_move(&mut tx, id, &caller).await?;
    let Some(by) = d.canceller(&caller) else {
        return Err(ApiError::forbidden(
            "only the donor or the recipient may cancel a donation",
        ));
    };
    let Some(to) = d.after(Action::Cancel) else {
        return Err(refused(&d, "cancelled by you"));
    };
    let d = transitions::cancel(&mut tx, &d, to, by, &context.event_context()).await?;
    tx.commit().await?;
    Ok(Tagged(answer_to(d, &caller)?))
}

/// Mark an item donation received
///
/// The recipient of a confirmed item donation. Emits `donation.completed`.
#[utoipa::path(
    post, path = "/donations/{id}/receive", tag = "donations",
    params(("id" = Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Completed", body = DonationView),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the recipient", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such donation", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_state`: not a confirmed item donation", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn receive_donation(
    State(state): State<AppState>,
    caller: Caller,
    context: RequestContext,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Tagged<DonationView>> {
    let mut tx = UnitOfWork::begin(&state.db, &state.waker).await?;
    let d = load_for_move(&mut tx, id, &caller).await?;
    if !d.is_recipient(&caller) {
        return Err(ApiError::forbidden(
            "only the recipient may mark a donation received",
        ));
    }
    let Some(receipt) = d.receipt() else {
        return Err(refused(&d, "received"));
    };
    let d = transitions::receive(&mut tx, &d, receipt, &context.event_context()).await?;
    tx.commit().await?;
    Ok(Tagged(answer_to(d, &caller)?))
}

/// The body of `POST /donations/{id}/refund`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "The blankets were never sent"}))]
struct Refund {
    /// Why; told to the donor.
    #[schema(schema_with = refund_reason)]
    reason: String,
}

fn refund_reason() -> utoipa::openapi::Object {
    hearth_core::openapi::text::text(1, REASON_MAX_CHARS)
}

/// Refund a money donation
///
/// The recipient or staff, for a confirmed money donation. Emits `donation.refunded`.
#[utoipa::path(
    post, path = "/donations/{id}/refund", tag = "donations",
    params(("id" = Uuid, Path)),
    request_body = Refund,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Refunded", body = DonationView),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the recipient or staff", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such donation", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_state`: not a confirmed money donation", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn refund_donation(
    State(state): State<AppState>,
    caller: Caller,
    context: RequestContext,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<Refund>,
) -> ApiResult<Tagged<DonationView>> {
    let reason = body.reason.trim().to_owned();
    Validator::new()
        .length(&reason, "reason", 1, REASON_MAX_CHARS)
        .finish()?;
    let mut tx = UnitOfWork::begin(&state.db, &state.waker).await?;
    let d = load_for_move(&mut tx, id, &caller).await?;
    if !(d.is_recipient(&caller) || caller.is_staff()) {
        return Err(ApiError::forbidden(
            "only the recipient or staff may refund a donation",
        ));
    }
    let Some(refund) = d.refund() else {
        return Err(refused(&d, "refunded"));
    };
    let d = transitions::refund(&mut tx, &d, refund, &reason, &context.event_context()).await?;
    tx.commit().await?;
    Ok(Tagged(answer_to(d, &caller)?))
}
