use chrono::{DateTime, Utc};
use hearth_core::error::FieldError;
use hearth_core::validation::Validator;
use hearth_core::ApiError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub const DETAILS_MAX_CHARS: usize = 2_000;
pub const NOTE_MAX_CHARS: usize = 2_000;

hearth_core::words! {
    /// What a report is about.
    pub enum TargetType: "report target" {
        Profile => "profile",
        Campaign => "campaign",
        Request => "request",
        Donation => "donation",
        Message => "message",
        Rating => "rating",
    }
}

hearth_core::words! {
    pub enum ReportReason: "report reason" {
        Spam => "spam",
        Fraud => "fraud",
        Harassment => "harassment",
        Inappropriate => "inappropriate",
        NoShow => "no_show",
        Other => "other",
    }
}

hearth_core::words! {
    pub enum ReportStatus: "report status" {
        Open => "open",
        Actioned => "actioned",
        Dismissed => "dismissed",
    }
}

hearth_core::words! {
    /// How staff close a report.
    pub enum Resolution: "resolution" {
        Actioned => "actioned",
        Dismissed => "dismissed",
    }
}

hearth_core::words! {
    /// What staff do about a report they action.
    pub enum ReportAction: "report action" {
        HideTarget => "hide_target",
        SuspendUser => "suspend_user",
    }
}

/// A report, with the `action` staff took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
#[schema(example = json!({
    "id": "0193a5e6-1a2b-7c3d-8e4f-5a6b7c8d9e0a",
    "reporter_id": "7d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a",
    "target_type": "campaign",
    "target_id": "0193a5e0-7b2c-7c3d-8e4f-5a6b7c8d9e0f",
    "reason": "fraud",
    "details": "The same photos appear on another site.",
    "status": "actioned",
    "action": "hide_target",
    "resolution_note": "Hidden while we check.",
    "resolved_by": "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d",
    "created_at": "2026-12-03T11:00:00Z",
    "updated_at": "2026-12-03T15:00:00Z",
    "version": 2
}))]
pub struct Report {
    pub id: Uuid,
    pub reporter_id: Uuid,
    pub target_type: TargetType,
    pub target_id: Uuid,
    pub reason: ReportReason,
    pub details: Option<String>,
    pub status: ReportStatus,
    pub action: Option<ReportAction>,
    pub resolution_note: Option<String>,
    pub resolved_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl hearth_core::concurrency::Versioned for Report {
    fn version(&self) -> i32 {
        self.version
    }
}

/// The body of `POST /reports`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "target_type": "campaign",
    "target_id": "0193a5e0-7b2c-7c3d-8e4f-5a6b7c8d9e0f",
    "reason": "fraud",
    "details": "The same photos appear on another site."
}))]
pub struct CreateReport {
    pub target_type: TargetType,
    pub target_id: Uuid,
    pub reason: ReportReason,
    #[schema(schema_with = details_schema)]
    pub details: Option<String>,
}

fn details_schema() -> utoipa::openapi::Object {
    hearth_core::openapi::text::nullable_text(0, DETAILS_MAX_CHARS)
}

fn note_schema() -> utoipa::openapi::Object {
    hearth_core::openapi::text::nullable_text(0, NOTE_MAX_CHARS)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReport {
    pub target_type: TargetType,
    pub target_id: Uuid,
    pub reason: ReportReason,
    pub details: Option<String>,
}

impl CreateReport {
    pub fn parse(self) -> Result<NewReport, ApiError> {
        let details = self
            .details
            .map(|d| d.trim().to_owned())
            .filter(|d| !d.is_empty());
        if let Some(details) = &details {
            Validator::new()
                .length(details, "details", 0, DETAILS_MAX_CHARS)
                .finish()?;
        }
        Ok(NewReport {
            target_type: self.target_type,
            target_id: self.target_id,
            reason: self.reason,
            details,
        })
    }
}

/// The body of `POST /reports/{id}/resolve`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "resolution": "actioned",
    "action": "hide_target",
    "note": "Hidden while we check."
}))]
pub struct ResolveReport {
    pub resolution: Resolution,
    /// Only with `actioned`. `hide_target` works on campaigns, requests and
    /// ratings; `suspend_user` on profiles (the person) and ratings (their author).
    pub action: Option<ReportAction>,
    #[schema(schema_with = note_schema)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidResolution {
    pub resolution: Resolution,
    pub action: Option<ReportAction>,
    pub note: Option<String>,
}

impl ResolveReport {
    /// Checks the resolution against the report's target: an action this
    /// platform cannot carry out is refused, never silently ignored.
    pub fn parse(self, target_type: TargetType) -> Result<ValidResolution, ApiError> {
        let note = self
            .note
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty());
        let mut v = Validator::new();
        if let Some(note) = &note {
            v.length(note, "note", 0, NOTE_MAX_CHARS);
        }
        v.finish()?;
        let refuse = |message: &str| ApiError::validation(vec![FieldError::new("action", message)]);
        match (self.resolution, self.action, target_type) {
            (Resolution::Dismissed, Some(_), _) => {
                return Err(refuse("a dismissed report takes no action"))
            }
            (
                _,
                Some(ReportAction::HideTarget),
                TargetType::Profile | TargetType::Donation | TargetType::Message,
            ) => {
                return Err(refuse(
                    "hide_target works on campaigns, requests and ratings",
                ))
            }
            (
                _,
                Some(ReportAction::SuspendUser),
                TargetType::Campaign
                | TargetType::Request
                | TargetType::Donation
                | TargetType::Message,
            ) => {
                return Err(refuse(
                    "suspend_user works on profiles and ratings; report the person's profile",
                ))
            }
            _ => {}
        }
        Ok(ValidResolution {
            resolution: self.resolution,
            action: self.action,
            note,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(action: Option<ReportAction>, target: TargetType) -> bool {
        ResolveReport {
            resolution: Resolution::Actioned,
            action,
            note: None,
        }
        .parse(target)
        .is_ok()
    }

    #[test]
    fn actions_fit_their_targets() {
        use ReportAction::*;
        use TargetType::*;
        for target in [Campaign, Request, Rating] {
            assert!(resolve(Some(HideTarget), target), "{target}");
        }
        for target in [Profile, Donation, Message] {
            assert!(!resolve(Some(HideTarget), target), "{target}");
        }
        for target in [Profile, Rating] {
            assert!(resolve(Some(SuspendUser), target), "{target}");
        }
        for target in [Campaign, Request, Donation, Message] {
            assert!(!resolve(Some(SuspendUser), target), "{target}");
            assert!(resolve(None, target), "{target}");
        }
        let dismissed_with_action = ResolveReport {
            resolution: Resolution::Dismissed,
            action: Some(HideTarget),
            note: None,
        };
        assert!(dismissed_with_action.parse(Campaign).is_err());
    }

    #[test]
    fn words_round_trip() {
        for reason in [
            "spam",
            "fraud",
            "harassment",
            "inappropriate",
            "no_show",
            "other",
        ] {
            assert_eq!(
                reason.parse::<ReportReason>().map(|r| r.as_str()),
                Ok(reason)
            );
        }
        assert!("Spam".parse::<ReportReason>().is_err());
    }
}
