//! request-service: list and read requests; post, edit and close one as
//! its owner.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Api, Failure, ListQuery, Page, Refused};
use crate::config::Backend;
use crate::session::Viewer;

/// request-service's `Request`, the fields the site shows.
#[derive(Debug, Clone, Deserialize)]
pub struct Request {
    pub id: Uuid,
    pub requester_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub category: Option<String>,
    pub quantity_needed: i64,
    pub quantity_pledged: i64,
    pub quantity_fulfilled: i64,
    pub status: RequestStatus,
    pub needed_by: Option<DateTime<Utc>>,
    pub location: Option<String>,
    /// Absent from a request-service that predates images.
    #[serde(default)]
    pub image_url: Option<String>,
    pub created_at: DateTime<Utc>,
    /// What `If-Match` sends back: an edit applies only to this version.
    pub version: i32,
}

impl Request {
    /// What `quantity_needed` may not go below: pledged plus received.
    pub fn committed(&self) -> i64 {
        self.quantity_pledged + self.quantity_fulfilled
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    Open,
    Fulfilled,
    Cancelled,
    Expired,
    Suspended,
    /// A status added to the API after this site was built.
    #[serde(other)]
    Other,
}

impl RequestStatus {
    pub fn label(self) -> &'static str {
        match self {
            RequestStatus::Open => "Open for pledges",
            RequestStatus::Fulfilled => "Fulfilled",
            RequestStatus::Cancelled => "Cancelled",
            RequestStatus::Expired => "Expired",
            RequestStatus::Suspended => "Suspended",
            RequestStatus::Other => "Closed",
        }
    }
}

/// `POST /requests`.
#[derive(Debug, Clone, Serialize)]
pub struct NewRequest {
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub category: String,
    pub quantity_needed: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needed_by: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
}

/// `PATCH /requests/{id}`: a field left `None` stays as it is;
/// `Some(None)` clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RequestChanges {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantity_needed: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needed_by: Option<Option<DateTime<Utc>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_url: Option<Option<String>>,
}

/// How its owner closes an open request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Closing {
    Fulfilled,
    Cancelled,
}

impl Api {
    pub async fn requests(
        &self,
        query: &ListQuery<'_>,
        viewer: &Viewer,
    ) -> Result<Page<Request>, Failure> {
        self.list(Backend::Request, "requests", query, viewer).await
    }

    pub async fn request(&self, id: Uuid, viewer: &Viewer) -> Result<Request, Failure> {
        self.read(Backend::Request, "requests", id, viewer).await
    }

    /// Posts a request: one per `key`, however often the form is sent.
    pub async fn post_request(
        &self,
        request: &NewRequest,
        key: Uuid,
        viewer: &Viewer,
    ) -> Result<Request, Refused> {
        self.create(Backend::Request, &["requests"], request, key, viewer)
            .await
    }

    /// Edits the request as it was at `version`.
    pub async fn edit_request(
        &self,
        id: Uuid,
        changes: &RequestChanges,
        version: i32,
        viewer: &Viewer,
    ) -> Result<Request, Refused> {
        let id = id.to_string();
        self.edit(
            Backend::Request,
            &["requests", &id],
            changes,
            version,
            viewer,
        )
        .await
    }

    /// Closes an open request as fulfilled or cancelled.
    pub async fn close_request(
        &self,
        id: Uuid,
        status: Closing,
        viewer: &Viewer,
    ) -> Result<(), Refused> {
        #[derive(Serialize)]
        struct Close {
            status: Closing,
        }
        let id = id.to_string();
        self.act_with(
            Backend::Request,
            &["requests", &id, "close"],
            Some(&Close { status }),
            viewer,
        )
        .await
    }

    /// The requests `person` posted: newest first, at most `limit`.
    pub async fn requests_of(
        &self,
        person: Uuid,
        limit: u32,
        viewer: &Viewer,
    ) -> Result<Page<Request>, Failure> {
        let (person, limit) = (person.to_string(), limit.to_string());
        self.get(
            Backend::Request,
            &["requests"],
            &[("requester_id", &person), ("limit", &limit)],
            viewer,
        )
        .await
    }
}
