use chrono::{DateTime, Utc};
use hearth_core::auth::Caller;
use hearth_core::image_url::ImageUrl;
use hearth_core::money::Currency;
use hearth_core::owned::Owned;
use hearth_events::campaign::CampaignGoalReached;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::Status;

/// A fundraising campaign, as stored and as answered (docs/api.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
#[schema(example = json!({
    "id": "0193a5e0-7b2c-7c3d-8e4f-5a6b7c8d9e0f",
    "recipient_id": "5f0c6a1e-2b7d-4c8e-9f3a-1d2e3f4a5b6c",
    "creator_id": "5f0c6a1e-2b7d-4c8e-9f3a-1d2e3f4a5b6c",
    "title": "Winter blankets for the shelter",
    "description": "Forty warm blankets before the first frost.",
    "category": "bedding",
    "goal_minor": 250000,
    "raised_minor": 12500,
    "donor_count": 3,
    "currency": "USD",
    "status": "active",
    "image_url": "https://images.example.org/blankets.jpg",
    "ends_at": "2031-01-31T23:59:59Z",
    "goal_reached_at": null,
    "created_at": "2026-12-01T10:00:00Z",
    "updated_at": "2026-12-02T08:30:00Z",
    "version": 4
}))]
pub struct Campaign {
    pub id: Uuid,
    /// Who receives the money, and owns the campaign.
    pub recipient_id: Uuid,
    pub creator_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub category: Option<String>,
    /// The goal, in minor units of `currency`.
    pub goal_minor: i64,
    /// Raised so far, in minor units; changes only through the donation saga.
    pub raised_minor: i64,
    pub donor_count: i32,
    #[schema(value_type = Currency)]
    pub currency: String,
    pub status: Status,
    /// An https link to the campaign's picture, or `null`.
    #[schema(value_type = Option<ImageUrl>)]
    pub image_url: Option<ImageUrl>,
    pub ends_at: Option<DateTime<Utc>>,
    pub goal_reached_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Starts at 1, +1 on every change; the `ETag`.
    pub version: i32,
    /// Internal: what a suspended campaign returns to.
    #[serde(skip)]
    pub suspended_from: Option<Status>,
}

/// The recipient owns the campaign; staff act on anyone's.
impl Owned for Campaign {
    const NOUN: &'static str = "campaign";

    fn owner_id(&self) -> Uuid {
        self.recipient_id
    }

    /// Drafts show only to their owner, suspended campaigns only to staff.
    /// Staff see drafts too: they can suspend one, so they must be able to find it.
    fn is_visible_to(&self, caller: Option<&Caller>) -> bool {
        match self.status {
            Status::Draft => caller.is_some_and(|c| self.may_be_managed_by(c)),
            Status::Suspended => caller.is_some_and(Caller::is_staff),
            _ => true,
        }
    }
}

impl hearth_core::concurrency::Versioned for Campaign {
    fn version(&self) -> i32 {
        self.version
    }
}

/// `campaign.goal_reached`, when the change from `before` to `after` (the
/// campaign locked in between) is the one that reached the goal: by a
/// donation, or by an owner lowering the goal to what was raised. Once.
pub fn goal_reached(before: &Campaign, after: &Campaign) -> Option<CampaignGoalReached> {
    (before.goal_reached_at.is_none() && after.goal_reached_at.is_some()).then(|| {
        CampaignGoalReached {
            campaign_id: after.id,
            recipient_id: after.recipient_id,
            title: after.title.clone(),
            goal_minor: after.goal_minor,
            raised_minor: after.raised_minor,
            currency: after.currency.clone(),
        }
    })
}
