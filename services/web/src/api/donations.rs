//! donation-service: the public list of a campaign's or a request's gifts.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

use super::{Api, Failure, Page};
use crate::config::Backend;
use crate::session::Viewer;

/// API.md's `Donation` as the public sees it: confirmed or completed, with
/// `donor_id` null when the donor gave anonymously.
#[derive(Debug, Clone, Deserialize)]
pub struct Donation {
    pub id: Uuid,
    pub donor_id: Option<Uuid>,
    pub amount_minor: Option<i64>,
    pub currency: Option<String>,
    pub quantity: Option<i64>,
    pub item_description: Option<String>,
    pub message: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Recent gifts shown on a page; the API's newest first.
const RECENT: &str = "10";

impl Api {
    /// The latest confirmed donations to a campaign.
    pub async fn campaign_donations(
        &self,
        campaign_id: Uuid,
        viewer: &Viewer,
    ) -> Result<Page<Donation>, Failure> {
        let id = campaign_id.to_string();
        self.get(
            Backend::Donation,
            &["donations"],
            &[("campaign_id", &id), ("limit", RECENT)],
            viewer,
        )
        .await
    }

    /// The latest confirmed or completed pledges to a request.
    pub async fn request_donations(
        &self,
        request_id: Uuid,
        viewer: &Viewer,
    ) -> Result<Page<Donation>, Failure> {
        let id = request_id.to_string();
        self.get(
            Backend::Donation,
            &["donations"],
            &[("request_id", &id), ("limit", RECENT)],
            viewer,
        )
        .await
    }
}
