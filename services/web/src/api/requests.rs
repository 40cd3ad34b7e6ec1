//! request-service: `GET /requests`, `GET /requests/{id}`.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

use super::{Api, Failure, ListQuery, Page};
use crate::config::Backend;
use crate::session::Viewer;

/// API.md's `Request`, the fields the site shows.
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
}
