//! profile-service: a public profile and the ratings it received.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

use super::{Api, Failure, Page};
use crate::config::Backend;
use crate::session::Viewer;

/// API.md's `Profile`, the public fields.
#[derive(Debug, Clone, Deserialize)]
pub struct Profile {
    pub id: Uuid,
    pub display_name: String,
    pub bio: Option<String>,
    pub location: Option<String>,
    pub status: String,
    pub rating_avg: Option<f64>,
    pub rating_count: i64,
    pub created_at: DateTime<Utc>,
}

/// A rating as the viewer may see it: `rater_id` is null where the API
/// hides who rated (an anonymous donation), and the site says "Someone".
#[derive(Debug, Clone, Deserialize)]
pub struct Rating {
    pub id: Uuid,
    pub rater_id: Option<Uuid>,
    pub score: i16,
    pub comment: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl Api {
    pub async fn profile(&self, id: Uuid, viewer: &Viewer) -> Result<Profile, Failure> {
        self.read(Backend::Profile, "profiles", id, viewer).await
    }

    /// Sets the viewer's display name (creating their profile if need be).
    pub async fn save_display_name(
        &self,
        display_name: &str,
        viewer: &Viewer,
    ) -> Result<(), Failure> {
        let body = serde_json::json!({ "display_name": display_name });
        self.put(Backend::Profile, &["profiles", "me"], &body, viewer)
            .await
    }

    pub async fn ratings(&self, id: Uuid, viewer: &Viewer) -> Result<Page<Rating>, Failure> {
        let id = id.to_string();
        self.get(
            Backend::Profile,
            &["profiles", &id, "ratings"],
            &[("limit", "20")],
            viewer,
        )
        .await
    }
}
