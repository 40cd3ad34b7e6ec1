//! Text filters of list endpoints (`?q=`, `?category=`): trimmed, empty
//! means "no filter", and bounded, because PostgreSQL's work on a search
//! grows with its length: a `q` of some 14 000 words exhausts its stack
//! (`websearch_to_tsquery`), and a few thousand already take seconds.

use crate::error::ApiError;

/// The longest text filter accepted, in characters: a title's worth and more.
pub const MAX_FILTER_CHARS: usize = 200;

/// A text filter in the OpenAPI documents: at most [`MAX_FILTER_CHARS`]
/// once trimmed, no U+0000 (400 `bad_query` otherwise).
pub fn schema() -> utoipa::openapi::Object {
    crate::openapi::text::text(0, MAX_FILTER_CHARS)
}

/// `raw` trimmed, `None` when empty; 400 `bad_query` naming `param` when too long.
pub fn text_filter(param: &str, raw: Option<String>) -> Result<Option<String>, ApiError> {
    let Some(text) = raw.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > MAX_FILTER_CHARS {
        return Err(ApiError::bad_query(format!(
            "{param}: at most {MAX_FILTER_CHARS} characters"
        )));
    }
    Ok(Some(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_is_trimmed_empty_is_none_and_too_long_is_refused() {
        assert_eq!(text_filter("q", None).expect("ok"), None);
        assert_eq!(text_filter("q", Some("  ".into())).expect("ok"), None);
        assert_eq!(
            text_filter("q", Some(" warm blankets ".into())).expect("ok"),
            Some("warm blankets".into())
        );
        let at_most = "é".repeat(MAX_FILTER_CHARS);
        assert!(
            text_filter("q", Some(at_most.clone())).is_ok(),
            "characters, not bytes"
        );
        let err = text_filter("q", Some(at_most + "x")).expect_err("too long");
        assert_eq!(err.code(), "bad_query");
    }
}
