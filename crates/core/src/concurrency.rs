//! Optimistic concurrency on `version` (docs/api.md, "Conventions"): `GET` answers
//! `ETag: "<version>"`, and a write may send `If-Match: "<version>"` so that
//! it only applies to the version the client saw.

use axum::extract::FromRequestParts;
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::http::request::Parts;

use crate::error::ApiError;

/// The `ETag` header for a resource at `version`.
pub fn etag(version: i32) -> [(HeaderName, HeaderValue); 1] {
    let value = HeaderValue::from_str(&format!("\"{version}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("\"0\""));
    [(header::ETAG, value)]
}

/// A stored resource with a `version` (docs/api.md: every stored resource has one).
pub trait Versioned {
    fn version(&self) -> i32;
}

/// A resource answered with its `ETag`.
#[derive(Debug)]
pub struct Tagged<T>(pub T);

impl<T: serde::Serialize + Versioned> axum::response::IntoResponse for Tagged<T> {
    fn into_response(self) -> axum::response::Response {
        (etag(self.0.version()), axum::Json(self.0)).into_response()
    }
}

/// A resource just created: 201, its `Location` and its `ETag`.
#[derive(Debug)]
pub struct Created<T> {
    pub location: String,
    pub resource: T,
}

impl<T: serde::Serialize + Versioned> axum::response::IntoResponse for Created<T> {
    fn into_response(self) -> axum::response::Response {
        let mut response = (axum::http::StatusCode::CREATED, Tagged(self.resource)).into_response();
        if let Ok(location) = HeaderValue::from_str(&self.location) {
            response.headers_mut().insert(header::LOCATION, location);
        }
        response
    }
}

/// What [`IfMatch`] accepts besides `*`, for the OpenAPI documents: a version
/// in quotes, weak or strong. Up to nine digits: every such number is an `i32`.
pub const IF_MATCH_VERSION_PATTERN: &str = r#"^(W/)?"[+-]?[0-9]{1,9}"$"#;

/// The version the client expects, when it sent `If-Match`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IfMatch(Option<i32>);

impl IfMatch {
    pub fn any() -> Self {
        Self(None)
    }

    /// 412 `version_mismatch` when the client saw another version. Call it
    /// with the row locked (`FOR UPDATE`), so no one changes it in between.
    pub fn check(&self, current: i32) -> Result<(), ApiError> {
        match self.0 {
            Some(expected) if expected != current => Err(ApiError::version_mismatch(current)),
            _ => Ok(()),
        }
    }

    fn parse(raw: &str) -> Result<Self, ApiError> {
        let raw = raw.trim();
        if raw == "*" {
            return Ok(Self(None));
        }
        // Versions are exact, so a weak validator (W/"3") means the same as a strong one.
        let tag = raw.strip_prefix("W/").unwrap_or(raw);
        tag.strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .and_then(|t| t.parse::<i32>().ok())
            .map(|v| Self(Some(v)))
            .ok_or_else(|| {
                ApiError::bad_query(format!(
                    "If-Match must be a version in quotes such as \"3\", got {raw}"
                ))
            })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.headers.get(header::IF_MATCH) {
            None => Ok(Self::any()),
            Some(value) => value
                .to_str()
                .map_err(|_| ApiError::bad_query("If-Match is not text"))
                .and_then(Self::parse),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_forms() {
        assert_eq!(IfMatch::parse("\"3\"").expect("strong"), IfMatch(Some(3)));
        assert_eq!(IfMatch::parse("W/\"3\"").expect("weak"), IfMatch(Some(3)));
        assert_eq!(IfMatch::parse("*").expect("any"), IfMatch(None));
        assert_eq!(IfMatch::parse("3").expect_err("bare").code(), "bad_query");
        assert_eq!(
            IfMatch::parse("\"x\"").expect_err("nan").code(),
            "bad_query"
        );
    }

    #[test]
    fn every_version_the_documented_pattern_allows_is_read() {
        let pattern = regex::Regex::new(IF_MATCH_VERSION_PATTERN).expect("regex");
        for header in [
            "\"0\"",
            "\"3\"",
            "W/\"3\"",
            "\"+7\"",
            "\"-1\"",
            "\"999999999\"",
        ] {
            assert!(pattern.is_match(header), "{header}");
            assert!(IfMatch::parse(header).is_ok(), "{header}");
        }
        for header in ["3", "\"\"", "\"x\"", "\"9999999999\"", "W/3", "*"] {
            assert!(!pattern.is_match(header), "{header}");
        }
    }

    #[test]
    fn a_stale_version_is_a_412() {
        assert!(IfMatch(Some(2)).check(2).is_ok());
        assert!(IfMatch::any().check(7).is_ok());
        assert_eq!(
            IfMatch(Some(1)).check(2).expect_err("stale").code(),
            "version_mismatch"
        );
    }
}
