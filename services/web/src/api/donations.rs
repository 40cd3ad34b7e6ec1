//! donation-service: the public list of a campaign's or a request's gifts.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

use super::{Api, Failure, Page, Refused};
use crate::config::Backend;
use crate::session::Viewer;

/// donation-service's `Donation` as the public sees it: confirmed or completed, with
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

/// A donation as its donor sees it: every status, and why it was refused.
#[derive(Debug, Clone, Deserialize)]
pub struct MyDonation {
    pub id: Uuid,
    /// Null to anyone but the donor and staff when it was anonymous.
    pub donor_id: Option<Uuid>,
    pub campaign_id: Option<Uuid>,
    pub request_id: Option<Uuid>,
    /// Null until the campaign or request accepted it.
    #[serde(default)]
    pub recipient_id: Option<Uuid>,
    pub amount_minor: Option<i64>,
    pub currency: Option<String>,
    pub quantity: Option<i64>,
    pub item_description: Option<String>,
    pub anonymous: bool,
    pub status: String,
    /// A refusal's code (`not_active`, `currency_mismatch`, …).
    pub status_reason: Option<String>,
    /// Present to its donor and recipient.
    #[serde(default)]
    pub message: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// `POST /donations` of money.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NewMoneyDonation {
    pub kind: &'static str,
    pub campaign_id: Uuid,
    pub amount_minor: i64,
    pub currency: String,
    pub anonymous: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// `POST /donations` of items.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NewPledge {
    pub kind: &'static str,
    pub request_id: Uuid,
    pub quantity: i64,
    pub item_description: String,
    pub anonymous: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// A body of `POST /donations`: money or a pledge, told apart by `kind`.
pub trait NewGift: serde::Serialize + Sync {}

impl NewGift for NewMoneyDonation {}
impl NewGift for NewPledge {}

/// Recent gifts shown on a page; the API's newest first.
const RECENT: &str = "10";

impl Api {
    /// The latest public gifts to the thing `target` (`campaign_id` or
    /// `request_id`) names: a campaign's page and a request's list them alike.
    async fn recent_donations(
        &self,
        target: &str,
        id: Uuid,
        viewer: &Viewer,
    ) -> Result<Page<Donation>, Failure> {
        let id = id.to_string();
        self.get(
            Backend::Donation,
            &["donations"],
            &[(target, &id), ("limit", RECENT)],
            viewer,
        )
        .await
    }

    /// The latest confirmed donations to a campaign.
    pub async fn campaign_donations(
        &self,
        campaign_id: Uuid,
        viewer: &Viewer,
    ) -> Result<Page<Donation>, Failure> {
        self.recent_donations("campaign_id", campaign_id, viewer)
            .await
    }

    /// Gives money or pledges items: one donation per `key`, however often
    /// it is sent.
    pub async fn give(
        &self,
        gift: &impl NewGift,
        key: Uuid,
        viewer: &Viewer,
    ) -> Result<MyDonation, Refused> {
        self.create(Backend::Donation, &["donations"], gift, key, viewer)
            .await
    }

    /// The viewer's own donations and pledges, every status, newest first.
    pub async fn my_donations(
        &self,
        cursor: Option<&str>,
        viewer: &Viewer,
    ) -> Result<Page<MyDonation>, Failure> {
        let mut query = vec![("mine", "true"), ("limit", "20")];
        if let Some(cursor) = cursor {
            query.push(("cursor", cursor));
        }
        self.get(Backend::Donation, &["donations"], &query, viewer)
            .await
    }

    /// Cancels a donation (its donor, while it is pending).
    pub async fn cancel_donation(&self, id: Uuid, viewer: &Viewer) -> Result<(), Refused> {
        let id = id.to_string();
        self.act(Backend::Donation, &["donations", &id, "cancel"], viewer)
            .await
    }

    /// One donation as the viewer may see it (its donor sees every status).
    pub async fn donation(&self, id: Uuid, viewer: &Viewer) -> Result<MyDonation, Failure> {
        self.read(Backend::Donation, "donations", id, viewer).await
    }

    /// The latest confirmed or completed pledges to a request.
    pub async fn request_donations(
        &self,
        request_id: Uuid,
        viewer: &Viewer,
    ) -> Result<Page<Donation>, Failure> {
        self.recent_donations("request_id", request_id, viewer)
            .await
    }

    /// The gifts the viewer received, to their campaigns and requests,
    /// every status, newest first.
    pub async fn received_donations(
        &self,
        cursor: Option<&str>,
        viewer: &Viewer,
    ) -> Result<Page<MyDonation>, Failure> {
        let mut query = vec![("received", "true"), ("limit", "20")];
        if let Some(cursor) = cursor {
            query.push(("cursor", cursor));
        }
        self.get(Backend::Donation, &["donations"], &query, viewer)
            .await
    }

    /// Marks a confirmed pledge received (its recipient): it completes.
    pub async fn receive_donation(&self, id: Uuid, viewer: &Viewer) -> Result<(), Refused> {
        let id = id.to_string();
        self.act(Backend::Donation, &["donations", &id, "receive"], viewer)
            .await
    }

    /// Refunds a confirmed money donation (its recipient, or staff).
    pub async fn refund_donation(
        &self,
        id: Uuid,
        reason: &str,
        viewer: &Viewer,
    ) -> Result<(), Refused> {
        #[derive(serde::Serialize)]
        struct Refund<'a> {
            reason: &'a str,
        }
        let id = id.to_string();
        self.act_with(
            Backend::Donation,
            &["donations", &id, "refund"],
            Some(&Refund { reason }),
            viewer,
        )
        .await
    }
}
