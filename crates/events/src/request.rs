//! Events request-service produces.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::campaign::nullable;
use crate::Event;

macro_rules! request_event {
    ($name:ident, $type:literal) => {
        impl Event for $name {
            const TYPE: &'static str = $type;
            fn subject(&self) -> String {
                self.request_id.to_string()
            }
        }
    };
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestCreated {
    pub request_id: Uuid,
    pub requester_id: Uuid,
    pub title: String,
    pub category: String,
    pub quantity_needed: i32,
    /// An https link to the request's picture. Added within version 1:
    /// absent from older payloads and when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
}
request_event!(RequestCreated, "request.created");

/// Only the fields that changed; `null` means cleared.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RequestChanges {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub description: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity_needed: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub needed_by: Option<Option<DateTime<Utc>>>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub location: Option<Option<String>>,
    /// Added within version 1; `null` when the picture was removed.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub image_url: Option<Option<String>>,
}

impl RequestChanges {
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestUpdated {
    pub request_id: Uuid,
    pub changes: RequestChanges,
}
request_event!(RequestUpdated, "request.updated");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestStatusChanged {
    pub request_id: Uuid,
    pub requester_id: Uuid,
    pub from: String,
    pub to: String,
    /// Added within version 1, so that a notification can name the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Why, when staff or the owner gave a reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}
request_event!(RequestStatusChanged, "request.status_changed");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestDonationAccepted {
    pub donation_id: Uuid,
    pub request_id: Uuid,
    pub recipient_id: Uuid,
    pub title: String,
    pub quantity: i32,
    /// The donor, so the requester can hear who pledged. Added within
    /// version 1: absent from older payloads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub donor_id: Option<Uuid>,
    /// Whether the donor asked not to be named; absent (unknown) in older payloads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anonymous: Option<bool>,
}
request_event!(RequestDonationAccepted, "request.donation_accepted");

/// Why request-service refused an item donation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestRejection {
    NotFound,
    NotOpen,
    QuantityExceeded,
    SelfDonation,
    DonorSuspended,
}

impl RequestRejection {
    /// The reason's code, as in the payload and in a donation's `status_reason`.
    pub fn code(self) -> &'static str {
        match self {
            RequestRejection::NotFound => "not_found",
            RequestRejection::NotOpen => "not_open",
            RequestRejection::QuantityExceeded => "quantity_exceeded",
            RequestRejection::SelfDonation => "self_donation",
            RequestRejection::DonorSuspended => "donor_suspended",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestDonationRejected {
    pub donation_id: Uuid,
    pub request_id: Uuid,
    pub reason: RequestRejection,
}
request_event!(RequestDonationRejected, "request.donation_rejected");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestFulfilled {
    pub request_id: Uuid,
    pub requester_id: Uuid,
    pub title: String,
}
request_event!(RequestFulfilled, "request.fulfilled");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_created_without_an_image_still_decodes_and_encodes_as_before() {
        let old = serde_json::json!({
            "request_id": Uuid::nil(),
            "requester_id": Uuid::nil(),
            "title": "Blankets",
            "category": "bedding",
            "quantity_needed": 10,
        });
        let created: RequestCreated =
            serde_json::from_value(old.clone()).expect("an older payload parses");
        assert_eq!(created.image_url, None);
        assert_eq!(serde_json::to_value(&created).expect("json"), old);
    }

    #[test]
    fn a_removed_image_is_told_from_an_unchanged_one() {
        let removed = RequestChanges {
            image_url: Some(None),
            ..Default::default()
        };
        let json = serde_json::to_value(&removed).expect("json");
        assert_eq!(json, serde_json::json!({"image_url": null}));
        assert_eq!(
            serde_json::from_value::<RequestChanges>(json).expect("parses"),
            removed
        );
        let set: RequestChanges =
            serde_json::from_value(serde_json::json!({"image_url": "https://example.org/a.jpg"}))
                .expect("parses");
        assert_eq!(
            set.image_url,
            Some(Some("https://example.org/a.jpg".into()))
        );
    }
}
