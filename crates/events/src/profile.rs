//! Events profile-service produces.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Event;

macro_rules! profile_event {
    ($name:ident, $type:literal) => {
        impl Event for $name {
            const TYPE: &'static str = $type;
            fn subject(&self) -> String {
                self.profile_id.to_string()
            }
        }
    };
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileCreated {
    pub profile_id: Uuid,
    pub display_name: String,
}
profile_event!(ProfileCreated, "profile.created");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileUpdated {
    pub profile_id: Uuid,
    pub display_name: String,
}
profile_event!(ProfileUpdated, "profile.updated");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileSuspended {
    pub profile_id: Uuid,
    pub reason: Option<String>,
}
profile_event!(ProfileSuspended, "profile.suspended");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileReinstated {
    pub profile_id: Uuid,
    pub reason: Option<String>,
}
profile_event!(ProfileReinstated, "profile.reinstated");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingCreated {
    pub rating_id: Uuid,
    pub donation_id: Uuid,
    pub rater_id: Uuid,
    pub ratee_id: Uuid,
    pub score: i16,
    /// Whether the donation's donor asked not to be named: then a consumer
    /// names neither the donor nor the donation to anyone else. Absent
    /// (unknown) in older payloads, which a consumer treats as anonymous.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anonymous: Option<bool>,
}

impl Event for RatingCreated {
    const TYPE: &'static str = "rating.created";
    fn subject(&self) -> String {
        self.rating_id.to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportCreated {
    pub report_id: Uuid,
    pub reporter_id: Uuid,
    pub target_type: String,
    pub target_id: Uuid,
    pub reason: String,
}

impl Event for ReportCreated {
    const TYPE: &'static str = "report.created";
    fn subject(&self) -> String {
        self.report_id.to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportResolved {
    pub report_id: Uuid,
    pub reporter_id: Uuid,
    pub target_type: String,
    pub target_id: Uuid,
    /// `actioned` or `dismissed`.
    pub resolution: String,
    /// `hide_target`, `suspend_user`, or none.
    pub action: Option<String>,
}

impl ReportResolved {
    /// Whether staff asked to hide the reported thing, and it is a `target_type`.
    pub fn hides(&self, target_type: &str) -> bool {
        self.action.as_deref() == Some("hide_target") && self.target_type == target_type
    }
}

impl Event for ReportResolved {
    const TYPE: &'static str = "report.resolved";
    fn subject(&self) -> String {
        self.report_id.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rating_without_anonymous_still_decodes() {
        let old = serde_json::json!({
            "rating_id": Uuid::nil(),
            "donation_id": Uuid::nil(),
            "rater_id": Uuid::nil(),
            "ratee_id": Uuid::nil(),
            "score": 4,
        });
        let rating: RatingCreated =
            serde_json::from_value(old.clone()).expect("an older payload parses");
        assert_eq!(rating.anonymous, None);
        assert_eq!(serde_json::to_value(&rating).expect("json"), old);
    }
}
