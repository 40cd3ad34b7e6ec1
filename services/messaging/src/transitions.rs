//! The one event messaging-service emits, with the change it describes,
//! applied inside the caller's unit of work so that the two commit together:
//! with `consumers/mod.rs`, the whole of what messaging-service says to the
//! others.

use hearth_bus::unit_of_work::UnitOfWork;
use hearth_events::messaging::{MessageContext, MessageSent};
use hearth_events::EventContext;
use uuid::Uuid;

use crate::db;
use crate::domain::{Message, NewMessage};
use crate::SERVICE;

/// Stores a message under `id` and emits `message.sent`.
#[tracing::instrument(err, skip_all)]
pub async fn send(
    work: &mut UnitOfWork,
    id: Uuid,
    new: &NewMessage,
    context: &EventContext,
) -> sqlx::Result<Message> {
    let message = db::insert_message(work, id, new).await?;
    let event = MessageSent {
        message_id: message.id,
        sender_id: message.sender_id,
        recipient_id: message.recipient_id,
        context: message.context.map(|c| MessageContext {
            kind: c.kind.as_str().to_owned(),
            id: c.id,
        }),
    };
    work.emit(SERVICE.name, event, context).await?;
    Ok(message)
}
