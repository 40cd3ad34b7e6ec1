use chrono::{DateTime, Utc};
use hearth_core::auth::Caller;
use hearth_core::image_url::ImageUrl;
use hearth_core::money::Currency;
use hearth_core::openapi::text;
use hearth_core::validation::Validator;
use hearth_core::ApiError;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::Status;

pub const TITLE_CHARS: (usize, usize) = (3, 120);
pub const DESCRIPTION_MAX_CHARS: usize = 10_000;
pub const CATEGORY_CHARS: (usize, usize) = (1, 50);
pub const GOAL_MINOR_MAX: i64 = 1_000_000_000_000;

/// The body of `POST /campaigns`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": "Winter blankets for the shelter",
    "description": "Forty warm blankets before the first frost.",
    "category": "bedding",
    "goal_minor": 250000,
    "currency": "USD",
    "ends_at": "2031-01-31T23:59:59Z",
    "status": "active",
    "image_url": "https://images.example.org/blankets.jpg"
}))]
pub struct CreateCampaign {
    #[schema(schema_with = schema::title)]
    pub title: String,
    #[schema(schema_with = schema::description)]
    pub description: Option<String>,
    #[schema(schema_with = schema::category)]
    pub category: Option<String>,
    /// In minor units of `currency`.
    #[schema(schema_with = schema::goal_minor)]
    pub goal_minor: i64,
    #[schema(value_type = Currency)]
    pub currency: String,
    #[schema(schema_with = text::nullable_future_time)]
    pub ends_at: Option<DateTime<Utc>>,
    /// `draft` or `active` (the default).
    #[schema(schema_with = schema::new_status)]
    pub status: Option<Status>,
    /// Staff only; defaults to the caller.
    pub recipient_id: Option<Uuid>,
    #[schema(value_type = Option<ImageUrl>)]
    pub image_url: Option<String>,
}

/// The rules above as the OpenAPI document states them, from the same constants.
pub(crate) mod schema {
    use hearth_core::openapi::text;
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    use utoipa::openapi::Object;

    use super::{CATEGORY_CHARS, DESCRIPTION_MAX_CHARS, GOAL_MINOR_MAX, TITLE_CHARS};

    pub fn title() -> Object {
        text::text(TITLE_CHARS.0, TITLE_CHARS.1)
    }

    pub fn nullable_title() -> Object {
        text::nullable_text(TITLE_CHARS.0, TITLE_CHARS.1)
    }

    pub fn description() -> Object {
        text::nullable_text(0, DESCRIPTION_MAX_CHARS)
    }

    pub fn category() -> Object {
        text::nullable_text(CATEGORY_CHARS.0, CATEGORY_CHARS.1)
    }

    pub fn goal_minor() -> Object {
        text::integer(1, GOAL_MINOR_MAX)
    }

    pub fn nullable_goal_minor() -> Object {
        text::nullable_integer(1, GOAL_MINOR_MAX)
    }

    /// A new campaign starts as a draft or active.
    pub fn new_status() -> Object {
        ObjectBuilder::new()
            .schema_type(SchemaType::Array(vec![Type::String, Type::Null]))
            .enum_values(Some([Some("draft"), Some("active"), None]))
            .build()
    }
}

/// A campaign that passed every check and may be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCampaign {
    pub recipient_id: Uuid,
    pub creator_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub category: Option<String>,
    pub goal_minor: i64,
    pub currency: Currency,
    pub ends_at: Option<DateTime<Utc>>,
    pub status: Status,
    pub image_url: Option<ImageUrl>,
}

impl CreateCampaign {
    /// Checks every field at once (one 422 lists them all) and who may create it for whom.
    pub fn parse(self, caller: &Caller, now: DateTime<Utc>) -> Result<NewCampaign, ApiError> {
        if self.recipient_id.is_none() && caller.id.is_nil() {
            // A service token without a user owns nothing: it must say for whom.
            return Err(ApiError::validation(vec![
                hearth_core::error::FieldError::new(
                    "recipient_id",
                    "is required when no user is signed in",
                ),
            ]));
        }
        let recipient_id = self.recipient_id.unwrap_or(caller.id);
        if recipient_id != caller.id && !caller.is_staff() {
            return Err(ApiError::forbidden(
                "only staff may create a campaign for someone else",
            ));
        }
        let title = self.title.trim().to_owned();
        let description = self.description.map(|d| d.trim().to_owned());
        let category = self.category.map(|c| c.trim().to_owned());
        let currency = Currency::parse(&self.currency);
        let status = self.status.unwrap_or(Status::Active);

        let mut v = Validator::new();
        v.length(&title, "title", TITLE_CHARS.0, TITLE_CHARS.1);
        if let Some(description) = &description {
            v.length(description, "description", 0, DESCRIPTION_MAX_CHARS);
        }
        if let Some(category) = &category {
            v.length(category, "category", CATEGORY_CHARS.0, CATEGORY_CHARS.1);
        }
        v.check(
            (1..=GOAL_MINOR_MAX).contains(&self.goal_minor),
            "goal_minor",
            "must be between 1 and 1000000000000",
        );
        v.check(
            currency.is_some(),
            "currency",
            "must be a supported ISO 4217 code in upper case, such as USD or JPY",
        );
        v.check(
            self.ends_at.is_none_or(|t| t > now),
            "ends_at",
            "must be in the future",
        );
        v.check(
            matches!(status, Status::Draft | Status::Active),
            "status",
            "must be draft or active",
        );
        let image_url = self
            .image_url
            .and_then(|u| v.parsed(ImageUrl::parse(u.trim()), "image_url"));
        v.finish()?;

        Ok(NewCampaign {
            recipient_id,
            creator_id: caller.id,
            title,
            description,
            category,
            goal_minor: self.goal_minor,
            currency: currency
                .ok_or_else(|| ApiError::internal(anyhow::anyhow!("checked above")))?,
            ends_at: self.ends_at,
            status,
            image_url,
        })
    }
}
