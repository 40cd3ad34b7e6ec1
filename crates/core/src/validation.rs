//! Collects every invalid field of a request, so that one 422 lists them all.

use crate::error::{ApiError, FieldError};

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

    pub fn finish(&mut self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation(std::mem::take(&mut self.errors)))
        }
    }
}
