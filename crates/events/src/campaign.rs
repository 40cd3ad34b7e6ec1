//! Events campaign-service produces.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Event;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignCreated {
    pub campaign_id: Uuid,
    pub recipient_id: Uuid,
    pub creator_id: Uuid,
    pub title: String,
    pub goal_minor: i64,
    pub currency: String,
    pub status: String,
    pub ends_at: Option<DateTime<Utc>>,
    /// An https link to the campaign's picture. Added within version 1:
    /// absent from older payloads and when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
}

impl Event for CampaignCreated {
    const TYPE: &'static str = "campaign.created";
    fn subject(&self) -> String {
        self.campaign_id.to_string()
    }
}

/// Only the fields that changed. For a field that can be cleared, `Some(None)`
/// (`null` on the wire) means "cleared" and an absent field means "unchanged".
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CampaignChanges {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub description: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub category: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goal_minor: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub ends_at: Option<Option<DateTime<Utc>>>,
    /// Added within version 1; `null` when the picture was removed.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub image_url: Option<Option<String>>,
}

impl CampaignChanges {
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignUpdated {
    pub campaign_id: Uuid,
    pub changes: CampaignChanges,
}

impl Event for CampaignUpdated {
    const TYPE: &'static str = "campaign.updated";
    fn subject(&self) -> String {
        self.campaign_id.to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignStatusChanged {
    pub campaign_id: Uuid,
    pub recipient_id: Uuid,
    pub title: String,
    pub from: String,
    pub to: String,
    pub reason: Option<String>,
}

impl Event for CampaignStatusChanged {
    const TYPE: &'static str = "campaign.status_changed";
    fn subject(&self) -> String {
        self.campaign_id.to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignGoalReached {
    pub campaign_id: Uuid,
    pub recipient_id: Uuid,
    pub title: String,
    pub goal_minor: i64,
    pub raised_minor: i64,
    pub currency: String,
}

impl Event for CampaignGoalReached {
    const TYPE: &'static str = "campaign.goal_reached";
    fn subject(&self) -> String {
        self.campaign_id.to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignDonationAccepted {
    pub donation_id: Uuid,
    pub campaign_id: Uuid,
    pub recipient_id: Uuid,
    pub title: String,
    pub amount_minor: i64,
    pub currency: String,
    /// The campaign's total after this donation.
    pub raised_minor: i64,
    /// The donor, so the recipient can hear who gave. Added within version 1:
    /// absent from older payloads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub donor_id: Option<Uuid>,
    /// Whether the donor asked not to be named; absent (unknown) in older payloads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anonymous: Option<bool>,
}

impl Event for CampaignDonationAccepted {
    const TYPE: &'static str = "campaign.donation_accepted";
    fn subject(&self) -> String {
        self.campaign_id.to_string()
    }
}

/// Why campaign-service refused a donation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignRejection {
    NotFound,
    NotActive,
    Ended,
    CurrencyMismatch,
    SelfDonation,
    DonorSuspended,
}

impl CampaignRejection {
    /// The reason's code, as in the payload and in a donation's `status_reason`.
    pub fn code(self) -> &'static str {
        match self {
            CampaignRejection::NotFound => "not_found",
            CampaignRejection::NotActive => "not_active",
            CampaignRejection::Ended => "ended",
            CampaignRejection::CurrencyMismatch => "currency_mismatch",
            CampaignRejection::SelfDonation => "self_donation",
            CampaignRejection::DonorSuspended => "donor_suspended",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignDonationRejected {
    pub donation_id: Uuid,
    pub campaign_id: Uuid,
    pub reason: CampaignRejection,
}

impl Event for CampaignDonationRejected {
    const TYPE: &'static str = "campaign.donation_rejected";
    fn subject(&self) -> String {
        self.campaign_id.to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignDonationReversed {
    pub donation_id: Uuid,
    pub campaign_id: Uuid,
    pub amount_minor: i64,
    pub currency: String,
    /// The campaign's total after taking the donation back out.
    pub raised_minor: i64,
}

impl Event for CampaignDonationReversed {
    const TYPE: &'static str = "campaign.donation_reversed";
    fn subject(&self) -> String {
        self.campaign_id.to_string()
    }
}

/// `Option<Option<T>>` on the wire: absent, `null`, or a value.
pub(crate) mod nullable {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(
        value: &Option<Option<T>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(inner) => inner.serialize(serializer),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(deserializer).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejection_codes_are_the_payload_words() {
        use CampaignRejection::*;
        for r in [
            NotFound,
            NotActive,
            Ended,
            CurrencyMismatch,
            SelfDonation,
            DonorSuspended,
        ] {
            assert_eq!(serde_json::to_value(r).expect("json"), r.code());
        }
        use crate::request::RequestRejection as R;
        for r in [
            R::NotFound,
            R::NotOpen,
            R::QuantityExceeded,
            R::SelfDonation,
            R::DonorSuspended,
        ] {
            assert_eq!(serde_json::to_value(r).expect("json"), r.code());
        }
    }

    #[test]
    fn a_donation_accepted_without_donor_fields_still_decodes() {
        let old = serde_json::json!({
            "donation_id": Uuid::nil(),
            "campaign_id": Uuid::nil(),
            "recipient_id": Uuid::nil(),
            "title": "Blankets",
            "amount_minor": 2500,
            "currency": "USD",
            "raised_minor": 2500,
        });
        let accepted: CampaignDonationAccepted =
            serde_json::from_value(old.clone()).expect("an older payload parses");
        assert_eq!(accepted.donor_id, None);
        assert_eq!(accepted.anonymous, None);
        assert_eq!(
            serde_json::to_value(&accepted).expect("json"),
            old,
            "unknown fields are left out, not written as null"
        );
    }

    #[test]
    fn a_campaign_created_without_an_image_still_decodes_and_encodes_as_before() {
        let old = serde_json::json!({
            "campaign_id": Uuid::nil(),
            "recipient_id": Uuid::nil(),
            "creator_id": Uuid::nil(),
            "title": "Blankets",
            "goal_minor": 10_000,
            "currency": "USD",
            "status": "active",
            "ends_at": null,
        });
        let created: CampaignCreated =
            serde_json::from_value(old.clone()).expect("an older payload parses");
        assert_eq!(created.image_url, None);
        assert_eq!(serde_json::to_value(&created).expect("json"), old);

        let with_image = CampaignCreated {
            image_url: Some("https://example.org/a.jpg".into()),
            ..created
        };
        let json = serde_json::to_value(&with_image).expect("json");
        assert_eq!(json["image_url"], "https://example.org/a.jpg");
        assert_eq!(
            serde_json::from_value::<CampaignCreated>(json).expect("parses"),
            with_image
        );
    }

    #[test]
    fn a_removed_image_is_told_from_an_unchanged_one() {
        let removed = CampaignChanges {
            image_url: Some(None),
            ..Default::default()
        };
        let json = serde_json::to_value(&removed).expect("json");
        assert_eq!(json, serde_json::json!({"image_url": null}));
        assert_eq!(
            serde_json::from_value::<CampaignChanges>(json).expect("parses"),
            removed
        );
        let unchanged: CampaignChanges =
            serde_json::from_value(serde_json::json!({"title": "New"})).expect("parses");
        assert_eq!(unchanged.image_url, None);
    }

    #[test]
    fn changes_tell_cleared_from_unchanged() {
        let changes = CampaignChanges {
            title: Some("New".into()),
            description: Some(None),
            ..Default::default()
        };
        let json = serde_json::to_value(&changes).expect("serialises");
        assert_eq!(
            json,
            serde_json::json!({"title": "New", "description": null})
        );
        let back: CampaignChanges = serde_json::from_value(json).expect("parses");
        assert_eq!(back, changes);
    }
}
