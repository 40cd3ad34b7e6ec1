//! The transactional outbox: the only way a service emits an event.
//!
//! A request handler never publishes. It inserts the event into its schema's
//! `outbox` table in the same transaction as the change, so the two commit or
//! vanish together; the relay (docs/events.md, "Guarantees") publishes committed
//! rows in `seq` order and marks them sent after the broker confirms them.
//! A service writes here through its [`crate::unit_of_work::UnitOfWork`],
//! whose commit then wakes the relay.

use hearth_events::{Envelope, Event};
use sqlx::PgConnection;

/// Adds `event` to the outbox of the schema on the connection's `search_path`.
/// Call it inside the transaction that makes the change the event describes.
/// Nobody is woken: a service emits through
/// [`UnitOfWork::emit`](crate::unit_of_work::UnitOfWork::emit) instead, whose
/// commit wakes the relay; written here alone, the row waits for the relay's poll.
pub async fn enqueue<T: Event>(conn: &mut PgConnection, event: &Envelope<T>) -> sqlx::Result<()> {
    enqueue_all(conn, std::slice::from_ref(event)).await
}

/// Adds `events` to the outbox in one statement, in their order, as
/// [`enqueue`] adds one: a batch of changes (`hearth copy-campaigns`) costs
/// one round trip for all its events.
pub async fn enqueue_all<T: Event>(
    conn: &mut PgConnection,
    events: &[Envelope<T>],
) -> sqlx::Result<()> {
    let rows = events
        .iter()
        .map(Row::of)
        .collect::<sqlx::Result<Vec<_>>>()?;
    // The condition runs once, before any row is built: the transaction
    // has its id before the rows take their `seq`, which the relay's cursor
    // relies on (relay/cursor.rs). (A `from (select pg_current_xact_id())`
    // is optimised away, the function being stable and its value unused.)
    sqlx::query!(
        "insert into outbox (event_id, aggregate_id, event_type, envelope)
         select event_id, aggregate_id, event_type, envelope
         from unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[]) with ordinality
           as t(event_id, aggregate_id, event_type, envelope, n)
         where pg_current_xact_id() is not null
         order by n",
        &rows.iter().map(|r| r.event_id).collect::<Vec<_>>(),
        &rows
            .iter()
            .map(|r| r.aggregate_id.clone())
            .collect::<Vec<_>>(),
        &rows
            .iter()
            .map(|r| r.event_type.clone())
            .collect::<Vec<_>>(),
        &rows.iter().map(|r| r.envelope.clone()).collect::<Vec<_>>(),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// An outbox row, for a statement that writes a change and its event at once
/// (a data-modifying `with`: atomic without a transaction, one round trip).
/// Its columns, in this order: `event_id, aggregate_id, event_type, envelope`.
/// The statement must insert the row *from* the change's rows (`select …
/// from <the change>`), so that the change is written, and the transaction
/// has its id, before the row takes its `seq` (relay/cursor.rs).
#[derive(Debug, Clone)]
pub struct Row {
    pub event_id: uuid::Uuid,
    pub aggregate_id: String,
    pub event_type: String,
    pub envelope: serde_json::Value,
}

impl Row {
    /// The row of `event`. A service asks its unit of work for it
    /// ([`UnitOfWork::outbox_row`](crate::unit_of_work::UnitOfWork::outbox_row)),
    /// so that the commit wakes the relay.
    pub fn of<T: Event>(event: &Envelope<T>) -> sqlx::Result<Self> {
        Ok(Self {
            event_id: event.id,
            aggregate_id: event.subject.clone(),
            event_type: event.event_type.clone(),
            envelope: serde_json::to_value(event).map_err(|e| sqlx::Error::Encode(Box::new(e)))?,
        })
    }
}
