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

    pub fn finish(&mut self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation(std::mem::take(&mut self.errors)))
        }
    }
}
