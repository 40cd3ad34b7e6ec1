//! A donation as a caller sees it: the flat JSON of docs/api.md, the other
//! kind's fields null and an anonymous donor's id null to all but the donor
//! and staff. Made only by [`super::Donation::seen_by`].

use chrono::{DateTime, Utc};
use hearth_core::money::Currency;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{Kind, Status};

/// A donation, as stored and as answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = Donation)]
#[schema(example = json!({
    "id": "0193a5e2-3c4d-7e5f-8a6b-7c8d9e0f1a2b",
    "donor_id": "7d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a",
    "kind": "money",
    "campaign_id": "0193a5e0-7b2c-7c3d-8e4f-5a6b7c8d9e0f",
    "request_id": null,
    "recipient_id": "5f0c6a1e-2b7d-4c8e-9f3a-1d2e3f4a5b6c",
    "amount_minor": 2500,
    "currency": "USD",
    "quantity": null,
    "item_description": null,
    "message": "Stay warm!",
    "anonymous": false,
    "status": "confirmed",
    "status_reason": null,
    "created_at": "2026-12-02T09:00:00Z",
    "updated_at": "2026-12-02T09:00:01Z",
    "version": 2
}))]
pub struct DonationView {
    pub id: Uuid,
    /// Null when `anonymous`, to anyone but the donor and staff.
    pub donor_id: Option<Uuid>,
    pub kind: Kind,
    pub campaign_id: Option<Uuid>,
    pub request_id: Option<Uuid>,
    /// Null until the campaign or request accepted it.
    pub recipient_id: Option<Uuid>,
    pub amount_minor: Option<i64>,
    #[schema(value_type = Option<Currency>)]
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

impl hearth_core::concurrency::Versioned for DonationView {
    fn version(&self) -> i32 {
        self.version
    }
}
