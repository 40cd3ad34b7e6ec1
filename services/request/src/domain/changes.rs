use chrono::{DateTime, Utc};
use hearth_core::image_url::ImageUrl;
use hearth_core::validation::Validator;
use hearth_core::ApiError;
use hearth_events::request::RequestChanges;
use serde::Deserialize;
use utoipa::ToSchema;

use super::new_request::{
    quantity_needed_in_range, schema, CATEGORY_CHARS, DESCRIPTION_MAX_CHARS, LOCATION_MAX_CHARS,
    TITLE_CHARS,
};
use super::Request;

/// The body of `PATCH /requests/{id}`. An absent field stays as it is;
/// `null` clears `description`, `needed_by`, `location` or `image_url`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"quantity_needed": 30, "location": null}))]
pub struct UpdateRequest {
    /// `null` leaves it as it is.
    #[schema(schema_with = schema::nullable_title)]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "hearth_core::patch::nullable")]
    #[schema(schema_with = schema::description)]
    pub description: Option<Option<String>>,
    /// `null` leaves it as it is.
    #[schema(schema_with = schema::nullable_category)]
    pub category: Option<String>,
    #[schema(schema_with = schema::nullable_quantity_needed)]
    pub quantity_needed: Option<i32>,
    #[serde(default, deserialize_with = "hearth_core::patch::nullable")]
    #[schema(schema_with = hearth_core::openapi::text::nullable_future_time)]
    pub needed_by: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "hearth_core::patch::nullable")]
    #[schema(schema_with = schema::location)]
    pub location: Option<Option<String>>,
    /// As in `POST /requests`; `null` removes the picture.
    #[serde(default, deserialize_with = "hearth_core::patch::nullable")]
    #[schema(value_type = Option<ImageUrl>)]
    pub image_url: Option<Option<String>>,
}

impl UpdateRequest {
    /// Checks the fields and keeps only those that differ from `current`,
    /// so that an unchanged `PATCH` changes nothing (no new version, no event).
    pub fn parse(self, current: &Request, now: DateTime<Utc>) -> Result<RequestChanges, ApiError> {
        let trim_opt =
            |v: Option<Option<String>>| v.map(|inner| inner.map(|s| s.trim().to_owned()));
        let title = self.title.map(|t| t.trim().to_owned());
        let description = trim_opt(self.description);
        let category = self.category.map(|c| c.trim().to_owned());
        let location = trim_opt(self.location);

        let mut v = Validator::new();
        if let Some(title) = &title {
            v.length(title, "title", TITLE_CHARS.0, TITLE_CHARS.1);
        }
        if let Some(Some(description)) = &description {
            v.length(description, "description", 0, DESCRIPTION_MAX_CHARS);
        }
        if let Some(category) = &category {
            v.length(category, "category", CATEGORY_CHARS.0, CATEGORY_CHARS.1);
        }
        if let Some(quantity) = self.quantity_needed {
            quantity_needed_in_range(&mut v, quantity);
            let committed = current.quantity_committed();
            v.check(
                quantity >= committed,
                "quantity_needed",
                &format!("must be at least {committed}, what is already pledged or received"),
            );
        }
        if let Some(Some(needed_by)) = self.needed_by {
            v.check(needed_by > now, "needed_by", "must be in the future");
        }
        if let Some(Some(location)) = &location {
            v.length(location, "location", 0, LOCATION_MAX_CHARS);
        }
        // A refused link reads as None here, but `finish` answers the 422 first.
        let image_url = self
            .image_url
            .map(|inner| inner.and_then(|u| v.parsed(ImageUrl::parse(u.trim()), "image_url")));
        v.finish()?;

        Ok(RequestChanges {
            title: title.filter(|t| *t != current.title),
            description: description.filter(|d| *d != current.description),
            category: category.filter(|c| *c != current.category),
            quantity_needed: self
                .quantity_needed
                .filter(|q| *q != current.quantity_needed),
            needed_by: self.needed_by.filter(|n| *n != current.needed_by),
            location: location.filter(|l| *l != current.location),
            image_url: image_url
                .filter(|u| *u != current.image_url)
                .map(|u| u.map(ImageUrl::into_string)),
        })
    }
}
