//! profile-service: a public profile and the ratings it received.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

use super::{Api, Failure, Guards, Page, Refused};
use crate::config::Backend;
use crate::session::Viewer;

/// profile-service's `Profile`, the public fields.
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
    /// Null where the API hides which donation it was (an anonymous one).
    #[serde(default)]
    pub donation_id: Option<Uuid>,
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

/// The viewer's own profile, every field they may edit.
#[derive(Debug, Clone, Deserialize)]
pub struct MyProfile {
    pub id: Uuid,
    pub display_name: String,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub location: Option<String>,
    pub status: String,
    pub rating_avg: Option<f64>,
    pub rating_count: i64,
}

/// `PUT /profiles/me`: the whole profile; a field left `None` is cleared.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProfileChanges {
    pub display_name: String,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub location: Option<String>,
}

/// `POST /ratings`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NewRating {
    pub donation_id: Uuid,
    pub score: Score,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A rating's score: 1 to 5, nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct Score(u8);

impl Score {
    pub const ALL: [u8; 5] = [1, 2, 3, 4, 5];

    pub fn new(n: u8) -> Option<Self> {
        Self::ALL.contains(&n).then_some(Self(n))
    }
}

/// How many of a person's ratings are looked through for the viewer's own.
const RATINGS_SEARCHED: &str = "100";

impl Api {
    /// The viewer's profile; `NotFound` before they made one.
    pub async fn my_profile(&self, viewer: &Viewer) -> Result<MyProfile, Failure> {
        self.get(Backend::Profile, &["profiles", "me"], &[], viewer)
            .await
    }

    /// Replaces the viewer's profile with `changes`.
    pub async fn save_profile(
        &self,
        changes: &ProfileChanges,
        viewer: &Viewer,
    ) -> Result<MyProfile, Refused> {
        self.write(
            reqwest::Method::PUT,
            Backend::Profile,
            &["profiles", "me"],
            Some(changes),
            Guards::default(),
            viewer,
        )
        .await
    }

    /// Rates the other party of a donation: one rating per `key`.
    pub async fn rate(
        &self,
        rating: &NewRating,
        key: Uuid,
        viewer: &Viewer,
    ) -> Result<(), Refused> {
        let _: serde::de::IgnoredAny = self
            .create(Backend::Profile, &["ratings"], rating, key, viewer)
            .await?;
        Ok(())
    }

    /// Whether the viewer already rated `ratee` for `donation_id`, among
    /// the ratings `ratee` received lately.
    pub async fn rated(
        &self,
        ratee: Uuid,
        donation_id: Uuid,
        viewer: &Viewer,
    ) -> Result<bool, Failure> {
        let Some(me) = viewer.person().map(|p| p.id) else {
            return Ok(false);
        };
        let ratee = ratee.to_string();
        let page: Page<Rating> = self
            .get(
                Backend::Profile,
                &["profiles", &ratee, "ratings"],
                &[("limit", RATINGS_SEARCHED)],
                viewer,
            )
            .await?;
        Ok(page
            .items
            .iter()
            .any(|r| r.donation_id == Some(donation_id) && r.rater_id == Some(me)))
    }
}

#[cfg(test)]
mod tests {
    use super::Score;

    #[test]
    fn a_score_is_one_to_five() {
        for n in 1..=5 {
            assert!(Score::new(n).is_some(), "{n}");
        }
        for n in [0, 6, 9, 255] {
            assert_eq!(Score::new(n), None, "{n}");
        }
        let json = serde_json::to_string(&Score::new(4)).expect("json");
        assert_eq!(json, "4");
    }
}
