use chrono::{DateTime, Utc};
use hearth_core::auth::Caller;
use hearth_core::error::FieldError;
use hearth_core::validation::Validator;
use hearth_core::ApiError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub const BODY_CHARS: (usize, usize) = (1, 4_000);

/// What a message is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContextType {
    Donation,
    Request,
    Campaign,
}

impl ContextType {
    pub fn as_str(self) -> &'static str {
        match self {
            ContextType::Donation => "donation",
            ContextType::Request => "request",
            ContextType::Campaign => "campaign",
        }
    }
}

impl std::str::FromStr for ContextType {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "donation" => Ok(ContextType::Donation),
            "request" => Ok(ContextType::Request),
            "campaign" => Ok(ContextType::Campaign),
            other => Err(format!("unknown message context {other:?}")),
        }
    }
}

hearth_core::text_column!(ContextType);

/// `{"type": "donation", "id": "…"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Context {
    #[serde(rename = "type")]
    pub kind: ContextType,
    pub id: Uuid,
}

/// API.md's `Message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Message {
    pub id: Uuid,
    pub sender_id: Uuid,
    pub recipient_id: Uuid,
    pub body: String,
    pub context: Option<Context>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

impl Message {
    /// Only the two parties ever see a message.
    pub fn is_party(&self, caller: &Caller) -> bool {
        caller.id == self.sender_id || caller.id == self.recipient_id
    }
}

/// A message as stored: the context in two columns.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MessageRow {
    pub id: Uuid,
    pub sender_id: Uuid,
    pub recipient_id: Uuid,
    pub body: String,
    pub context_type: Option<ContextType>,
    pub context_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

impl From<MessageRow> for Message {
    fn from(row: MessageRow) -> Self {
        let context = match (row.context_type, row.context_id) {
            (Some(kind), Some(id)) => Some(Context { kind, id }),
            _ => None,
        };
        Self {
            id: row.id,
            sender_id: row.sender_id,
            recipient_id: row.recipient_id,
            body: row.body,
            context,
            created_at: row.created_at,
            read_at: row.read_at,
        }
    }
}

/// One entry of `GET /conversations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Conversation {
    /// The other person.
    pub counterpart_id: Uuid,
    pub last_message: Message,
    /// Messages to the caller in this conversation they have not read.
    pub unread_count: i32,
}

/// The body of `POST /messages`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendMessage {
    pub recipient_id: Uuid,
    /// 1–4 000 characters.
    pub body: String,
    /// With a donation, sender and recipient must be its donor and recipient.
    pub context: Option<Context>,
}

/// A message that passed every check but the donation one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    pub sender_id: Uuid,
    pub recipient_id: Uuid,
    pub body: String,
    pub context: Option<Context>,
}

impl SendMessage {
    pub fn parse(self, caller: &Caller) -> Result<NewMessage, ApiError> {
        if caller.id.is_nil() {
            return Err(ApiError::validation(vec![FieldError::new(
                "sender_id",
                "a message needs a signed-in sender",
            )]));
        }
        let body = self.body.trim().to_owned();
        let mut v = Validator::new();
        v.length(&body, "body", BODY_CHARS.0, BODY_CHARS.1);
        v.check(
            self.recipient_id != caller.id,
            "recipient_id",
            "must be someone else",
        );
        v.check(
            !self.recipient_id.is_nil(),
            "recipient_id",
            "must be a person",
        );
        v.finish()?;
        Ok(NewMessage {
            sender_id: caller.id,
            recipient_id: self.recipient_id,
            body,
            context: self.context,
        })
    }
}
