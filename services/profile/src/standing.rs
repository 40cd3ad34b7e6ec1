//! A person's standing: suspended or not, as profile-service decided. The
//! decisions themselves, with the events that tell every other service, are
//! `transitions::suspend` and `transitions::reinstate`.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::ProfileStatus;

/// A person's standing after staff acted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({
    "user_id": "7d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a",
    "status": "suspended",
    "reason": "Repeated harassment in messages",
    "decided_at": "2026-12-04T12:00:00Z"
}))]
pub struct Standing {
    pub user_id: Uuid,
    pub status: ProfileStatus,
    pub reason: Option<String>,
    pub decided_at: DateTime<Utc>,
}

/// A person's last decision, as this service recorded it.
#[derive(Debug, Default)]
pub(crate) struct LastDecision {
    pub suspended: bool,
    pub decided_at: Option<DateTime<Utc>>,
}

/// Two staff acting on one person at once: the second waits, then finds the
/// first's decision (one 200, one 409, one event), even before the person has
/// any row to lock. Returns the decision in force.
pub(crate) async fn lock_standing(
    conn: &mut PgConnection,
    user_id: Uuid,
) -> sqlx::Result<LastDecision> {
    hearth_core::db::lock_for_transaction(conn, &format!("profile-standing:{user_id}")).await?;
    Ok(sqlx::query_as!(
        LastDecision,
        "select suspended, decided_at from account_suspensions where user_id = $1",
        user_id,
    )
    .fetch_optional(conn)
    .await?
    .unwrap_or_default())
}

/// When this decision is made: `now`, or just after the one it follows if
/// that came from an instance whose clock is ahead. Every service keeps the
/// latest decision by time, so one stamped before its predecessor would be
/// ignored everywhere while staff were told it was made.
pub(crate) fn decision_time(last: Option<DateTime<Utc>>, now: DateTime<Utc>) -> DateTime<Utc> {
    match last {
        Some(last) if last >= now => last + chrono::Duration::microseconds(1),
        _ => now,
    }
}
