//! campaign-service: `GET /campaigns`, `GET /campaigns/{id}`.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

use super::{Api, Failure, ListQuery, Page};
use crate::config::Backend;
use crate::session::Viewer;

/// API.md's `Campaign`, the fields the site shows.
#[derive(Debug, Clone, Deserialize)]
pub struct Campaign {
    pub id: Uuid,
    pub recipient_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub category: Option<String>,
    pub goal_minor: i64,
    pub raised_minor: i64,
    pub donor_count: i64,
    pub currency: String,
    pub status: CampaignStatus,
    pub ends_at: Option<DateTime<Utc>>,
    /// Absent from a campaign-service that predates images.
    #[serde(default)]
    pub image_url: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignStatus {
    Draft,
    Active,
    Paused,
    Completed,
    Cancelled,
    Suspended,
    /// A status added to the API after this site was built.
    #[serde(other)]
    Other,
}

impl CampaignStatus {
    pub fn label(self) -> &'static str {
        match self {
            CampaignStatus::Draft => "Draft",
            CampaignStatus::Active => "Open for donations",
            CampaignStatus::Paused => "Paused",
            CampaignStatus::Completed => "Completed",
            CampaignStatus::Cancelled => "Cancelled",
            CampaignStatus::Suspended => "Suspended",
            CampaignStatus::Other => "Closed",
        }
    }
}

impl Api {
    pub async fn campaigns(
        &self,
        query: &ListQuery<'_>,
        viewer: &Viewer,
    ) -> Result<Page<Campaign>, Failure> {
        self.list(Backend::Campaign, "campaigns", query, viewer)
            .await
    }

    pub async fn campaign(&self, id: Uuid, viewer: &Viewer) -> Result<Campaign, Failure> {
        self.read(Backend::Campaign, "campaigns", id, viewer).await
    }
}
