use chrono::{DateTime, Utc};
use hearth_core::auth::Caller;
use hearth_core::error::FieldError;
use hearth_core::validation::Validator;
use hearth_core::ApiError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub const BODY_CHARS: (usize, usize) = (1, 4_000);

hearth_core::words! {
    /// What a message is about.
    pub enum ContextType: "message context" {
        Donation => "donation",
        Request => "request",
        Campaign => "campaign",
    }
}

/// `{"type": "donation", "id": "…"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"type": "donation", "id": "0193a5e2-3c4d-7e5f-8a6b-7c8d9e0f1a2b"}))]
#[serde(deny_unknown_fields)]
pub struct Context {
    #[serde(rename = "type")]
    pub kind: ContextType,
    pub id: Uuid,
}

/// A message, as answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5e3-5e6f-7a8b-9c0d-1e2f3a4b5c6d",
    "sender_id": "7d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a",
    "recipient_id": "5f0c6a1e-2b7d-4c8e-9f3a-1d2e3f4a5b6c",
    "body": "The blankets are on their way.",
    "context": {"type": "donation", "id": "0193a5e2-3c4d-7e5f-8a6b-7c8d9e0f1a2b"},
    "created_at": "2026-12-02T09:05:00Z",
    "read_at": null
}))]
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
#[schema(example = json!({
    "counterpart_id": "5f0c6a1e-2b7d-4c8e-9f3a-1d2e3f4a5b6c",
    "last_message": {
        "id": "0193a5e3-5e6f-7a8b-9c0d-1e2f3a4b5c6d",
        "sender_id": "7d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a",
        "recipient_id": "5f0c6a1e-2b7d-4c8e-9f3a-1d2e3f4a5b6c",
        "body": "The blankets are on their way.",
        "context": null,
        "created_at": "2026-12-02T09:05:00Z",
        "read_at": null
    },
    "unread_count": 0
}))]
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
#[schema(example = json!({
    "recipient_id": "5f0c6a1e-2b7d-4c8e-9f3a-1d2e3f4a5b6c",
    "body": "The blankets are on their way.",
    "context": {"type": "donation", "id": "0193a5e2-3c4d-7e5f-8a6b-7c8d9e0f1a2b"}
}))]
pub struct SendMessage {
    /// Someone else: not the sender, not the nil UUID.
    #[schema(schema_with = recipient_schema)]
    pub recipient_id: Uuid,
    #[schema(schema_with = body_schema)]
    pub body: String,
    /// With a donation, sender and recipient must be its donor and recipient.
    pub context: Option<Context>,
}

fn body_schema() -> utoipa::openapi::Object {
    hearth_core::openapi::text::text(BODY_CHARS.0, BODY_CHARS.1)
}

/// A person's id: never the nil UUID (which names no one).
fn recipient_schema() -> utoipa::openapi::Object {
    let mut schema = utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::Uuid,
        )))
        .build();
    schema.pattern = Some("^(?!0{8}-0{4}-0{4}-0{4}-0{12}$)".to_owned());
    schema
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
