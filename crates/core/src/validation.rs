//! Collects every invalid field of a request, so that one 422 lists them all.

use crate::error::{ApiError, FieldError};

/// The longest `reason` a status change, a suspension or a refund carries.
pub const REASON_MAX_CHARS: usize = 500;

/// An optional `reason` in the OpenAPI documents: at most
/// [`REASON_MAX_CHARS`] once trimmed; empty means none.
pub fn reason_schema() -> utoipa::openapi::Object {
    crate::openapi::text::nullable_text(0, REASON_MAX_CHARS)
}

#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `message` against `field` unless `ok`.
    pub fn check(&mut self, ok: bool, field: &str, message: &str) -> &mut Self {
        if !ok {
            self.errors.push(FieldError::new(field, message));
        }
        self
    }

    /// Checks a text's length in characters (not bytes), inclusive.
    pub fn length(&mut self, value: &str, field: &str, min: usize, max: usize) -> &mut Self {
        let n = value.chars().count();
        let message = if min == 0 {
            format!("must be at most {max} characters")
        } else {
            format!("must be {min}–{max} characters")
        };
        self.check((min..=max).contains(&n), field, &message)
    }

    /// Keeps `value` if its length in characters is within bounds, as
    /// [`Validator::length`] checks it; records why not otherwise.
    pub fn text(&mut self, value: String, field: &str, min: usize, max: usize) -> Option<String> {
        let before = self.errors.len();
        self.length(&value, field, min, max);
        (self.errors.len() == before).then_some(value)
    }

    /// Keeps what a domain type's `parse` made of a field, or records why it
    /// refused it against `field`.
    pub fn parsed<T, E: std::fmt::Display>(
        &mut self,
        parsed: Result<T, E>,
        field: &str,
    ) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(why) => {
                self.errors.push(FieldError::new(field, why.to_string()));
                None
            }
        }
    }

    /// Like [`Validator::finish`], handing back what was built from the
    /// fields [`Validator::parsed`] kept. `value` is `None` only when one of
    /// them was refused, so that refusal is the answer; a `None` with nothing
    /// refused is a bug here, answered as a 500 rather than a made-up value.
    pub fn finish_with<T>(&mut self, value: Option<T>) -> Result<T, ApiError> {
        self.finish()?;
        value.ok_or_else(|| {
            ApiError::internal(anyhow::anyhow!(
                "a value was missing, yet every field passed"
            ))
        })
    }

    pub fn finish(&mut self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation(std::mem::take(&mut self.errors)))
        }
    }
}
