//! Events messaging-service produces.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Event;

/// What a message is about: `{type: "donation"|"request"|"campaign", id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageContext {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: Uuid,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageSent {
    pub message_id: Uuid,
    pub sender_id: Uuid,
    pub recipient_id: Uuid,
    pub context: Option<MessageContext>,
}

impl Event for MessageSent {
    const TYPE: &'static str = "message.sent";
    fn subject(&self) -> String {
        self.message_id.to_string()
    }
}
