//! profile-service's reports and the staff's decisions: report something,
//! the queue of open reports, resolve one, suspend and reinstate a person,
//! and (campaign-service, request-service) a campaign or a request.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Api, Failure, Page, Refused};
use crate::config::Backend;
use crate::session::Viewer;

/// What can be reported, in the API's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    Profile,
    Campaign,
    Request,
    Donation,
    Message,
    Rating,
}

impl TargetKind {
    pub fn parse(word: &str) -> Option<Self> {
        Some(match word {
            "profile" => Self::Profile,
            "campaign" => Self::Campaign,
            "request" => Self::Request,
            "donation" => Self::Donation,
            "message" => Self::Message,
            "rating" => Self::Rating,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Profile => "profile",
            Self::Campaign => "campaign",
            Self::Request => "request",
            Self::Donation => "donation",
            Self::Message => "message",
            Self::Rating => "rating",
        }
    }

    /// The thing in a sentence: "this campaign", "this person".
    pub fn noun(self) -> &'static str {
        match self {
            Self::Profile => "person",
            other => other.as_str(),
        }
    }
}

/// Why something is reported; `(word, label)` as the form offers them.
pub const REASONS: [(&str, &str); 6] = [
    ("spam", "Spam"),
    ("fraud", "Fraud or a scam"),
    ("harassment", "Harassment"),
    ("inappropriate", "Inappropriate content"),
    ("no_show", "A gift that never came"),
    ("other", "Something else"),
];

/// The API's limit for a report's details.
pub const DETAILS_MAX_CHARS: usize = 2000;

/// profile-service's `Report`.
#[derive(Debug, Clone, Deserialize)]
pub struct Report {
    pub id: Uuid,
    pub reporter_id: Uuid,
    pub target_type: TargetKind,
    pub target_id: Uuid,
    pub reason: String,
    pub details: Option<String>,
    pub status: String,
    pub resolution_note: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// `POST /reports`.
#[derive(Debug, Clone, Serialize)]
pub struct NewReport {
    pub target_type: TargetKind,
    pub target_id: Uuid,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
}

/// `POST /reports/{id}/resolve`.
#[derive(Debug, Clone, Serialize)]
pub struct Resolution {
    pub resolution: Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Dismissed,
    Actioned,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    HideTarget,
    SuspendUser,
}

/// The body of a staff decision: why, told to the person.
#[derive(Debug, Clone, Serialize)]
struct Decision<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}

/// A status move of a campaign or a request.
#[derive(Debug, Clone, Serialize)]
struct StatusMove<'a> {
    status: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}

/// Campaigns and requests staff suspend and reinstate alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    Campaign,
    Request,
}

impl Listing {
    fn backend(self) -> Backend {
        match self {
            Listing::Campaign => Backend::Campaign,
            Listing::Request => Backend::Request,
        }
    }

    fn collection(self) -> &'static str {
        match self {
            Listing::Campaign => "campaigns",
            Listing::Request => "requests",
        }
    }

    /// Where a suspended one may return to. The API keeps which it was to
    /// itself and refuses any other with a 409 that changes nothing, so a
    /// reinstatement tries these in turn.
    fn statuses(self) -> &'static [&'static str] {
        match self {
            Listing::Campaign => &["active", "paused", "draft", "completed", "cancelled"],
            Listing::Request => &["open", "fulfilled", "cancelled", "expired"],
        }
    }
}

impl Api {
    /// Files a report: one per `key`; a second open one on the same thing
    /// is a [`Refused::Conflict`].
    pub async fn report(
        &self,
        report: &NewReport,
        key: Uuid,
        viewer: &Viewer,
    ) -> Result<Report, Refused> {
        self.create(Backend::Profile, &["reports"], report, key, viewer)
            .await
    }

    /// Open reports, newest first (staff).
    pub async fn open_reports(
        &self,
        cursor: Option<&str>,
        viewer: &Viewer,
    ) -> Result<Page<Report>, Failure> {
        let mut query = vec![("status", "open"), ("limit", "20")];
        if let Some(cursor) = cursor {
            query.push(("cursor", cursor));
        }
        self.get(Backend::Profile, &["reports"], &query, viewer)
            .await
    }

    pub async fn report_by_id(&self, id: Uuid, viewer: &Viewer) -> Result<Report, Failure> {
        self.read(Backend::Profile, "reports", id, viewer).await
    }

    pub async fn resolve_report(
        &self,
        id: Uuid,
        resolution: &Resolution,
        viewer: &Viewer,
    ) -> Result<(), Refused> {
        let id = id.to_string();
        self.act_with(
            Backend::Profile,
            &["reports", &id, "resolve"],
            Some(resolution),
            viewer,
        )
        .await
    }

    /// Suspends (`suspend`) or reinstates a person, with the reason told them.
    pub async fn decide_person(
        &self,
        id: Uuid,
        suspend: bool,
        reason: Option<&str>,
        viewer: &Viewer,
    ) -> Result<(), Refused> {
        let id = id.to_string();
        let verb = if suspend { "suspend" } else { "reinstate" };
        self.act_with(
            Backend::Profile,
            &["profiles", &id, verb],
            Some(&Decision { reason }),
            viewer,
        )
        .await
    }

    /// Suspends a campaign or a request (staff), with a reason.
    pub async fn suspend_listing(
        &self,
        listing: Listing,
        id: Uuid,
        reason: Option<&str>,
        viewer: &Viewer,
    ) -> Result<(), Refused> {
        self.move_listing(listing, id, "suspended", reason, viewer)
            .await
    }

    /// Returns a suspended campaign or request to where it was (staff).
    pub async fn reinstate_listing(
        &self,
        listing: Listing,
        id: Uuid,
        reason: Option<&str>,
        viewer: &Viewer,
    ) -> Result<(), Refused> {
        // Only a suspended one: any other would take the first legal move
        // below (an active campaign would be paused).
        #[derive(Deserialize)]
        struct Listed {
            status: String,
        }
        let now: Listed = self
            .read(listing.backend(), listing.collection(), id, viewer)
            .await?;
        if now.status != "suspended" {
            return Err(Refused::Conflict(format!("it is {}", now.status)));
        }
        let mut last = Refused::Conflict(String::new());
        for status in listing.statuses() {
            match self.move_listing(listing, id, status, reason, viewer).await {
                Err(refused @ Refused::Conflict(_)) => last = refused,
                other => return other,
            }
        }
        Err(last)
    }

    async fn move_listing(
        &self,
        listing: Listing,
        id: Uuid,
        status: &str,
        reason: Option<&str>,
        viewer: &Viewer,
    ) -> Result<(), Refused> {
        let id = id.to_string();
        self.act_with(
            listing.backend(),
            &[listing.collection(), &id, "status"],
            Some(&StatusMove { status, reason }),
            viewer,
        )
        .await
    }
}
