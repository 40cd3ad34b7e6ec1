//! Suspended accounts (API.md: "A suspended user's every write, in every
//! service, answers 403 `account_suspended` once the event has reached that
//! service").
//!
//! Each service keeps its own `account_suspensions` table, filled from
//! `profile.suspended` / `profile.reinstated` (`hearth_bus::moderation`), and
//! [`refuse_suspended`] guards every write against it. Reads stay open: a
//! suspended user may still see their own data.

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sqlx::{PgExecutor, PgPool};
use uuid::Uuid;

use crate::auth::CallerKind;
use crate::error::ApiError;

/// Whether `user_id` is suspended, as far as this service has heard.
pub async fn is_suspended<'c>(db: impl PgExecutor<'c>, user_id: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "select exists (select 1 from account_suspensions where user_id = $1 and suspended)",
    )
    .bind(user_id)
    .fetch_one(db)
    .await
}

/// Middleware on a service's API routes; `pool` is the service's own. A
/// write by a suspended user is a 403 `account_suspended`; service tokens act
/// for the platform and are never refused.
pub async fn refuse_suspended(
    State(pool): State<PgPool>,
    request: Request,
    next: Next,
) -> Response {
    let is_write = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let user = crate::auth::signed_in(&request).filter(|c| c.kind != CallerKind::Service);
    if let (true, Some(user)) = (is_write, user) {
        match is_suspended(&pool, user.id).await {
            Ok(false) => {}
            Ok(true) => return ApiError::account_suspended().into_response(),
            Err(err) => return ApiError::from(err).into_response(),
        }
    }
    next.run(request).await
}
