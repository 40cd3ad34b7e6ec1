//! `/campaigns`: create, list, read, edit, and move along the state machine.

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
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::AppState;
use crate::db::{self, ListFilter};
use crate::domain::{Campaign, CreateCampaign, Moderated, Status, UpdateCampaign};
use crate::transitions;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_campaign, list_campaigns))
        .routes(routes!(get_campaign, update_campaign))
        .routes(routes!(change_status))
}

/// Create a campaign
///
/// The caller becomes its recipient unless staff name another. Emits `campaign.created`.
#[utoipa::path(
    post, path = "/campaigns", tag = "campaigns",
    request_body = CreateCampaign,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Campaign),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only staff may name another recipient", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn create_campaign(
    State(state): State<AppState>,
    caller: Caller,
    context: RequestContext,
    claim: Claim,
    ApiJson(body): ApiJson<CreateCampaign>,
) -> ApiResult<Created<Campaign>> {
    // An earlier run of this very request created it; its answer was lost.
    if let Some(campaign) = claim.created_before(|id| db::find(&state.db, id)).await? {
        return Ok(answer(campaign));
    }
    let new = body.parse(&caller, Utc::now())?;
    let mut tx = UnitOfWork::begin(&state.db, &state.waker).await?;
    let campaign =
        transitions::create(&mut tx, claim.resource_id(), &new, &context.event_context()).await?;
    tx.commit().await?;
    Ok(answer(campaign))
}

fn answer(campaign: Campaign) -> Created<Campaign> {
    Created {
        location: format!("/campaigns/{}", campaign.id),
        resource: campaign,
    }
}

/// `GET /campaigns` query parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    status: Option<Status>,
    recipient_id: Option<Uuid>,
    /// Only this category.
    #[param(schema_with = hearth_core::filters::schema)]
    category: Option<String>,
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
struct CampaignPage {
    items: Vec<Campaign>,
    #[schema(inline, value_type = Option<CursorText>)]
    next_cursor: Option<String>,
}

/// List campaigns
///
/// Newest first. Drafts show only to their owner, suspended campaigns only to staff.
#[utoipa::path(
    get, path = "/campaigns", tag = "campaigns",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of campaigns", body = CampaignPage),
        (status = 400, description = "A query parameter does not parse, or q or category is over 200 characters", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn list_campaigns(
    State(state): State<AppState>,
    caller: Option<Caller>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<Campaign>>> {
    let page = PageRequest::new(query.limit, query.cursor.as_deref())?;
    let filter = ListFilter {
        status: query.status,
        recipient_id: query.recipient_id,
        category: text_filter("category", query.category)?,
        q: text_filter("q", query.q)?,
    };
    let rows = db::list(&state.db, &filter, &page, caller.as_ref()).await?;
    Ok(Json(Page::from_rows(rows, &page, |c| Cursor {
        created_at: c.created_at,
        id: c.id,
    })))
}

/// Get a campaign
///
/// A campaign the caller may not see is a 404, as if it did not exist.
#[utoipa::path(
    get, path = "/campaigns/{id}", tag = "campaigns",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The campaign, with `ETag: \"<version>\"`", body = Campaign),
        (status = 404, description = "No such campaign, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn get_campaign(
    State(state): State<AppState>,
    caller: Option<Caller>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Tagged<Campaign>> {
    db::find(&state.db, id)
        .await?
        .filter(|c| c.is_visible_to(caller.as_ref()))
        .map(Tagged)
        .ok_or_else(ApiError::not_found)
}

/// Loads a campaign for a write by `caller`, locked for the transaction
/// (`hearth_core::owned::for_write`: 404, 403 or 412 otherwise).
async fn load_for_write(
    conn: &mut sqlx::PgConnection,
    id: Uuid,
    caller: &Caller,
    if_match: IfMatch,
) -> ApiResult<Campaign> {
    owned::for_write(db::lock(conn, id).await?, caller, if_match)
}

/// Edit a campaign
///
/// Owner or staff; not once it is completed, cancelled or suspended.
/// Send `If-Match: "<version>"` to apply only to the version you saw.
/// Emits `campaign.updated` when something changed.
#[utoipa::path(
    patch, path = "/campaigns/{id}", tag = "campaigns",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)),
    request_body = UpdateCampaign,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The campaign as it is now", body = Campaign),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the owner or staff", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such campaign", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_state`: the campaign is completed, cancelled or suspended", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match is stale", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn update_campaign(
    State(state): State<AppState>,
    caller: Caller,
    context: RequestContext,
    if_match: IfMatch,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<UpdateCampaign>,
) -> ApiResult<Tagged<Campaign>> {
    let mut tx = UnitOfWork::begin(&state.db, &state.waker).await?;
    let campaign = load_for_write(&mut tx, id, &caller, if_match).await?;
    if !campaign.status.is_editable() {
        return Err(ApiError::invalid_state(format!(
            "a {} campaign cannot be edited",
            campaign.status
        )));
    }
    let changes = body.parse(&campaign, Utc::now())?;
    if changes.is_empty() {
        return Ok(Tagged(campaign));
    }
    let updated =
        transitions::update(&mut tx, &campaign, changes, &context.event_context()).await?;
    tx.commit().await?;
    Ok(Tagged(updated))
}

/// The body of `POST /campaigns/{id}/status`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "paused", "reason": "Collecting resumes after the holidays"}))]
struct ChangeStatus {
    status: Status,
    /// Why; carried in the event.
    #[schema(schema_with = hearth_core::validation::reason_schema)]
    reason: Option<String>,
}

/// Change a campaign's status
///
/// Along the campaign state machine (docs/api.md); staff alone suspend and reinstate.
/// Emits `campaign.status_changed`.
#[utoipa::path(
    post, path = "/campaigns/{id}/status", tag = "campaigns",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)),
    request_body = ChangeStatus,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The campaign in its new status", body = Campaign),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the owner or staff, or a staff-only move", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such campaign", body = Problem, content_type = "application/problem+json"),
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
) -> ApiResult<Tagged<Campaign>> {
    let reason = body
        .reason
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    if let Some(reason) = &reason {
        Validator::new()
            .length(reason, "reason", 0, REASON_MAX_CHARS)
            .finish()?;
    }
    let mut tx = UnitOfWork::begin(&state.db, &state.waker).await?;
    let campaign = load_for_write(&mut tx, id, &caller, if_match).await?;
    let change =
        campaign
            .status
            .change_to(body.status, campaign.suspended_from, caller.is_staff())?;
    let updated =
        transitions::change_status(&mut tx, &campaign, change, reason, &context.event_context())
            .await?;
    tx.commit().await?;
    Ok(Tagged(updated))
}
