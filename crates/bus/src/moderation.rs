//! Every service's copy of who is suspended, kept from profile-service's
//! `profile.suspended` / `profile.reinstated` (docs/events.md). The HTTP side that
//! refuses their writes is `hearth_core::moderation`.
//!
//! The two events may arrive out of order (a retried one comes after later
//! ones), so each row remembers the time of the event that set it and only a
//! newer event changes it: the last decision by staff wins, whatever the order.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use hearth_events::profile::{ProfileReinstated, ProfileSuspended};
use hearth_events::{Envelope, Event};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::consumer::{Consumer, HandleError, Tx};

/// Adds the suspension handlers to a service's consumer.
pub fn follow_suspensions(consumer: Consumer) -> Consumer {
    consumer
        .on(
            ProfileSuspended::TYPE,
            Arc::new(|tx, e| Box::pin(suspended(tx, e))),
        )
        .on(
            ProfileReinstated::TYPE,
            Arc::new(|tx, e| Box::pin(reinstated(tx, e))),
        )
}

/// `profile.suspended`: the user's writes are refused from now on.
pub async fn suspended(mut tx: Tx, envelope: Envelope) -> Result<Tx, HandleError> {
    let event = envelope.decode::<ProfileSuspended>()?;
    let data = &event.data;
    let decision = Decision {
        event_id: event.id,
        at: event.time,
    };
    record(
        &mut tx,
        data.profile_id,
        true,
        data.reason.as_deref(),
        decision,
    )
    .await?;
    Ok(tx)
}

/// `profile.reinstated`: the user may write again.
pub async fn reinstated(mut tx: Tx, envelope: Envelope) -> Result<Tx, HandleError> {
    let event = envelope.decode::<ProfileReinstated>()?;
    let data = &event.data;
    let decision = Decision {
        event_id: event.id,
        at: event.time,
    };
    record(
        &mut tx,
        data.profile_id,
        false,
        data.reason.as_deref(),
        decision,
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

/// Sets a user's standing unless a newer decision already did.
pub async fn record(
    conn: &mut PgConnection,
    user_id: Uuid,
    suspended: bool,
    reason: Option<&str>,
    decision: Decision,
) -> sqlx::Result<()> {
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
    // This instance's own request answers once its set shows the decision.
    hearth_core::moderation::note_decision();
    Ok(())
}
