//! `/requests`: create, list, read, edit, close, and staff's suspension.

use axum::extract::State;
use axum::Json;
use chrono::Utc;
use hearth_bus::unit_of_work::UnitOfWork;
use hearth_core::auth::Caller;
use hearth_core::concurrency::{Created, IfMatch, Tagged};
use hearth_core::error::Problem;
use hearth_core::extract::{ApiJson, ApiPath, ApiQuery};
use hearth_core::filters::text_filter;
use hearth_core::idempotency::Claim;
use hearth_core::owned::{self, Owned};
use hearth_core::pagination::{Cursor, CursorText, Limit, Page, PageRequest};
use hearth_core::request_context::RequestContext;
use hearth_core::validation::{Validator, REASON_MAX_CHARS};
use hearth_core::{ApiError, ApiResult};
use serde::Deserialize;
use sqlx::PgConnection;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::AppState;
use crate::db::{self, ListFilter};
use crate::domain::{CreateRequest, Moderated, Request, Status, UpdateRequest};
use crate::transitions;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_request, list_requests))
        .routes(routes!(get_request, update_request))
        .routes(routes!(close_request))
        .routes(routes!(change_status))
}

/// Create a request
///
/// The caller becomes its requester. Emits `request.created`.
#[utoipa::path(
    post, path = "/requests", tag = "requests",
    request_body = CreateRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Request),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn create_request(
    State(state): State<AppState>,
    caller: Caller,
    context: RequestContext,
    claim: Claim,
    ApiJson(body): ApiJson<CreateRequest>,
) -> ApiResult<Created<Request>> {
    // An earlier run of this very request created it; its answer was lost.
    if let Some(request) = claim.created_before(|id| db::find(&state.db, id)).await? {
        return Ok(answer(request));
    }
    let new = body.parse(&caller, Utc::now())?;
    let mut tx = UnitOfWork::begin(&state.db, &state.waker).await?;
    let request =
        transitions::create(&mut tx, claim.resource_id(), &new, &context.event_context()).await?;
    tx.commit().await?;
    Ok(answer(request))
}

fn answer(request: Request) -> Created<Request> {
    Created {
        location: format!("/requests/{}", request.id),
        resource: request,
    }
}

/// `GET /requests` query parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    status: Option<Status>,
    /// Only this category.
    #[param(schema_with = hearth_core::filters::schema)]
    category: Option<String>,
    requester_id: Option<Uuid>,
    /// Words to find in the title or description.
    #[param(schema_with = hearth_core::filters::schema)]
    q: Option<String>,
    #[param(inline, value_type = Option<Limit>)]
    limit: Option<u32>,
    #[param(inline, value_type = Option<CursorText>)]
    cursor: Option<String>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
struct RequestPage {
    items: Vec<Request>,
    #[schema(inline, value_type = Option<CursorText>)]
    next_cursor: Option<String>,
}

/// List requests
///
/// Newest first. Suspended requests show only to staff.
#[utoipa::path(
    get, path = "/requests", tag = "requests",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of requests", body = RequestPage),
        (status = 400, description = "A query parameter does not parse, or q or category is over 200 characters", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn list_requests(
    State(state): State<AppState>,
    caller: Option<Caller>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<Request>>> {
    let page = PageRequest::new(query.limit, query.cursor.as_deref())?;
    let filter = ListFilter {
        status: query.status,
        requester_id: query.requester_id,
        category: text_filter("category", query.category)?,
        q: text_filter("q", query.q)?,
    };
    let rows = db::list(&state.db, &filter, &page, caller.as_ref()).await?;
    Ok(Json(Page::from_rows(rows, &page, |r| Cursor {
        created_at: r.created_at,
        id: r.id,
    })))
}

/// Get a request
///
/// A suspended request is a 404 to anyone but staff.
#[utoipa::path(
    get, path = "/requests/{id}", tag = "requests",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The request, with `ETag: \"<version>\"`", body = Request),
        (status = 404, description = "No such request, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn get_request(
    State(state): State<AppState>,
    caller: Option<Caller>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Tagged<Request>> {
    db::find(&state.db, id)
        .await?
        .filter(|r| r.is_visible_to(caller.as_ref()))
        .map(Tagged)
        .ok_or_else(ApiError::not_found)
}

/// Loads a request for a write by `caller`, locked for the transaction
/// (`hearth_core::owned::for_write`: 404, 403 or 412 otherwise).
async fn load_for_write(
    conn: &mut PgConnection,
    id: Uuid,
    caller: &Caller,
    if_match: IfMatch,
) -> ApiResult<Request> {
    owned::for_write(db::lock(conn, id).await?, caller, if_match)
}

/// Edit a request
///
/// Owner or staff, while it is open. `quantity_needed` never goes below what
/// is already pledged plus fulfilled (422). Send `If-Match: "<version>"` to
/// apply only to the version you saw. Emits `request.updated` when something
/// changed; lowering `quantity_needed` to what was received fulfils it.
#[utoipa::path(
    patch, path = "/requests/{id}", tag = "requests",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)),
    request_body = UpdateRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The request as it is now", body = Request),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the owner or staff", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_state`: the request is no longer open", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match is stale", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or quantity_needed below what is pledged plus fulfilled", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn update_request(
    State(state): State<AppState>,
    caller: Caller,
    context: RequestContext,
    if_match: IfMatch,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<UpdateRequest>,
) -> ApiResult<Tagged<Request>> {
    let mut tx = UnitOfWork::begin(&state.db, &state.waker).await?;
    let request = load_for_write(&mut tx, id, &caller, if_match).await?;
    if !request.status.is_open() {
        return Err(ApiError::invalid_state(format!(
            "a {} request cannot be edited",
            request.status
        )));
    }
    let changes = body.parse(&request, Utc::now())?;
    if changes.is_empty() {
        return Ok(Tagged(request));
    }
    let event_context = context.event_context();
    let updated = transitions::update(&mut tx, id, changes, &event_context).await?;
    let updated = transitions::fulfil_if_complete(&mut tx, &updated, &event_context)
        .await?
        .unwrap_or(updated);
    tx.commit().await?;
    Ok(Tagged(updated))
}

/// How a request may be closed.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
enum Closing {
    Fulfilled,
    Cancelled,
}

/// The body of `POST /requests/{id}/close`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "fulfilled", "reason": "Twenty blankets arrived"}))]
struct Close {
    status: Closing,
    /// Why; carried in the event.
    #[schema(schema_with = hearth_core::validation::reason_schema)]
    reason: Option<String>,
}

/// Close a request
///
/// Owner or staff, while it is open: `fulfilled` (enough arrived, however it
/// came) or `cancelled`. Pledges already accepted stay as they are. Emits
/// `request.status_changed`.
#[utoipa::path(
    post, path = "/requests/{id}/close", tag = "requests",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)),
    request_body = Close,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The request, closed", body = Request),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the owner or staff", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_state`: the request is not open", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match is stale", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn close_request(
    State(state): State<AppState>,
    caller: Caller,
    context: RequestContext,
    if_match: IfMatch,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<Close>,
) -> ApiResult<Tagged<Request>> {
    let to = match body.status {
        Closing::Fulfilled => Status::Fulfilled,
        Closing::Cancelled => Status::Cancelled,
    };
    move_request(&state, &caller, &context, if_match, id, to, body.reason).await
}

/// The body of `POST /requests/{id}/status`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "suspended", "reason": "Reported as a duplicate"}))]
struct ChangeStatus {
    status: Status,
    /// Why; carried in the event.
    #[schema(schema_with = hearth_core::validation::reason_schema)]
    reason: Option<String>,
}

/// Change a request's status
///
/// Along the state machine: staff suspend a request from any status and
/// reinstate it to the status it had; owners may use it to close, as with
/// `/close`. Emits `request.status_changed`.
#[utoipa::path(
    post, path = "/requests/{id}/status", tag = "requests",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)),
    request_body = ChangeStatus,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The request in its new status", body = Request),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the owner or staff, or a staff-only move", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_state`: the state machine does not allow it", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match is stale", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn change_status(
    State(state): State<AppState>,
    caller: Caller,
    context: RequestContext,
    if_match: IfMatch,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<ChangeStatus>,
) -> ApiResult<Tagged<Request>> {
    move_request(
        &state,
        &caller,
        &context,
        if_match,
        id,
        body.status,
        body.reason,
    )
    .await
}

/// One status move by `caller`, checked against the state machine.
async fn move_request(
    state: &AppState,
    caller: &Caller,
    context: &RequestContext,
    if_match: IfMatch,
    id: Uuid,
    to: Status,
    reason: Option<String>,
) -> ApiResult<Tagged<Request>> {
    let reason = reason
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    if let Some(reason) = &reason {
        Validator::new()
            .length(reason, "reason", 0, REASON_MAX_CHARS)
            .finish()?;
    }
    let mut tx = UnitOfWork::begin(&state.db, &state.waker).await?;
    let request = load_for_write(&mut tx, id, caller, if_match).await?;
    let change = request
        .status
        .change_to(to, request.suspended_from, caller.is_staff())?;
    let event_context = context.event_context();
    let updated =
        transitions::change_status(&mut tx, &request, change, reason, &event_context).await?;
    // Items received while staff had it suspended: reinstated, it is complete.
    let updated = transitions::fulfil_if_complete(&mut tx, &updated, &event_context)
        .await?
        .unwrap_or(updated);
    tx.commit().await?;
    Ok(Tagged(updated))
}
