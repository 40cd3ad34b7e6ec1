use chrono::{DateTime, Utc};
use hearth_events::{Envelope, Event};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// What a notification points at: `{"type": "campaign", "id": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({"type": "campaign", "id": "0193a5e0-7b2c-7c3d-8e4f-5a6b7c8d9e0f"}))]
pub struct Link {
    #[serde(rename = "type")]
    pub kind: String,
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

/// A notification, as answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5e4-7a8b-7c9d-8e0f-1a2b3c4d5e6f",
    "user_id": "5f0c6a1e-2b7d-4c8e-9f3a-1d2e3f4a5b6c",
    "type": "donation.confirmed",
    "title": "A gift for your campaign",
    "body": "Someone gave 25.00 USD to Winter blankets for the shelter.",
    "link": {"type": "donation", "id": "0193a5e2-3c4d-7e5f-8a6b-7c8d9e0f1a2b"},
    "created_at": "2026-12-02T09:00:02Z",
    "read_at": null
}))]
pub struct Notification {
    pub id: Uuid,
    pub user_id: Uuid,
    /// The event type that caused it.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub body: String,
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
