use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// What a notification points at: `{"type": "campaign", "id": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct Link {
    #[serde(rename = "type")]
    #[sqlx(rename = "link_type")]
    pub kind: String,
    #[sqlx(rename = "link_id")]
    pub id: Uuid,
}

/// API.md's `Notification`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct Notification {
    pub id: Uuid,
    pub user_id: Uuid,
    /// The event type that caused it.
    #[serde(rename = "type")]
    #[sqlx(rename = "type")]
    pub kind: String,
    pub title: String,
    pub body: String,
    #[sqlx(flatten)]
    pub link: Link,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// A notification an event asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    pub user_id: Uuid,
    pub kind: &'static str,
    pub title: String,
    pub body: String,
    pub link: Link,
    /// The event that caused it: one notification per event and person.
    pub source_event_id: Uuid,
}
