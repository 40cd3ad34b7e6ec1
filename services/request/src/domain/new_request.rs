use chrono::{DateTime, Utc};
use hearth_core::auth::Caller;
use hearth_core::error::FieldError;
use hearth_core::image_url::ImageUrl;
use hearth_core::validation::Validator;
use hearth_core::ApiError;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

pub const TITLE_CHARS: (usize, usize) = (3, 120);
pub const DESCRIPTION_MAX_CHARS: usize = 10_000;
pub const CATEGORY_CHARS: (usize, usize) = (1, 50);
pub const LOCATION_MAX_CHARS: usize = 200;
pub const QUANTITY_NEEDED: (i32, i32) = (1, 10_000);

/// The body of `POST /requests`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": "Blankets for the night shelter",
    "description": "Single or double, clean and warm.",
    "category": "bedding",
    "quantity_needed": 20,
    "needed_by": "2031-01-15T18:00:00Z",
    "location": "12 Harbour Street",
    "image_url": "https://images.example.org/shelter.jpg"
}))]
pub struct CreateRequest {
    #[schema(schema_with = schema::title)]
    pub title: String,
    #[schema(schema_with = schema::description)]
    pub description: Option<String>,
    /// Such as `bedding` or `food`.
    #[schema(schema_with = schema::category)]
    pub category: String,
    #[schema(schema_with = schema::quantity_needed)]
    pub quantity_needed: i32,
    /// An open request expires then.
    #[schema(schema_with = hearth_core::openapi::text::nullable_future_time)]
    pub needed_by: Option<DateTime<Utc>>,
    /// Where the goods go.
    #[schema(schema_with = schema::location)]
    pub location: Option<String>,
    #[schema(value_type = Option<ImageUrl>)]
    pub image_url: Option<String>,
}

/// The rules above as the OpenAPI document states them, from the same constants.
pub(crate) mod schema {
    use hearth_core::openapi::text;
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    use utoipa::openapi::{KnownFormat, Object, SchemaFormat};

    use super::{
        CATEGORY_CHARS, DESCRIPTION_MAX_CHARS, LOCATION_MAX_CHARS, QUANTITY_NEEDED, TITLE_CHARS,
    };

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
        text::text(CATEGORY_CHARS.0, CATEGORY_CHARS.1)
    }

    pub fn nullable_category() -> Object {
        text::nullable_text(CATEGORY_CHARS.0, CATEGORY_CHARS.1)
    }

    pub fn location() -> Object {
        text::nullable_text(0, LOCATION_MAX_CHARS)
    }

    pub fn quantity_needed() -> Object {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
            .minimum(Some(QUANTITY_NEEDED.0))
            .maximum(Some(QUANTITY_NEEDED.1))
            .build()
    }

    /// Also never below what is already pledged plus received (422 otherwise).
    pub fn nullable_quantity_needed() -> Object {
        let mut schema = quantity_needed();
        schema.schema_type = SchemaType::Array(vec![Type::Integer, Type::Null]);
        schema.description =
            Some("Never below what is already pledged plus received (422 otherwise).".into());
        schema
    }
}

/// A request that passed every check and may be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRequest {
    pub requester_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub category: String,
    pub quantity_needed: i32,
    pub needed_by: Option<DateTime<Utc>>,
    pub location: Option<String>,
    pub image_url: Option<ImageUrl>,
}

pub fn quantity_needed_in_range(v: &mut Validator, quantity: i32) {
    v.check(
        (QUANTITY_NEEDED.0..=QUANTITY_NEEDED.1).contains(&quantity),
        "quantity_needed",
        "must be between 1 and 10000",
    );
}

impl CreateRequest {
    /// Checks every field at once (one 422 lists them all).
    pub fn parse(self, caller: &Caller, now: DateTime<Utc>) -> Result<NewRequest, ApiError> {
        if caller.id.is_nil() {
            // A service token without a user has no one to deliver the goods to.
            return Err(ApiError::validation(vec![FieldError::new(
                "requester_id",
                "a request needs a signed-in user",
            )]));
        }
        let title = self.title.trim().to_owned();
        let description = self.description.map(|d| d.trim().to_owned());
        let category = self.category.trim().to_owned();
        let location = self.location.map(|l| l.trim().to_owned());

        let mut v = Validator::new();
        v.length(&title, "title", TITLE_CHARS.0, TITLE_CHARS.1);
        if let Some(description) = &description {
            v.length(description, "description", 0, DESCRIPTION_MAX_CHARS);
        }
        v.length(&category, "category", CATEGORY_CHARS.0, CATEGORY_CHARS.1);
        quantity_needed_in_range(&mut v, self.quantity_needed);
        v.check(
            self.needed_by.is_none_or(|t| t > now),
            "needed_by",
            "must be in the future",
        );
        if let Some(location) = &location {
            v.length(location, "location", 0, LOCATION_MAX_CHARS);
        }
        let image_url = self
            .image_url
            .and_then(|u| v.parsed(ImageUrl::parse(u.trim()), "image_url"));
        v.finish()?;

        Ok(NewRequest {
            requester_id: caller.id,
            title,
            description,
            category,
            quantity_needed: self.quantity_needed,
            needed_by: self.needed_by,
            location,
            image_url,
        })
    }
}
