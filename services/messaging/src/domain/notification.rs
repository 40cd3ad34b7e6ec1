use chrono::{DateTime, Utc};
use hearth_events::{Envelope, Event};
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

impl Link {
    /// A link to a resource of `kind`: campaign, donation, request, profile or report.
    pub fn to(kind: &str, id: Uuid) -> Self {
        Self {
            kind: kind.to_owned(),
            id,
        }
    }
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

impl NewNotification {
    /// The notification `event` makes for `user_id`; its type is the event's.
    pub fn about<T: Event>(
        event: &Envelope<T>,
        user_id: Uuid,
        link: Link,
        title: &str,
        body: String,
    ) -> Self {
        Self {
            user_id,
            kind: T::TYPE,
            title: title.to_owned(),
            body,
            link,
            source_event_id: event.id,
        }
    }
}
