//! `/notifications`: a user's own notifications. Nobody else's are ever
//! visible: another user's notification id is a 404.

use axum::extract::State;
use axum::Json;
use hearth_core::auth::Caller;
use hearth_core::error::Problem;
use hearth_core::extract::{ApiPath, ApiQuery};
use hearth_core::pagination::{Cursor, CursorText, Limit, Page, PageRequest};
use hearth_core::{ApiError, ApiResult};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::AppState;
use crate::db;
use crate::domain::Notification;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_notifications))
        .routes(routes!(read_notification))
        .routes(routes!(read_all_notifications))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// Only the ones not read yet.
    unread: Option<bool>,
    #[param(inline, value_type = Option<Limit>)]
    limit: Option<u32>,
    #[param(inline, value_type = Option<CursorText>)]
    cursor: Option<String>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
struct NotificationPage {
    items: Vec<Notification>,
    #[schema(inline, value_type = Option<CursorText>)]
    next_cursor: Option<String>,
}

/// The caller's notifications
///
/// Newest first; `unread=true` for the unread ones only.
#[utoipa::path(
    get, path = "/notifications", tag = "notifications",
    params(ListQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of notifications", body = NotificationPage),
        (status = 400, description = "A query parameter does not parse", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn list_notifications(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<Notification>>> {
    let page = PageRequest::new(query.limit, query.cursor.as_deref())?;
    let rows = db::list(&state.db, caller.id, query.unread.unwrap_or(false), &page).await?;
    Ok(Json(Page::from_rows(rows, &page, |n| Cursor {
        created_at: n.created_at,
        id: n.id,
    })))
}

/// Mark a notification read
#[utoipa::path(
    post, path = "/notifications/{id}/read", tag = "notifications",
    params(("id" = Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The notification, read", body = Notification),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not one of the caller's notifications", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn read_notification(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Notification>> {
    db::mark_read(&state.db, id, caller.id)
        .await?
        .map(Json)
        .ok_or_else(ApiError::not_found)
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"marked_read": 3}))]
struct ReadAll {
    /// How many notifications this marked read.
    marked_read: u64,
}

/// Mark all the caller's notifications read
#[utoipa::path(
    post, path = "/notifications/read-all", tag = "notifications",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "How many were marked", body = ReadAll),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn read_all_notifications(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<ReadAll>> {
    let marked_read = db::mark_all_read(&state.db, caller.id).await?;
    Ok(Json(ReadAll { marked_read }))
}
