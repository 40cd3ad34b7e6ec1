//! Every service's copy of who is suspended, kept from profile-service's
//! `profile.suspended` / `profile.reinstated` (docs/events.md). The HTTP side that
//! refuses their writes is `hearth_core::moderation`.
//!
//! The two events may arrive out of order (a retried one comes after later
//! ones), so each row remembers the time of the event that set it and only a
//! newer event changes it: the last decision by staff wins, whatever the order.

use chrono::{DateTime, Utc};
use hearth_core::moderation::Decided;
use hearth_core::status::{Moderated, StatusChange};
use hearth_events::profile::{ProfileReinstated, ProfileSuspended, ReportResolved};
use hearth_events::Envelope;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::consumer::{Consumer, HandleError, Tx};

/// Adds the suspension handlers to a service's consumer.
pub fn follow_suspensions(consumer: Consumer) -> Consumer {
    consumer
        .on::<ProfileSuspended>(suspended)
        .on::<ProfileReinstated>(reinstated)
}

/// `profile.suspended`: the user's writes are refused from now on.
pub async fn suspended(mut tx: Tx, event: Envelope<ProfileSuspended>) -> Result<Tx, HandleError> {
    let data = &event.data;
    // Every instance's set loads again on the NOTIFY `record` sends; no
    // request waits on this one.
    let _: Decided = record(
        &mut tx,
        data.profile_id,
        true,
        data.reason.as_deref(),
        Decision::of(&event),
    )
    .await?;
    Ok(tx)
}

/// `profile.reinstated`: the user may write again.
pub async fn reinstated(mut tx: Tx, event: Envelope<ProfileReinstated>) -> Result<Tx, HandleError> {
    let data = &event.data;
    let _: Decided = record(
        &mut tx,
        data.profile_id,
        false,
        data.reason.as_deref(),
        Decision::of(&event),
    )
    .await?;
    Ok(tx)
}

/// The event that carried a decision: its time orders decisions, its id
/// (UUIDv7) breaks a tie.
#[derive(Debug, Clone, Copy)]
pub struct Decision {
    pub event_id: Uuid,
    pub at: DateTime<Utc>,
}

impl Decision {
    /// The decision `event` carries.
    pub fn of<T>(event: &Envelope<T>) -> Self {
        Self {
            event_id: event.id,
            at: event.time,
        }
    }
}

/// Sets a user's standing unless a newer decision already did. A request
/// that records one answers with the [`Decided`] this returns, so that its
/// instance's set shows the decision before the answer leaves.
pub async fn record(
    conn: &mut PgConnection,
    user_id: Uuid,
    suspended: bool,
    reason: Option<&str>,
    decision: Decision,
) -> sqlx::Result<Decided> {
    sqlx::query!(
        "insert into account_suspensions (user_id, suspended, reason, decided_at, event_id)
         values ($1, $2, $3, $4, $5)
         on conflict (user_id) do update
           set suspended = excluded.suspended, reason = excluded.reason,
               decided_at = excluded.decided_at, event_id = excluded.event_id
         where (account_suspensions.decided_at, account_suspensions.event_id)
             < (excluded.decided_at, excluded.event_id)",
        user_id,
        suspended,
        reason,
        decision.at,
        decision.event_id,
    )
    .execute(&mut *conn)
    .await?;
    // Every instance's in-memory set (hearth_core::moderation::Suspensions)
    // loads again once this commits. Inside the transaction, so it is sent
    // only if the decision commits; decisions are rare, so PostgreSQL's
    // notify lock held through this commit costs nothing.
    sqlx::query!("select pg_notify(current_schema() || '_suspensions', '') as notified")
        .fetch_one(conn)
        .await?;
    Ok(Decided)
}

/// What a resolved report asks of a campaign or request in `status`
/// (suspended from `suspended_from`): its suspension, as staff would make it
/// by hand, and the reason to record. `None` when the report does not hide a
/// `S::NOUN`, or the thing is already suspended (a redelivery changes nothing).
pub fn hiding<S: Moderated>(
    report: &ReportResolved,
    status: S,
    suspended_from: Option<S>,
) -> Option<(StatusChange<S>, String)> {
    if !report.hides(S::NOUN) {
        return None;
    }
    let change = status.change_to(S::SUSPENDED, suspended_from, true).ok()?;
    Some((
        change,
        format!("hidden by moderation (report {})", report.report_id),
    ))
}
