use chrono::{DateTime, Utc};
use hearth_core::image_url::ImageUrl;
use hearth_core::openapi::text;
use hearth_core::validation::Validator;
use hearth_core::ApiError;
use hearth_events::campaign::CampaignChanges;
use serde::Deserialize;
use utoipa::ToSchema;

use super::new_campaign::{
    schema, CATEGORY_CHARS, DESCRIPTION_MAX_CHARS, GOAL_MINOR_MAX, TITLE_CHARS,
};
use super::Campaign;

/// The body of `PATCH /campaigns/{id}`. An absent field stays as it is;
/// `null` clears `description`, `category`, `ends_at` or `image_url`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "Winter blankets, and hats", "goal_minor": 300000, "ends_at": null}))]
pub struct UpdateCampaign {
    /// `null` leaves it as it is.
    #[schema(schema_with = schema::nullable_title)]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "hearth_core::patch::nullable")]
    #[schema(schema_with = schema::description)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "hearth_core::patch::nullable")]
    #[schema(schema_with = schema::category)]
    pub category: Option<Option<String>>,
    /// `null` leaves it as it is.
    #[schema(schema_with = schema::nullable_goal_minor)]
    pub goal_minor: Option<i64>,
    #[serde(default, deserialize_with = "hearth_core::patch::nullable")]
    #[schema(schema_with = text::nullable_future_time)]
    pub ends_at: Option<Option<DateTime<Utc>>>,
    /// As in `POST /campaigns`; `null` removes the picture.
    #[serde(default, deserialize_with = "hearth_core::patch::nullable")]
    #[schema(value_type = Option<ImageUrl>)]
    pub image_url: Option<Option<String>>,
}

impl UpdateCampaign {
    /// Checks the fields and keeps only those that differ from `current`,
    /// so that an unchanged `PATCH` changes nothing (no new version, no event).
    pub fn parse(
        self,
        current: &Campaign,
        now: DateTime<Utc>,
    ) -> Result<CampaignChanges, ApiError> {
        let trim_opt =
            |v: Option<Option<String>>| v.map(|inner| inner.map(|s| s.trim().to_owned()));
        let title = self.title.map(|t| t.trim().to_owned());
        let description = trim_opt(self.description);
        let category = trim_opt(self.category);

        let mut v = Validator::new();
        if let Some(title) = &title {
            v.length(title, "title", TITLE_CHARS.0, TITLE_CHARS.1);
        }
        if let Some(Some(description)) = &description {
            v.length(description, "description", 0, DESCRIPTION_MAX_CHARS);
        }
        if let Some(Some(category)) = &category {
            v.length(category, "category", CATEGORY_CHARS.0, CATEGORY_CHARS.1);
        }
        if let Some(goal) = self.goal_minor {
            v.check(
                (1..=GOAL_MINOR_MAX).contains(&goal),
                "goal_minor",
                "must be between 1 and 1000000000000",
            );
        }
        if let Some(Some(ends_at)) = self.ends_at {
            v.check(ends_at > now, "ends_at", "must be in the future");
        }
        // A refused link reads as None here, but `finish` answers the 422 first.
        let image_url = self
            .image_url
            .map(|inner| inner.and_then(|u| v.parsed(ImageUrl::parse(u.trim()), "image_url")));
        v.finish()?;

        Ok(CampaignChanges {
            title: title.filter(|t| *t != current.title),
            description: description.filter(|d| *d != current.description),
            category: category.filter(|c| *c != current.category),
            goal_minor: self.goal_minor.filter(|g| *g != current.goal_minor),
            ends_at: self.ends_at.filter(|e| *e != current.ends_at),
            image_url: image_url
                .filter(|u| *u != current.image_url)
                .map(|u| u.map(ImageUrl::into_string)),
        })
    }
}
