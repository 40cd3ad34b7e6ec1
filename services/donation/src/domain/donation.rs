use chrono::{DateTime, Utc};
use hearth_core::auth::Caller;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{Kind, Status};

/// API.md's `Donation`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct Donation {
    pub id: Uuid,
    /// Null in the public view of an anonymous donation.
    pub donor_id: Option<Uuid>,
    pub kind: Kind,
    pub campaign_id: Option<Uuid>,
    pub request_id: Option<Uuid>,
    /// Null until the campaign or request accepted it.
    pub recipient_id: Option<Uuid>,
    pub amount_minor: Option<i64>,
    pub currency: Option<String>,
    pub quantity: Option<i32>,
    pub item_description: Option<String>,
    pub message: Option<String>,
    pub anonymous: bool,
    pub status: Status,
    pub status_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl Donation {
    pub fn is_donor(&self, caller: &Caller) -> bool {
        self.donor_id == Some(caller.id)
    }

    pub fn is_recipient(&self, caller: &Caller) -> bool {
        self.recipient_id == Some(caller.id)
    }

    /// Donor, recipient and staff see everything.
    pub fn is_party(&self, caller: Option<&Caller>) -> bool {
        caller.is_some_and(|c| c.is_staff() || self.is_donor(c) || self.is_recipient(c))
    }

    /// What `caller` may see: everything, the public view, or nothing.
    pub fn seen_by(self, caller: Option<&Caller>) -> Option<Self> {
        if self.is_party(caller) {
            Some(self)
        } else if self.status.is_public() {
            Some(self.public())
        } else {
            None
        }
    }

    /// Anyone's view of a donation that went through: an anonymous donor stays anonymous.
    fn public(mut self) -> Self {
        if self.anonymous {
            self.donor_id = None;
        }
        self
    }
}

impl hearth_core::concurrency::Versioned for Donation {
    fn version(&self) -> i32 {
        self.version
    }
}
