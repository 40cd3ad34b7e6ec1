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
