use chrono::{DateTime, Utc};
use hearth_core::validation::Validator;
use hearth_core::ApiError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub const DISPLAY_NAME_CHARS: (usize, usize) = (1, 80);
pub const BIO_MAX_CHARS: usize = 500;
pub const LOCATION_MAX_CHARS: usize = 200;
pub const AVATAR_URL_MAX_CHARS: usize = 2_000;

hearth_core::words! {
    pub enum ProfileStatus: "profile status" {
        Active => "active",
        Suspended => "suspended",
    }
}

/// A profile: what a person shows of themselves, their standing and
/// the ratings others gave them.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, sqlx::FromRow)]
#[schema(example = json!({
    "id": "5f0c6a1e-2b7d-4c8e-9f3a-1d2e3f4a5b6c",
    "display_name": "Ada",
    "bio": "Knits for the shelter every winter.",
    "avatar_url": "https://images.example.org/ada.png",
    "location": "Leeds",
    "status": "active",
    "rating_avg": 4.5,
    "rating_count": 2,
    "created_at": "2026-11-20T12:00:00Z",
    "updated_at": "2026-12-01T08:00:00Z",
    "version": 3
}))]
pub struct Profile {
    /// The person's user id (their JWT `sub`).
    pub id: Uuid,
    pub display_name: String,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub location: Option<String>,
    pub status: ProfileStatus,
    /// The mean of the visible ratings, to two decimals; null before the first.
    pub rating_avg: Option<f64>,
    pub rating_count: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl hearth_core::concurrency::Versioned for Profile {
    fn version(&self) -> i32 {
        self.version
    }
}

/// The body of `PUT /profiles/me`: the whole profile; an absent optional
/// field is cleared, as `PUT` replaces.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "display_name": "Ada",
    "bio": "Knits for the shelter every winter.",
    "avatar_url": "https://images.example.org/ada.png",
    "location": "Leeds"
}))]
pub struct PutProfile {
    #[schema(schema_with = schema::display_name)]
    pub display_name: String,
    #[schema(schema_with = schema::bio)]
    pub bio: Option<String>,
    #[schema(schema_with = schema::avatar_url)]
    pub avatar_url: Option<String>,
    #[schema(schema_with = schema::location)]
    pub location: Option<String>,
}

/// The rules of [`PutProfile::parse`] as the OpenAPI document states them.
mod schema {
    use hearth_core::image_url::LINK_PATTERN;
    use hearth_core::openapi::text;
    use utoipa::openapi::Object;

    use super::{AVATAR_URL_MAX_CHARS, BIO_MAX_CHARS, DISPLAY_NAME_CHARS, LOCATION_MAX_CHARS};

    pub fn display_name() -> Object {
        text::text(DISPLAY_NAME_CHARS.0, DISPLAY_NAME_CHARS.1)
    }

    pub fn bio() -> Object {
        text::nullable_text(0, BIO_MAX_CHARS)
    }

    pub fn location() -> Object {
        text::nullable_text(0, LOCATION_MAX_CHARS)
    }

    /// An https URL with a host, or nothing (empty clears it). The pattern
    /// is the image links' ([`LINK_PATTERN`]): every link it allows is one
    /// the check takes.
    pub fn avatar_url() -> Object {
        let mut schema = text::nullable_text(0, AVATAR_URL_MAX_CHARS);
        schema.pattern = Some(text::surrounded_by_spaces(&format!("(?:{LINK_PATTERN})?")));
        schema.max_length = Some(AVATAR_URL_MAX_CHARS);
        schema.description = Some(format!(
            "An https URL with a host, at most {AVATAR_URL_MAX_CHARS} characters; empty or \
             null clears it."
        ));
        schema
    }
}

/// A profile body that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidProfile {
    pub display_name: String,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub location: Option<String>,
}

impl ValidProfile {
    /// Whether storing this would change `current`.
    pub fn differs_from(&self, current: &Profile) -> bool {
        self.display_name != current.display_name
            || self.bio != current.bio
            || self.avatar_url != current.avatar_url
            || self.location != current.location
    }
}

fn is_https_url(value: &str) -> bool {
    url::Url::parse(value).is_ok_and(|u| u.scheme() == "https" && u.host().is_some())
}

impl PutProfile {
    pub fn parse(self) -> Result<ValidProfile, ApiError> {
        let clean = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let display_name = self.display_name.trim().to_owned();
        let bio = clean(self.bio);
        let avatar_url = clean(self.avatar_url);
        let location = clean(self.location);

        let mut v = Validator::new();
        v.length(
            &display_name,
            "display_name",
            DISPLAY_NAME_CHARS.0,
            DISPLAY_NAME_CHARS.1,
        );
        if let Some(bio) = &bio {
            v.length(bio, "bio", 0, BIO_MAX_CHARS);
        }
        if let Some(url) = &avatar_url {
            v.length(url, "avatar_url", 0, AVATAR_URL_MAX_CHARS);
            v.check(is_https_url(url), "avatar_url", "must be an https URL");
        }
        if let Some(location) = &location {
            v.length(location, "location", 0, LOCATION_MAX_CHARS);
        }
        v.finish()?;
        Ok(ValidProfile {
            display_name,
            bio,
            avatar_url,
            location,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn avatars_are_https_urls() {
        assert!(is_https_url("https://cdn.example.org/a.png"));
        for bad in [
            "http://cdn.example.org/a.png",
            "javascript:alert(1)",
            "https://",
            "not a url",
        ] {
            assert!(!is_https_url(bad), "{bad}");
        }
    }
}
