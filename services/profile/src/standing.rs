//! Suspending and reinstating a person: profile-service decides, records the
//! decision in its own `account_suspensions` (so its own writes are refused at
//! once) and tells every other service with `profile.suspended` /
//! `profile.reinstated`, all in the caller's transaction.

use chrono::{DateTime, Utc};
use hearth_bus::moderation::{record, Decision};
use hearth_bus::outbox;
use hearth_events::profile::{ProfileReinstated, ProfileSuspended};
use hearth_events::{Envelope, Event, EventContext};
use serde::Serialize;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::ProfileStatus;
use crate::SERVICE;

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

/// Suspends `user_id`; `None` if they already are.
#[tracing::instrument(err, skip(conn, context))]
pub async fn suspend(
    conn: &mut PgConnection,
    user_id: Uuid,
    reason: Option<String>,
    context: &EventContext,
) -> sqlx::Result<Option<Standing>> {
    let last = lock_standing(conn, user_id).await?;
    if last.suspended {
        return Ok(None);
    }
    let event = ProfileSuspended {
        profile_id: user_id,
        reason: reason.clone(),
    };
    let envelope = Envelope::new(SERVICE.name, event, context);
    decide(conn, envelope, user_id, true, reason, last.decided_at)
        .await
        .map(Some)
}

/// Lifts a suspension; `None` if there is none.
#[tracing::instrument(err, skip(conn, context))]
pub async fn reinstate(
    conn: &mut PgConnection,
    user_id: Uuid,
    reason: Option<String>,
    context: &EventContext,
) -> sqlx::Result<Option<Standing>> {
    let last = lock_standing(conn, user_id).await?;
    if !last.suspended {
        return Ok(None);
    }
    let event = ProfileReinstated {
        profile_id: user_id,
        reason: reason.clone(),
    };
    let envelope = Envelope::new(SERVICE.name, event, context);
    decide(conn, envelope, user_id, false, reason, last.decided_at)
        .await
        .map(Some)
}

/// A person's last decision, as this service recorded it.
#[derive(Debug, Default)]
struct LastDecision {
    suspended: bool,
    decided_at: Option<DateTime<Utc>>,
}

/// Two staff acting on one person at once: the second waits, then finds the
/// first's decision (one 200, one 409, one event), even before the person has
/// any row to lock. Returns the decision in force.
async fn lock_standing(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<LastDecision> {
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
fn decision_time(last: Option<DateTime<Utc>>, now: DateTime<Utc>) -> DateTime<Utc> {
    match last {
        Some(last) if last >= now => last + chrono::Duration::microseconds(1),
        _ => now,
    }
}

/// Records the decision under the id and time of the event that announces
/// it, so every service orders it exactly as this one does, and sends it.
async fn decide<T: Event>(
    conn: &mut PgConnection,
    mut envelope: Envelope<T>,
    user_id: Uuid,
    suspended: bool,
    reason: Option<String>,
    last_decided_at: Option<DateTime<Utc>>,
) -> sqlx::Result<Standing> {
    envelope.time = decision_time(last_decided_at, envelope.time);
    let decision = Decision {
        event_id: envelope.id,
        at: envelope.time,
    };
    record(conn, user_id, suspended, reason.as_deref(), decision).await?;
    crate::db::touch_profile(conn, user_id).await?;
    outbox::enqueue(conn, &envelope).await?;
    Ok(Standing {
        user_id,
        status: if suspended {
            ProfileStatus::Suspended
        } else {
            ProfileStatus::Active
        },
        reason,
        decided_at: envelope.time,
    })
}
