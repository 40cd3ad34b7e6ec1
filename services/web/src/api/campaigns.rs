//! campaign-service: list and read campaigns; start, edit and move one
//! along its status machine as its owner.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Api, Failure, ListQuery, Page, Refused};
use crate::config::Backend;
use crate::session::Viewer;

/// campaign-service's `Campaign`, the fields the site shows.
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
    /// What `If-Match` sends back: an edit applies only to this version.
    pub version: i32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
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

    /// The moves its owner may make from this status (docs/api.md's state
    /// machine; staff's suspension is the moderator console's): the page
    /// offers these alone, and campaign-service still decides.
    pub fn owner_moves(self) -> &'static [CampaignStatus] {
        use CampaignStatus::*;
        match self {
            Draft => &[Active, Cancelled],
            Active => &[Paused, Completed, Cancelled],
            Paused => &[Active, Completed, Cancelled],
            Completed | Cancelled | Suspended | Other => &[],
        }
    }

    /// Whether its owner may still edit it (not final, not suspended).
    pub fn is_editable(self) -> bool {
        matches!(
            self,
            CampaignStatus::Draft | CampaignStatus::Active | CampaignStatus::Paused
        )
    }
}

/// `POST /campaigns`.
#[derive(Debug, Clone, Serialize)]
pub struct NewCampaign {
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    pub goal_minor: i64,
    pub currency: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// `Draft` or `Active`.
    pub status: CampaignStatus,
}

/// `PATCH /campaigns/{id}`: a field left `None` stays as it is;
/// `Some(None)` clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CampaignChanges {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goal_minor: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<Option<DateTime<Utc>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_url: Option<Option<String>>,
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

    /// Starts a campaign: one per `key`, however often the form is sent.
    pub async fn start_campaign(
        &self,
        campaign: &NewCampaign,
        key: Uuid,
        viewer: &Viewer,
    ) -> Result<Campaign, Refused> {
        self.create(Backend::Campaign, &["campaigns"], campaign, key, viewer)
            .await
    }

    /// Edits the campaign as it was at `version`.
    pub async fn edit_campaign(
        &self,
        id: Uuid,
        changes: &CampaignChanges,
        version: i32,
        viewer: &Viewer,
    ) -> Result<Campaign, Refused> {
        let id = id.to_string();
        self.edit(
            Backend::Campaign,
            &["campaigns", &id],
            changes,
            version,
            viewer,
        )
        .await
    }

    /// Moves the campaign to `status`.
    pub async fn move_campaign(
        &self,
        id: Uuid,
        status: CampaignStatus,
        viewer: &Viewer,
    ) -> Result<(), Refused> {
        #[derive(Serialize)]
        struct Move {
            status: CampaignStatus,
        }
        let id = id.to_string();
        self.act_with(
            Backend::Campaign,
            &["campaigns", &id, "status"],
            Some(&Move { status }),
            viewer,
        )
        .await
    }

    /// The campaigns `person` receives for, drafts included when the viewer
    /// is that person: newest first, at most `limit`.
    pub async fn campaigns_of(
        &self,
        person: Uuid,
        limit: u32,
        viewer: &Viewer,
    ) -> Result<Page<Campaign>, Failure> {
        let (person, limit) = (person.to_string(), limit.to_string());
        self.get(
            Backend::Campaign,
            &["campaigns"],
            &[("recipient_id", &person), ("limit", &limit)],
            viewer,
        )
        .await
    }
}
