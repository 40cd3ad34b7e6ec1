//! The transactional outbox: the only way a service emits an event.
//!
//! A request handler never publishes. It inserts the event into its schema's
//! `outbox` table in the same transaction as the change, so the two commit or
//! vanish together; the relay (EVENTS.md, "Guarantees") publishes committed
//! rows in `seq` order and marks them sent after the broker confirms them.

use hearth_events::{Envelope, Event};
use sqlx::PgConnection;

/// Adds `event` to the outbox of the schema on the connection's `search_path`.
/// Call it inside the transaction that makes the change the event describes.
pub async fn enqueue<T: Event>(conn: &mut PgConnection, event: &Envelope<T>) -> sqlx::Result<()> {
    let envelope = serde_json::to_value(event).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query(
        "insert into outbox (event_id, aggregate_id, event_type, envelope) values ($1, $2, $3, $4)",
    )
    .bind(event.id)
    .bind(&event.subject)
    .bind(&event.event_type)
    .bind(envelope)
    .execute(conn)
    .await?;
    Ok(())
}
