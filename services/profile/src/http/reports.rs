//! `/reports`: anyone reports abuse; the reporter and staff follow it; staff
//! resolve it, hiding the target or suspending its author.

use axum::extract::State;
use axum::Json;
use hearth_bus::unit_of_work::UnitOfWork;
use hearth_core::auth::Caller;
use hearth_core::concurrency::{Created, IfMatch, Tagged};
use hearth_core::error::Problem;
use hearth_core::extract::{ApiJson, ApiPath, ApiQuery};
use hearth_core::idempotency::Claim;
use hearth_core::moderation::Decided;
use hearth_core::pagination::{Cursor, CursorText, Limit, Page, PageRequest};
use hearth_core::request_context::RequestContext;
use hearth_core::{ApiError, ApiResult};
use hearth_events::EventContext;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::{require_staff, AppState};
use crate::domain::{
    CreateReport, Report, ReportAction, ReportStatus, ResolveReport, TargetType, ValidResolution,
};
use crate::{db, transitions};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_report, list_reports))
        .routes(routes!(get_report))
        .routes(routes!(resolve_report))
}

/// Report abuse
///
/// Any signed-in user, about a profile, campaign, request, donation, message
/// or rating. One open report per reporter and target: a second is a 409
/// `conflict`. Emits `report.created`.
#[utoipa::path(
    post, path = "/reports", tag = "reports",
    request_body = CreateReport,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Filed", body = Report),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Your account is suspended, or a service token without a user", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`conflict`: you already have an open report on this", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn create_report(
    State(state): State<AppState>,
    caller: Caller,
    context: RequestContext,
    claim: Claim,
    ApiJson(body): ApiJson<CreateReport>,
) -> ApiResult<Created<Report>> {
    // An earlier run of this very request filed it; its answer was lost.
    if let Some(report) = claim
        .created_before(|id| db::find_report(&state.db, id))
        .await?
    {
        return Ok(answer(report));
    }
    let reporter = caller.person()?;
    let new = body.parse()?;
    let mut tx = UnitOfWork::begin(&state.db, &state.waker).await?;
    let id = claim.resource_id();
    let report = transitions::file_report(&mut tx, id, reporter, &new, &context.event_context())
        .await?
        .ok_or_else(|| ApiError::conflict("you already have an open report on this"))?;
    tx.commit().await?;
    Ok(answer(report))
}

fn answer(report: Report) -> Created<Report> {
    Created {
        location: format!("/reports/{}", report.id),
        resource: report,
    }
}

/// `GET /reports` query parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    status: Option<ReportStatus>,
    #[param(inline, value_type = Option<Limit>)]
    limit: Option<u32>,
    #[param(inline, value_type = Option<CursorText>)]
    cursor: Option<String>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
struct ReportPage {
    items: Vec<Report>,
    #[schema(inline, value_type = Option<CursorText>)]
    next_cursor: Option<String>,
}

/// List reports
///
/// Staff only; newest first.
#[utoipa::path(
    get, path = "/reports", tag = "reports",
    params(ListQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of reports", body = ReportPage),
        (status = 400, description = "A query parameter does not parse", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn list_reports(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<Report>>> {
    require_staff(&caller)?;
    let page = PageRequest::new(query.limit, query.cursor.as_deref())?;
    let rows = db::list_reports(&state.db, query.status, &page).await?;
    Ok(Json(Page::from_rows(rows, &page, |r| Cursor {
        created_at: r.created_at,
        id: r.id,
    })))
}

/// A report
///
/// Its reporter and staff; anyone else gets a 404.
#[utoipa::path(
    get, path = "/reports/{id}", tag = "reports",
    params(("id" = Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The report", body = Report),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such report, or not yours", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn get_report(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Tagged<Report>> {
    db::find_report(&state.db, id)
        .await?
        .filter(|r| caller.is_staff() || r.reporter_id == caller.id)
        .map(Tagged)
        .ok_or_else(ApiError::not_found)
}

/// Resolve a report
///
/// Staff only, while it is open. `actioned` may take an action:
/// `hide_target` suspends a campaign or request in its own service (through
/// `report.resolved`) or hides a rating here; `suspend_user` suspends the
/// reported person, or a rating's author. Emits `report.resolved`.
#[utoipa::path(
    post, path = "/reports/{id}/resolve", tag = "reports",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)),
    request_body = ResolveReport,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Resolved", body = Report),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such report", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_state`: already resolved, or the reported rating is gone", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match is stale", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An action that does not fit the report", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn resolve_report(
    State(state): State<AppState>,
    caller: Caller,
    context: RequestContext,
    if_match: IfMatch,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<ResolveReport>,
) -> ApiResult<(Option<Decided>, Tagged<Report>)> {
    require_staff(&caller)?;
    let context = context.event_context();
    let mut tx = UnitOfWork::begin(&state.db, &state.waker).await?;
    let report = db::lock_report(&mut tx, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if_match.check(report.version)?;
    if report.status != ReportStatus::Open {
        return Err(ApiError::invalid_state(format!(
            "the report is already {}",
            report.status
        )));
    }
    let resolution = body.parse(report.target_type)?;
    let decided = carry_out(&mut tx, &report, &resolution, &context).await?;
    let resolved =
        transitions::resolve_report(&mut tx, id, &resolution, caller.id, &context).await?;
    tx.commit().await?;
    Ok((decided, Tagged(resolved)))
}

/// The part of an action profile-service does itself. Hiding a campaign or a
/// request is their services' work, on `report.resolved`. A suspension it
/// records is [`Decided`].
async fn carry_out(
    work: &mut UnitOfWork,
    report: &Report,
    resolution: &ValidResolution,
    context: &EventContext,
) -> ApiResult<Option<Decided>> {
    let reason = Some(format!("after report {}", report.id));
    match (resolution.action, report.target_type) {
        (Some(ReportAction::HideTarget), TargetType::Rating) => {
            db::hide_rating(work, report.target_id).await?;
            Ok(None)
        }
        (Some(ReportAction::SuspendUser), TargetType::Profile) => {
            suspend(work, report.target_id, reason, context).await
        }
        (Some(ReportAction::SuspendUser), TargetType::Rating) => {
            let author = db::rating_author(work, report.target_id)
                .await?
                .ok_or_else(|| ApiError::invalid_state("the reported rating does not exist"))?;
            suspend(work, author, reason, context).await
        }
        _ => Ok(None),
    }
}

/// Suspends the person a report is about, unless they already are.
async fn suspend(
    work: &mut UnitOfWork,
    user_id: Uuid,
    reason: Option<String>,
    context: &EventContext,
) -> ApiResult<Option<Decided>> {
    let suspended = transitions::suspend(work, user_id, reason, context).await?;
    Ok(suspended.map(|(_, decided)| decided))
}
