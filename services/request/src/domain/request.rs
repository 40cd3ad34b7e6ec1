use chrono::{DateTime, Utc};
use hearth_core::auth::Caller;
use hearth_core::image_url::ImageUrl;
use hearth_core::owned::Owned;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::Status;

/// A request for goods, as stored and as answered (docs/api.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
#[schema(example = json!({
    "id": "0193a5e1-1a2b-7c3d-8e4f-5a6b7c8d9e10",
    "requester_id": "5f0c6a1e-2b7d-4c8e-9f3a-1d2e3f4a5b6c",
    "title": "Blankets for the night shelter",
    "description": "Single or double, clean and warm.",
    "category": "bedding",
    "quantity_needed": 20,
    "quantity_pledged": 4,
    "quantity_fulfilled": 6,
    "status": "open",
    "needed_by": "2031-01-15T18:00:00Z",
    "location": "12 Harbour Street",
    "image_url": "https://images.example.org/shelter.jpg",
    "created_at": "2026-12-01T10:00:00Z",
    "updated_at": "2026-12-03T16:20:00Z",
    "version": 5
}))]
pub struct Request {
    pub id: Uuid,
    /// Who needs the goods, and owns the request.
    pub requester_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub category: String,
    pub quantity_needed: i32,
    /// Promised by accepted item donations not yet received; changes only through the saga.
    pub quantity_pledged: i32,
    /// Received; changes only through the saga.
    pub quantity_fulfilled: i32,
    pub status: Status,
    pub needed_by: Option<DateTime<Utc>>,
    pub location: Option<String>,
    /// An https link to the request's picture, or `null`.
    #[schema(value_type = Option<ImageUrl>)]
    pub image_url: Option<ImageUrl>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Starts at 1, +1 on every change; the `ETag`.
    pub version: i32,
    /// Internal: what a suspended request returns to.
    #[serde(skip)]
    pub suspended_from: Option<Status>,
}

/// The requester owns the request; staff act on anyone's.
impl Owned for Request {
    const NOUN: &'static str = "request";

    fn owner_id(&self) -> Uuid {
        self.requester_id
    }

    /// Suspended requests show only to staff, as suspended campaigns do.
    fn is_visible_to(&self, caller: Option<&Caller>) -> bool {
        self.status != Status::Suspended || caller.is_some_and(Caller::is_staff)
    }
}

impl Request {
    /// How many more items a pledge may promise.
    pub fn quantity_open(&self) -> i32 {
        self.quantity_needed - self.quantity_pledged - self.quantity_fulfilled
    }

    /// The least `quantity_needed` may become: what is already promised or received.
    pub fn quantity_committed(&self) -> i32 {
        self.quantity_pledged + self.quantity_fulfilled
    }
}

impl hearth_core::concurrency::Versioned for Request {
    fn version(&self) -> i32 {
        self.version
    }
}
