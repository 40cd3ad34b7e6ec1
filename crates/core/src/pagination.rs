//! Keyset pagination with opaque cursors (docs/api.md, "Lists").
//!
//! Lists are ordered newest first by `(created_at, id)`. A cursor is the key of
//! the last row of a page, so rows inserted meanwhile never shift a page: a new
//! row sorts before the cursor and the following pages stay complete.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::ApiError;

pub const DEFAULT_LIMIT: u32 = 20;
pub const MAX_LIMIT: u32 = 100;

/// The position after which the next page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    #[serde(rename = "t")]
    pub created_at: DateTime<Utc>,
    #[serde(rename = "i")]
    pub id: Uuid,
}

impl Cursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    pub fn decode(raw: &str) -> Result<Self, ApiError> {
        URL_SAFE_NO_PAD
            .decode(raw)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Self>(&bytes).ok())
            // A forged time PostgreSQL cannot hold (before 4713 BC) would
            // fail the query; no row this API lists was made outside 1..=9999.
            .filter(|cursor| (1..=9999).contains(&cursor.created_at.year()))
            .ok_or_else(|| ApiError::bad_query("cursor is not one this API gave out"))
    }
}

/// The `limit` of a list, in the OpenAPI documents: what [`PageRequest::new`] accepts.
#[derive(Debug)]
pub struct Limit;

impl utoipa::PartialSchema for Limit {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Integer)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Int32,
            )))
            .minimum(Some(1))
            .maximum(Some(MAX_LIMIT))
            .default(Some(DEFAULT_LIMIT.into()))
            .description(Some(format!("Items per page, 1–{MAX_LIMIT}.")))
            .into()
    }
}

impl utoipa::ToSchema for Limit {}

/// A cursor as the API gives it out (`next_cursor`) and takes it back
/// (`?cursor=`), in the OpenAPI documents: an opaque string of format
/// `hearth-cursor`. Only a cursor a page gave out is accepted (400
/// `bad_query` otherwise); an empty one means the first page.
#[derive(Debug)]
pub struct CursorText;

/// The format name of [`CursorText`]; api-tests teaches it to Schemathesis.
pub const CURSOR_FORMAT: &str = "hearth-cursor";

impl utoipa::PartialSchema for CursorText {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::Custom(
                CURSOR_FORMAT.to_owned(),
            )))
            .pattern(Some("^[A-Za-z0-9_-]*$"))
            .description(Some(
                "Opaque: the `next_cursor` of the previous page, as it was given (base64url). \
                 Any other text is a 400 `bad_query`; empty means the first page.",
            ))
            .examples([serde_json::json!(
                "eyJ0IjoiMjAyNi0xMi0wMVQxMDowMDowMFoiLCJpIjoiMDE5M2E1ZTAtN2IyYy03YzNkLThlNGYtNWE2YjdjOGQ5ZTBmIn0"
            )])
            .into()
    }
}

impl utoipa::ToSchema for CursorText {}

/// The query of a list that takes nothing but a page: `?limit=&cursor=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    #[param(inline, value_type = Option<Limit>)]
    pub limit: Option<u32>,
    #[param(inline, value_type = Option<CursorText>)]
    pub cursor: Option<String>,
}

impl PageQuery {
    /// The page asked for, checked (400 `bad_query` otherwise).
    pub fn request(&self) -> Result<PageRequest, ApiError> {
        PageRequest::new(self.limit, self.cursor.as_deref())
    }
}

/// What a list request asked for, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: u32,
    pub after: Option<Cursor>,
}

impl PageRequest {
    pub fn new(limit: Option<u32>, cursor: Option<&str>) -> Result<Self, ApiError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::bad_query(format!(
                "limit must be between 1 and {MAX_LIMIT}"
            )));
        }
        let after = cursor
            .filter(|c| !c.is_empty())
            .map(Cursor::decode)
            .transpose()?;
        Ok(Self { limit, after })
    }

    /// Rows to fetch: one more than a page, to know whether another page follows.
    pub fn fetch_limit(&self) -> i64 {
        i64::from(self.limit) + 1
    }

    pub fn after_created_at(&self) -> Option<DateTime<Utc>> {
        self.after.map(|c| c.created_at)
    }

    pub fn after_id(&self) -> Option<Uuid> {
        self.after.map(|c| c.id)
    }
}

/// `{"items": [...], "next_cursor": "..." | null}`
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `fetch_limit()` rows, given each row's key.
    pub fn from_rows(mut rows: Vec<T>, request: &PageRequest, key: impl Fn(&T) -> Cursor) -> Self {
        let limit = request.limit as usize;
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next_cursor = if more {
            rows.last().map(|row| key(row).encode())
        } else {
            None
        };
        Self {
            items: rows,
            next_cursor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips() {
        let cursor = Cursor {
            created_at: Utc::now(),
            id: Uuid::now_v7(),
        };
        assert_eq!(Cursor::decode(&cursor.encode()).expect("decodes"), cursor);
    }

    #[test]
    fn garbage_cursors_and_limits_are_bad_queries() {
        // A well-formed cursor whose time PostgreSQL cannot hold (5000 BC).
        let forged = URL_SAFE_NO_PAD
            .encode(r#"{"t":"-5000-01-01T00:00:00Z","i":"00000000-0000-0000-0000-000000000000"}"#);
        for cursor in ["garbage", "e30", "!!!", forged.as_str()] {
            let err = PageRequest::new(None, Some(cursor)).expect_err(cursor);
            assert_eq!(err.code(), "bad_query");
        }
        for limit in [0, 101] {
            assert_eq!(
                PageRequest::new(Some(limit), None)
                    .expect_err("limit")
                    .code(),
                "bad_query"
            );
        }
        assert_eq!(PageRequest::new(None, None).expect("default").limit, 20);
    }

    #[test]
    fn a_short_page_has_no_next_cursor() {
        let request = PageRequest::new(Some(2), None).expect("valid");
        let key = |n: &u8| Cursor {
            created_at: DateTime::<Utc>::UNIX_EPOCH,
            id: Uuid::from_u128(u128::from(*n)),
        };
        assert!(Page::from_rows(vec![1, 2], &request, key)
            .next_cursor
            .is_none());
        let page = Page::from_rows(vec![1, 2, 3], &request, key);
        assert_eq!(page.items, vec![1, 2]);
        assert_eq!(
            Cursor::decode(&page.next_cursor.expect("more"))
                .expect("cursor")
                .id,
            Uuid::from_u128(2)
        );
    }
}
