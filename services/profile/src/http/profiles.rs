//! `/profiles`: one's own profile, anyone's public one with its ratings, and
//! staff's suspension and reinstatement.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use hearth_bus::unit_of_work::UnitOfWork;
use hearth_core::auth::Caller;
use hearth_core::concurrency::{Created, IfMatch, Tagged};
use hearth_core::error::Problem;
use hearth_core::extract::{ApiJson, ApiPath, ApiQuery};
use hearth_core::moderation::Decided;
use hearth_core::pagination::{Cursor, CursorText, Page, PageQuery};
use hearth_core::request_context::RequestContext;
use hearth_core::validation::{Validator, REASON_MAX_CHARS};
use hearth_core::{ApiError, ApiResult};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::{require_staff, AppState};
use crate::domain::{Profile, PutProfile, RatingView};
use crate::standing::Standing;
use crate::{db, transitions};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_my_profile, put_my_profile))
        .routes(routes!(get_profile))
        .routes(routes!(list_ratings))
        .routes(routes!(suspend_profile))
        .routes(routes!(reinstate_profile))
}

/// Your profile
#[utoipa::path(
    get, path = "/profiles/me", tag = "profiles",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Your profile, with `ETag: \"<version>\"`", body = Profile),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "You have not created a profile yet", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn get_my_profile(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Tagged<Profile>> {
    db::find_profile(&state.db, caller.id)
        .await?
        .map(Tagged)
        .ok_or_else(ApiError::not_found)
}

/// Create or replace your profile
///
/// The whole profile: an optional field left out is cleared. 201 the first
/// time (`profile.created`), 200 after (`profile.updated`, when something
/// changed). `If-Match: "<version>"` applies it only to the version you saw.
#[utoipa::path(
    put, path = "/profiles/me", tag = "profiles",
    params(("If-Match" = Option<String>, Header)),
    request_body = PutProfile,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Replaced", body = Profile),
        (status = 201, description = "Created", body = Profile),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Your account is suspended", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match is stale", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn put_my_profile(
    State(state): State<AppState>,
    caller: Caller,
    context: RequestContext,
    if_match: IfMatch,
    ApiJson(body): ApiJson<PutProfile>,
) -> ApiResult<Response> {
    if caller.id.is_nil() {
        return Err(ApiError::forbidden("a service token has no profile"));
    }
    let valid = body.parse()?;
    let context = context.event_context();
    let mut tx = UnitOfWork::begin(&state.db, &state.waker).await?;
    let current = db::lock_profile(&mut tx, caller.id).await?;
    let created = match &current {
        None => transitions::create_profile(&mut tx, caller.id, &valid, &context).await?,
        Some(_) => false,
    };
    if !created {
        // Lost a creation race, or an update: either way the row exists now.
        let current = match current {
            Some(p) => p,
            None => db::lock_profile(&mut tx, caller.id)
                .await?
                .ok_or_else(ApiError::not_found)?,
        };
        if_match.check(current.version)?;
        if valid.differs_from(&current) {
            transitions::replace_profile(&mut tx, caller.id, &valid, &context).await?;
        }
    }
    let profile = db::find_profile(&mut *tx, caller.id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    tx.commit().await?;
    Ok(if created {
        Created {
            location: format!("/profiles/{}", caller.id),
            resource: profile,
        }
        .into_response()
    } else {
        Tagged(profile).into_response()
    })
}

/// A profile
///
/// Anyone may read a profile, with its standing and its ratings' average.
#[utoipa::path(
    get, path = "/profiles/{id}", tag = "profiles",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The profile, with `ETag: \"<version>\"`", body = Profile),
        (status = 401, description = "A token was sent but is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such profile", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn get_profile(
    State(state): State<AppState>,
    // Anyone may read, but a token that is sent must be valid (401 otherwise).
    _caller: Option<Caller>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Tagged<Profile>> {
    db::find_profile(&state.db, id)
        .await?
        .map(Tagged)
        .ok_or_else(ApiError::not_found)
}

#[derive(ToSchema)]
#[allow(dead_code)]
struct RatingPage {
    items: Vec<RatingView>,
    #[schema(inline, value_type = Option<CursorText>)]
    next_cursor: Option<String>,
}

/// Ratings a person received
///
/// Newest first; ratings staff hid after a report are left out. On an
/// anonymous donation, only its donor and staff see who gave and which
/// donation it was (`rater_id`, `ratee_id`, `donation_id` null for others).
#[utoipa::path(
    get, path = "/profiles/{id}/ratings", tag = "ratings",
    params(("id" = Uuid, Path), PageQuery),
    responses(
        (status = 200, description = "A page of ratings", body = RatingPage),
        (status = 400, description = "A query parameter does not parse", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "A token was sent but is not valid", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn list_ratings(
    State(state): State<AppState>,
    // Anyone may read, but a token that is sent must be valid (401 otherwise).
    caller: Option<Caller>,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<RatingView>>> {
    let page = query.request()?;
    let rows = db::list_ratings(&state.db, id, &page).await?;
    let page = Page::from_rows(rows, &page, |r| Cursor {
        created_at: r.created_at,
        id: r.id,
    });
    Ok(Json(Page {
        items: page
            .items
            .into_iter()
            .map(|r| r.seen_by(caller.as_ref()))
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

/// The body of the suspend and reinstate endpoints.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Repeated harassment in messages"}))]
struct StaffDecision {
    /// Why; carried in the event and told to the person.
    #[schema(schema_with = hearth_core::validation::reason_schema)]
    reason: Option<String>,
}

fn reason_of(body: Option<ApiJson<StaffDecision>>) -> ApiResult<Option<String>> {
    let reason = body
        .and_then(|ApiJson(b)| b.reason)
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    if let Some(reason) = &reason {
        Validator::new()
            .length(reason, "reason", 0, REASON_MAX_CHARS)
            .finish()?;
    }
    Ok(reason)
}

/// Suspend a person
///
/// Staff only. Works whether or not they made a profile. Every service
/// refuses their writes with 403 `account_suspended` once `profile.suspended`
/// reaches it (within milliseconds); this one at once.
#[utoipa::path(
    post, path = "/profiles/{id}/suspend", tag = "profiles",
    params(("id" = Uuid, Path)),
    request_body(content = StaffDecision, description = "Optional: no body (and no `Content-Type`) gives no reason"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Suspended", body = Standing),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_state`: already suspended", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn suspend_profile(
    State(state): State<AppState>,
    caller: Caller,
    context: RequestContext,
    ApiPath(id): ApiPath<Uuid>,
    body: Option<ApiJson<StaffDecision>>,
) -> ApiResult<(Decided, Json<Standing>)> {
    require_staff(&caller)?;
    let reason = reason_of(body)?;
    let mut tx = UnitOfWork::begin(&state.db, &state.waker).await?;
    let (standing, decided) = transitions::suspend(&mut tx, id, reason, &context.event_context())
        .await?
        .ok_or_else(|| ApiError::invalid_state("this person is already suspended"))?;
    tx.commit().await?;
    Ok((decided, Json(standing)))
}

/// Reinstate a person
///
/// Staff only. Lifts a suspension everywhere once `profile.reinstated` arrives.
#[utoipa::path(
    post, path = "/profiles/{id}/reinstate", tag = "profiles",
    params(("id" = Uuid, Path)),
    request_body(content = StaffDecision, description = "Optional: no body (and no `Content-Type`) gives no reason"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Reinstated", body = Standing),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_state`: not suspended", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn reinstate_profile(
    State(state): State<AppState>,
    caller: Caller,
    context: RequestContext,
    ApiPath(id): ApiPath<Uuid>,
    body: Option<ApiJson<StaffDecision>>,
) -> ApiResult<(Decided, Json<Standing>)> {
    require_staff(&caller)?;
    let reason = reason_of(body)?;
    let mut tx = UnitOfWork::begin(&state.db, &state.waker).await?;
    let (standing, decided) = transitions::reinstate(&mut tx, id, reason, &context.event_context())
        .await?
        .ok_or_else(|| ApiError::invalid_state("this person is not suspended"))?;
    tx.commit().await?;
    Ok((decided, Json(standing)))
}
