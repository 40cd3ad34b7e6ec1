//! Extractors that answer bad input in problem+json (docs/api.md's error table)
//! instead of axum's plain-text rejections.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, OptionalFromRequest, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, FieldError};
use crate::http::body_limit::BODY_LIMIT;

/// A JSON body: 415 unless `application/json` (or `+json`), 413 over the
/// body limit, 400 `malformed_json` when it is not JSON, and 422 naming the
/// field when it is JSON of the wrong shape.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers().get(header::CONTENT_TYPE)) {
            return Err(ApiError::unsupported_media_type());
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::payload_too_large(BODY_LIMIT)
            } else {
                ApiError::malformed_json(rejection.body_text())
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// An optional JSON body (`Option<ApiJson<T>>`): no body at all is `None`;
/// a body is held to everything [`ApiJson`] requires.
impl<T: DeserializeOwned, S: Send + Sync> OptionalFromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Option<Self>, Self::Rejection> {
        if req.headers().contains_key(header::CONTENT_TYPE) {
            return <Self as FromRequest<S>>::from_request(req, state)
                .await
                .map(Some);
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| ApiError::payload_too_large(BODY_LIMIT))?;
        if bytes.is_empty() {
            Ok(None)
        } else {
            Err(ApiError::unsupported_media_type())
        }
    }
}

fn is_json(content_type: Option<&header::HeaderValue>) -> bool {
    let Some(essence) = content_type
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
    else {
        return false;
    };
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Parses a body, telling "not JSON" (400) apart from "JSON of the wrong shape" (422).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // Syntax first, so that broken JSON is never reported as a missing field.
    let mut value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::malformed_json(format!("the body is not valid JSON: {e}")))?;
    integers_as_integers(&mut value);
    if let Some(field) = text_with_nul(&value, "") {
        return Err(ApiError::validation(vec![FieldError::new(
            field,
            NUL_REFUSED,
        )]));
    }
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        ApiError::validation(vec![shape_error(&path, err.inner())])
    })
}

/// JSON has one kind of number: `3`, `3.0` and `3e0` are the same integer
/// (JSON Schema's `integer` takes all three), but serde reads only the first
/// as an `i64`. Every number without a fraction that fits an `i64` (or a
/// `u64`) is rewritten as that integer before the body is read.
fn integers_as_integers(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(n) if n.is_f64() => {
            let Some(float) = n.as_f64().filter(|f| f.fract() == 0.0) else {
                return;
            };
            // `as` saturates, so a float out of range fails the round trip.
            let integer = if float < 0.0 {
                let i = float as i64;
                (i as f64 == float).then(|| serde_json::Number::from(i))
            } else {
                let u = float as u64;
                (u as f64 == float && float < 18_446_744_073_709_551_616.0)
                    .then(|| serde_json::Number::from(u))
            };
            if let Some(integer) = integer {
                *n = integer;
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(integers_as_integers),
        serde_json::Value::Object(fields) => fields.values_mut().for_each(integers_as_integers),
        _ => {}
    }
}

/// PostgreSQL refuses U+0000 in `text` and `jsonb`: text holding it must be
/// turned away here as bad input, not fail later as a 500.
const NUL_REFUSED: &str = "must not contain the NUL character (U+0000)";

/// The path of the first string (or key) in `value` holding U+0000.
fn text_with_nul(value: &serde_json::Value, path: &str) -> Option<String> {
    let child = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match value {
        serde_json::Value::String(s) if s.contains('\0') => Some(if path.is_empty() {
            "body".to_owned()
        } else {
            path.to_owned()
        }),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| text_with_nul(item, &format!("{path}[{i}]"))),
        serde_json::Value::Object(fields) => fields.iter().find_map(|(key, item)| {
            if key.contains('\0') {
                Some(child(key))
            } else {
                text_with_nul(item, &child(key))
            }
        }),
        _ => None,
    }
}

/// serde reports a missing or unknown field at the path of the object that
/// holds it; the client wants the field's own name.
fn shape_error(path: &str, err: &serde_json::Error) -> FieldError {
    let message = err.to_string();
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_owned();
    let named = ["missing field `", "unknown field `"]
        .iter()
        .find_map(|prefix| message.strip_prefix(prefix))
        .and_then(|rest| rest.split('`').next());
    let field = match (named, path) {
        (Some(name), ".") => name.to_owned(),
        (Some(name), path) if path == name || path.ends_with(&format!(".{name}")) => {
            path.to_owned()
        }
        (Some(name), parent) => format!("{parent}.{name}"),
        (None, ".") => "body".to_owned(),
        (None, path) => path.to_owned(),
    };
    FieldError::new(field, message)
}

/// Query parameters: 400 `bad_query` when they do not parse.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        serde_urlencoded_from_str(query).map(ApiQuery)
    }
}

fn serde_urlencoded_from_str<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let uri = format!("/?{query}")
        .parse()
        .map_err(|_| ApiError::bad_query("the query string does not parse"))?;
    // In a valid URI, U+0000 can only be written `%00`: only then is the
    // query decoded a second time, to name the parameter that holds it.
    if query.contains("%00") {
        let pairs = axum::extract::Query::<Vec<(String, String)>>::try_from_uri(&uri)
            .map_err(|e| ApiError::bad_query(e.body_text()))?;
        if let Some((name, _)) = pairs
            .0
            .iter()
            .find(|(name, value)| name.contains('\0') || value.contains('\0'))
        {
            return Err(ApiError::bad_query(format!("{name}: {NUL_REFUSED}")));
        }
    }
    axum::extract::Query::<T>::try_from_uri(&uri)
        .map(|q| q.0)
        .map_err(|e| ApiError::bad_query(e.body_text()))
}

/// Path parameters: an id that does not parse names nothing, so it is a 404.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|_| ApiError::not_found())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        title: String,
        goal_minor: i64,
    }

    #[test]
    fn not_json_is_malformed() {
        for body in ["{", "", "{\"title\": \"x\"} trailing", "nope"] {
            let err = parse_json::<Body>(body.as_bytes()).expect_err(body);
            assert_eq!(err.code(), "malformed_json", "{body}");
        }
    }

    #[test]
    fn json_of_the_wrong_shape_names_the_field() {
        let cases = [
            (r#"{"title": "x"}"#, "goal_minor"),
            (r#"{"title": "x", "goal_minor": "ten"}"#, "goal_minor"),
            (
                r#"{"title": "x", "goal_minor": 1, "raised_minor": 5}"#,
                "raised_minor",
            ),
            (r#"[]"#, "body"),
        ];
        for (body, field) in cases {
            let err = parse_json::<Body>(body.as_bytes()).expect_err(body);
            assert_eq!(err.code(), "validation_failed", "{body}");
            assert_eq!(err.problem().errors[0].field, field, "{body}");
        }
    }

    #[test]
    fn a_number_without_a_fraction_is_an_integer() {
        #[derive(Debug, Deserialize)]
        struct Amount {
            minor: i64,
        }
        for body in [r#"{"minor": 3}"#, r#"{"minor": 3.0}"#, r#"{"minor": 3e0}"#] {
            assert_eq!(parse_json::<Amount>(body.as_bytes()).expect(body).minor, 3);
        }
        let negative = parse_json::<Amount>(br#"{"minor": -2.0}"#).expect("negative");
        assert_eq!(negative.minor, -2);
        for body in [r#"{"minor": 3.5}"#, r#"{"minor": 1e30}"#] {
            let err = parse_json::<Amount>(body.as_bytes()).expect_err(body);
            assert_eq!(err.code(), "validation_failed", "{body}");
        }
    }

    #[test]
    fn text_holding_nul_is_refused_by_name() {
        let cases = [
            (r#"{"title": "a\u0000b", "goal_minor": 1}"#, "title"),
            (
                r#"{"title": "x", "goal_minor": 1, "tags": ["ok", "\u0000"]}"#,
                "tags[1]",
            ),
            (r#"{"a": {"b\u0000": 1}}"#, "a.b\0"),
        ];
        for (body, field) in cases {
            let err = parse_json::<serde_json::Value>(body.as_bytes()).expect_err(body);
            assert_eq!(err.code(), "validation_failed", "{body}");
            assert_eq!(err.problem().errors[0].field, field, "{body}");
        }
        // Written out, `\u0000` is six ordinary characters.
        parse_json::<serde_json::Value>(br#"{"title": "\\u0000"}"#).expect("plain text");
    }

    #[test]
    fn a_query_holding_nul_is_a_bad_query() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Q {
            q: Option<String>,
        }
        let err = serde_urlencoded_from_str::<Q>("q=%00").expect_err("nul");
        assert_eq!(err.code(), "bad_query");
        assert!(serde_urlencoded_from_str::<Q>("q=ok%20text").is_ok());
    }

    #[test]
    fn json_content_types() {
        let ok = |v: &'static str| is_json(Some(&header::HeaderValue::from_static(v)));
        assert!(ok("application/json"));
        assert!(ok("application/json; charset=utf-8"));
        assert!(ok("application/merge-patch+json"));
        assert!(!ok("text/plain"));
        assert!(!ok("application/x-www-form-urlencoded"));
        assert!(!is_json(None));
    }
}
